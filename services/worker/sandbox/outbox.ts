// What the sandbox has for the host between two of the host's entries: log lines, the next timer wake-up,
// fetches and function calls to start, aborted fetches, and the running invocation's outcome. The host
// takes it after every entry (Runtime.take). It lives in the function's own heap; log lines are also
// flushed early through the host call once enough have gathered, so a long-running handler's lines reach
// its log before a timeout ends it. Once the host says the invocation's log is full, its further lines
// are dropped here rather than copied out for the host to drop (the host caps the log either way).
import { callHost } from "./host-access.js";
import type { FetchRequestData, FunctionCallData, SandboxPacket } from "./host.js";

/** Gathered log text past which lines are flushed at once rather than at the next take. */
const FLUSH_CHARS = 64 * 1024;
/**
 * A line written this long after the last flush is flushed at once (as are lines gathered for this long):
 * the first line after a quiet spell reaches the log even if the handler then hangs until its timeout,
 * while a chatty handler's lines go out in batches.
 */
const FLUSH_AGE_MS = 250;

let lines: string[] = [];
let lineChars = 0;
/** False once the host has said this invocation's log is full. */
let accepting = true;
let lastFlushAt = -Infinity;
let outcome: string | undefined;
let fetches: [number, FetchRequestData][] = [];
let abortedFetches: number[] = [];
let calls: [number, FunctionCallData][] = [];
let wakeAt: number | null = null;
let wakeChanged = false;
let responseBytes: Uint8Array[] = [];
let responseContentType: string | undefined;

/** Bytes of a streamed response, within the host's credit (response-stream.ts). */
export function pushResponseBytes(bytes: Uint8Array): void {
  responseBytes.push(bytes);
}

export function setResponseContentType(contentType: string): void {
  responseContentType = contentType;
}

/** A new invocation starts with room in its log. */
export function openLog(): void {
  accepting = true;
}

export function writeLine(line: string): void {
  if (!accepting) return;
  lines.push(line);
  lineChars += line.length;
  if (lineChars >= FLUSH_CHARS || Date.now() - lastFlushAt >= FLUSH_AGE_MS) flushLines();
}

/** Sends the gathered lines to the host now. */
export function flushLines(): void {
  if (lines.length === 0) return;
  const batch = lines;
  lines = [];
  lineChars = 0;
  lastFlushAt = Date.now();
  accepting = callHost("log", batch) !== false;
}

export function settle(encodedOutcome: string): void {
  outcome = encodedOutcome;
}

export function startFetch(id: number, request: FetchRequestData): void {
  fetches.push([id, request]);
}

export function abortFetch(id: number): void {
  abortedFetches.push(id);
}

export function startCall(id: number, call: FunctionCallData): void {
  calls.push([id, call]);
}

/** The earliest pending timer's due time (epoch milliseconds), or null when no timer is pending. */
export function setWake(dueAt: number | null): void {
  if (dueAt === wakeAt) return;
  wakeAt = dueAt;
  wakeChanged = true;
}

/**
 * Hands the pending wake-up to the host again at the next take: a timer set after the last invocation
 * ended (a client reconnecting when its sockets were closed) is the next invocation's, which the host arms.
 */
export function resendWake(): void {
  if (wakeAt !== null) wakeChanged = true;
}

/** Everything gathered since the last take; undefined when there is nothing. */
export function take(): SandboxPacket | undefined {
  let packet: SandboxPacket | undefined;
  const add = (): SandboxPacket => (packet ??= {});
  if (lines.length > 0) {
    add().lines = lines;
    lines = [];
    lineChars = 0;
  }
  if (outcome !== undefined) {
    add().outcome = outcome;
    outcome = undefined;
  }
  if (wakeChanged) {
    add().wakeAt = wakeAt;
    wakeChanged = false;
  }
  if (fetches.length > 0) {
    add().fetches = fetches;
    fetches = [];
  }
  if (abortedFetches.length > 0) {
    add().abortedFetches = abortedFetches;
    abortedFetches = [];
  }
  if (calls.length > 0) {
    add().calls = calls;
    calls = [];
  }
  // Before the outcome is read: the host passes the bytes on before it ends the stream.
  if (responseContentType !== undefined) {
    add().responseContentType = responseContentType;
    responseContentType = undefined;
  }
  if (responseBytes.length > 0) {
    add().responseBytes = responseBytes;
    responseBytes = [];
  }
  return packet;
}
