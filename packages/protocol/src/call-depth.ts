// How deep an invocation is in a chain of invocations, and how that depth travels from hop to hop, so a
// loop is cut wherever it runs: through `lambent:functions` calls, destinations, triggers and event
// source mappings alike. An invocation from outside the cluster is depth 0; each hop adds one. Where
// Lambent makes the call, the depth is the invocation header's `callDepth`; on a message Lambent publishes
// to a destination (a subject or a stream), it is the `Lambent-Call-Depth` header, naming the depth of the
// invocation the message comes from, which topic triggers, bucket and KV triggers and event source
// mappings read back and add one to.
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/nats-core";

/**
 * How many hops deep an invocation may run: a hop to MAX_CALL_DEPTH + 1 is stopped (not run), as Lambda
 * stops a recursive loop after about 16 invocations.
 */
export const MAX_CALL_DEPTH = 16;

/** The NATS header carrying the depth of the invocation a published message comes from. */
export const CALL_DEPTH_HEADER = "Lambent-Call-Depth";

/**
 * What a hop from an invocation leads to:
 *   run   the next invocation runs at `callDepth` (1 to MAX_CALL_DEPTH)
 *   stop  it would run at MAX_CALL_DEPTH + 1: a recursive loop, stopped the way Lambda stops one (an
 *         event goes to its dead-letter target and on-failure destination instead of running)
 *   drop  the hop comes from a stopped invocation (its dead letter or failure record fed back): nothing
 *         more comes of it, so a stopped loop cannot go on as a loop of stopped events
 */
export type Hop = { kind: "run"; callDepth: number } | { kind: "stop"; callDepth: number } | { kind: "drop" };

/** The hop from an invocation at `depth` (undefined: 0, from outside). */
export function nextHop(depth: number | undefined): Hop {
  const callDepth = (depth ?? 0) + 1;
  if (callDepth <= MAX_CALL_DEPTH) return { kind: "run", callDepth };
  if (callDepth === MAX_CALL_DEPTH + 1) return { kind: "stop", callDepth };
  return { kind: "drop" };
}

/**
 * The depth a message says it comes from: 0 without the header (published from outside) or with one that
 * is not a whole number; at most MAX_CALL_DEPTH + 1, so a larger claim is treated as a stopped invocation's.
 */
export function callDepthOf(msg: { headers?: MsgHdrs | undefined }): number {
  const value = msg.headers?.get(CALL_DEPTH_HEADER);
  if (!value || !/^\d+$/.test(value)) return 0;
  return Math.min(Number(value), MAX_CALL_DEPTH + 1);
}

/**
 * Marks `headers` (new ones when absent) as coming from an invocation at `depth`; at depth 0 the header
 * is left out, as on a message from outside.
 */
export function withCallDepth(depth: number, headers?: MsgHdrs): MsgHdrs | undefined {
  if (depth <= 0) {
    headers?.delete(CALL_DEPTH_HEADER);
    return headers;
  }
  const marked = headers ?? natsHeaders();
  marked.set(CALL_DEPTH_HEADER, String(depth));
  return marked;
}
