// Lambda's tumbling windows on stream mappings (TumblingWindowInSeconds), the parts that need no NATS:
// which window a record falls in, the fields a windowed event carries beside its Records, and the state a
// function answers. Windows are aligned on multiples of their length since the epoch and a record falls
// in the window of its arrival in the stream, as Lambda places Kinesis records by their approximate
// arrival. Each partition (subject) has its own window and state; see docs/triggers.md.
import type { OpenWindow } from "@lambent/registry/event-sources";
import { SHARD_ID, type SourceContext } from "./source-events.js";

/** Lambda keeps at most 1 MB of window state per shard; a Lambent stream is one shard. */
export const MAX_WINDOW_STATE_BYTES = 1024 * 1024;

/**
 * A window whose end has passed is closed once the reader has read every record the stream stored by then
 * and this long has gone by, so a record stored just before the end is not left out.
 */
export const WINDOW_CLOSE_GRACE_MS = 1_000;

/** The start (epoch ms) of the window of `sizeMs` that `arrivalMs` falls in. */
export function windowStart(arrivalMs: number, sizeMs: number): number {
  return Math.floor(arrivalMs / sizeMs) * sizeMs;
}

export interface WindowCall {
  window: OpenWindow;
  sizeMs: number;
  /** The last call of the window: its records are all in, the state is final. */
  final: boolean;
  /** The window's state grew past Lambda's limit: this final call ends it early, and it goes on with a fresh state. */
  terminatedEarly: boolean;
}

/** The fields a windowed event carries after `Records`, in Lambda's order and words. */
export function windowEventFields(call: WindowCall, source: SourceContext): Record<string, unknown> {
  return {
    window: { start: isoSeconds(call.window.start), end: isoSeconds(call.window.start + call.sizeMs) },
    state: call.window.state,
    shardId: SHARD_ID,
    eventSourceARN: source.eventSourceArn,
    isFinalInvokeForWindow: call.final,
    isWindowTerminatedEarly: call.terminatedEarly,
  };
}

export type WindowAnswer = { kind: "state"; state: Record<string, unknown> } | { kind: "unusable"; reason: string };

const decoder = new TextDecoder();

/** The state a windowed call answered: Lambda counts an answer without a `state` object as a failed call. */
export function readWindowState(payload: Uint8Array): WindowAnswer {
  let answer: unknown;
  try {
    answer = payload.length === 0 ? null : JSON.parse(decoder.decode(payload));
  } catch {
    return { kind: "unusable", reason: "the function's answer is not JSON" };
  }
  const state = isObject(answer) ? answer["state"] : undefined;
  if (!isObject(state)) return { kind: "unusable", reason: "the function's answer has no state object" };
  return { kind: "state", state };
}

/** The bytes the states of `windows` take as JSON. */
export function stateBytes(windows: Iterable<OpenWindow>): number {
  let bytes = 0;
  for (const window of windows) bytes += Buffer.byteLength(JSON.stringify(window.state));
  return bytes;
}

function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
