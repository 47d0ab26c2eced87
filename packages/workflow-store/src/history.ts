// An execution's history: events appended to stream LAMBENT_SFN_HISTORY on the execution's own subject,
// each with a message id that a replayed step repeats (so JetStream stores it once), and read back in
// GetExecutionHistory's shape: ids 1…n in stream order, each pointing at the event before it in its frame.
import { DiscardPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/nats-core";
import { Streams, Subjects } from "@lambent/protocol";
import type { Json } from "@lambent/states-language";
import type { ExecutionRecord } from "./records.js";

/** A history event as stored: its details under the field GetExecutionHistory names for its type. */
export interface StoredHistoryEvent {
  type: string;
  timestamp: number;
  /** The frame (top level, branch, item) it belongs to, and that frame's parent. */
  frame: string;
  parentFrame?: string;
  details?: Record<string, Json>;
}

export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** A replayed step's events are stored once if they come back within this window. */
const DUPLICATE_WINDOW_NS = 10 * 60 * 1_000_000_000;
/** Histories are kept 90 days, as AWS keeps a closed standard execution's. */
const MAX_AGE_NS = 90 * 24 * 3600 * 1_000_000_000;

export async function ensureHistoryStream(nc: NatsConnection, replicas: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(Streams.workflowHistory);
  } catch {
    try {
      await jsm.streams.add({
        name: Streams.workflowHistory,
        subjects: [Subjects.workflowHistoryAll],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: MAX_AGE_NS,
        duplicate_window: DUPLICATE_WINDOW_NS,
        num_replicas: replicas,
        allow_direct: true,
      });
    } catch (error) {
      if (!/already in use|already exists/i.test(String(error))) throw error;
    }
  }
}

/** The details field of an event type: `TaskStateEntered` → `stateEnteredEventDetails`, `LambdaFunctionFailed` → `lambdaFunctionFailedEventDetails`. */
export function detailsField(type: string): string {
  if (/StateEntered$/.test(type)) return "stateEnteredEventDetails";
  if (/StateExited$/.test(type)) return "stateExitedEventDetails";
  if (/^MapIteration/.test(type)) return `${lowerFirst(type)}EventDetails`;
  return `${lowerFirst(type)}EventDetails`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Appends events; `ids[i]` is the message id of `events[i]`. Resolves once JetStream has stored them all. */
export async function appendHistory(js: JetStreamClient, executionKey: string, events: readonly StoredHistoryEvent[], ids: readonly string[]): Promise<void> {
  await Promise.all(
    events.map((event, index) => {
      const headers = natsHeaders();
      headers.set("Nats-Msg-Id", ids[index]!);
      return js.publish(Subjects.workflowHistory(executionKey), JSON.stringify(event), { headers, msgID: ids[index]! });
    }),
  );
}

/** Whether an execution's history has any event yet (one direct read of its last message). */
export async function hasHistory(nc: NatsConnection, executionKey: string): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  const last = await jsm.direct.getMessage(Streams.workflowHistory, { last_by_subj: Subjects.workflowHistory(executionKey) }).catch(() => null);
  return last !== null;
}

/** Every event of an execution, numbered, oldest first. */
export async function readHistory(nc: NatsConnection, executionKey: string): Promise<HistoryEvent[]> {
  const consumer = await jetstream(nc).consumers.get(Streams.workflowHistory, { filter_subjects: Subjects.workflowHistory(executionKey) });
  const stored = (await consumer.info(true)).num_pending;
  const events: StoredHistoryEvent[] = [];
  if (stored > 0) {
    const messages = await consumer.consume();
    for await (const msg of messages) {
      events.push(msg.json<StoredHistoryEvent>());
      if (events.length >= stored || msg.info.pending === 0) break;
    }
    await messages.close();
  }
  return numberHistory(events);
}

/**
 * Ids in order; each event's previous one is the last of its frame, else the last of its parent frame.
 * Timestamps become epoch seconds, as the JSON protocol carries them.
 */
export function numberHistory(events: readonly StoredHistoryEvent[]): HistoryEvent[] {
  const lastOfFrame = new Map<string, number>();
  return events.map((event, index) => {
    const id = index + 1;
    const previousEventId = lastOfFrame.get(event.frame) ?? (event.parentFrame !== undefined ? lastOfFrame.get(event.parentFrame) : undefined) ?? index;
    lastOfFrame.set(event.frame, id);
    return { timestamp: event.timestamp / 1000, type: event.type, id, previousEventId, ...(event.details ? { [detailsField(event.type)]: event.details } : {}) };
  });
}

/** The history's first event. */
export function executionStartedEvent(record: ExecutionRecord): StoredHistoryEvent {
  return { type: "ExecutionStarted", timestamp: record.startDate, frame: "r", details: { input: record.input, inputDetails: { truncated: false }, roleArn: record.roleArn, stateMachineArn: record.stateMachineArn } };
}

/** The history event that closes an execution of this status (none while it runs). */
export function executionEndEvent(record: ExecutionRecord, timestamp = record.stopDate ?? Date.now()): StoredHistoryEvent | undefined {
  switch (record.status) {
    case "SUCCEEDED":
      return { type: "ExecutionSucceeded", timestamp, frame: "r", details: { output: record.output ?? "null", outputDetails: { truncated: false } } };
    case "FAILED":
      return { type: "ExecutionFailed", timestamp, frame: "r", details: { error: record.error ?? "", cause: record.cause ?? "" } };
    case "TIMED_OUT":
      return { type: "ExecutionTimedOut", timestamp, frame: "r", details: { error: record.error ?? "States.Timeout", cause: record.cause ?? "" } };
    case "ABORTED":
      return { type: "ExecutionAborted", timestamp, frame: "r", details: { error: record.error ?? "", cause: record.cause ?? "" } };
    default:
      return undefined;
  }
}
