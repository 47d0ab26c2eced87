// Turns one trigger firing into an asynchronous invocation of the trigger's function (enqueueInvocation:
// retries, dead-letter targets and destinations then apply as to any Event invoke). A function or
// qualifier that does not exist, or a payload over the asynchronous limit (1 MB), is logged (at most once a
// minute per trigger) and counted, never thrown: the firing is spent. Anything else (JetStream
// unavailable) is thrown for the caller to retry. A firing from a message (topic, bucket, KV) is a hop
// from the invocation that published it: the event is one call deeper, an event past the limit is stored
// for the event runner to stop, and a message from a stopped invocation fires nothing.
import { createHash } from "node:crypto";
import type { JetStreamClient } from "@nats-io/jetstream";
import { isLambdaError } from "@lambent/errors";
import { MAX_EVENT_PAYLOAD_BYTES, enqueueInvocation } from "@lambent/event-queue";
import { nextHop } from "@lambent/protocol";
import type { ArnScope, RegistryView } from "@lambent/registry/functions";
import type { TriggerRecord } from "@lambent/registry/triggers";
import type { Logger } from "@lambent/telemetry";
import type { LoopStopsReport } from "../invocation/loop-stops.js";
import type { TriggerMetrics } from "../metrics/trigger-metrics.js";

export interface FiringOptions {
  /** Names this firing among everything ever enqueued: a second enqueue within the duplicate window is stored once. */
  dedupKey?: string;
  requestId?: string;
  traceparent?: string;
  /**
   * The call depth of the invocation the source message comes from (its Lambent-Call-Depth; 0 from
   * outside). Absent for a schedule's tick, which starts a chain.
   */
  sourceDepth?: number;
}

export type Firing = "enqueued" | "functionMissing" | "tooLarge" | "recursiveLoop";

const DROPPED_LOG_INTERVAL_MS = 60_000;

export class TriggerFirer {
  private readonly droppedLoggedAt = new Map<string, number>();

  constructor(
    private readonly options: { js: JetStreamClient; view: RegistryView; scope: ArnScope; metrics: TriggerMetrics; loops: LoopStopsReport; logger: Logger; now: () => number },
  ) {}

  async fire(trigger: TriggerRecord, payload: Uint8Array, firing: FiringOptions = {}): Promise<Firing> {
    const { js, view, scope, metrics, loops, now } = this.options;
    const { sourceDepth, ...enqueue } = firing;
    const hop = sourceDepth === undefined ? undefined : nextHop(sourceDepth);
    if (hop?.kind === "drop") {
      metrics.fired(trigger.name, "recursive_loop");
      loops.stopped(trigger.functionName, "trigger", { trigger: trigger.name, sourceDepth });
      return "recursiveLoop";
    }
    if (payload.length > MAX_EVENT_PAYLOAD_BYTES) {
      metrics.fired(trigger.name, "too_large");
      this.logDropped(trigger, `the event is ${payload.length} bytes, over the ${MAX_EVENT_PAYLOAD_BYTES} bytes an asynchronous invocation takes`);
      return "tooLarge";
    }
    try {
      await enqueueInvocation(js, view, scope, { functionName: trigger.functionName, qualifier: trigger.qualifier }, payload, {
        ...enqueue,
        ...(hop ? { callDepth: hop.callDepth } : {}),
        now,
      });
    } catch (error) {
      if (isLambdaError(error) && error.type === "ResourceNotFoundException") {
        metrics.fired(trigger.name, "function_missing");
        this.logDropped(trigger, error.message);
        return "functionMissing";
      }
      metrics.fired(trigger.name, "failed");
      throw error;
    }
    metrics.fired(trigger.name, "enqueued");
    return "enqueued";
  }

  private logDropped(trigger: TriggerRecord, reason: string): void {
    const last = this.droppedLoggedAt.get(trigger.name);
    const time = this.options.now();
    if (last !== undefined && time - last < DROPPED_LOG_INTERVAL_MS) return;
    this.droppedLoggedAt.set(trigger.name, time);
    this.options.logger.warn("trigger firing dropped (logged at most once a minute per trigger)", {
      trigger: trigger.name,
      functionName: trigger.functionName,
      qualifier: trigger.qualifier,
      reason,
    });
  }
}

/** A request id derived from a firing's key, so a firing enqueued twice (outside the duplicate window) keeps its id. */
export function requestIdFor(dedupKey: string): string {
  const hex = createHash("sha256").update(dedupKey).digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
