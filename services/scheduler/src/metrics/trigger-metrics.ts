// Trigger firings as Prometheus counts: each schedule tick, topic message and bucket or KV change a
// trigger turned into an asynchronous invocation, or failed to.
import type { Counter, MetricsRegistry } from "@lambent/telemetry";

/**
 * `enqueued`: stored in the event queue; `function_missing`: its function or qualifier does not exist;
 * `too_large`: the event is over the 1 MB an asynchronous invocation takes; `recursive_loop`: the message
 * came from an invocation stopped as a recursive loop, and fires nothing; `failed`: could not be stored
 * (retried where the source allows).
 */
export type FiringOutcome = "enqueued" | "function_missing" | "too_large" | "recursive_loop" | "failed";

export class TriggerMetrics {
  private readonly firings: Counter;

  constructor(registry: MetricsRegistry) {
    this.firings = registry.counter(
      "lambent_trigger_firings_total",
      "Trigger firings (schedule ticks, topic messages, bucket and KV changes) by trigger and outcome: enqueued, function_missing, too_large, recursive_loop, failed.",
      ["trigger", "outcome"],
    );
  }

  fired(trigger: string, outcome: FiringOutcome): void {
    this.firings.labels(trigger, outcome).inc();
  }
}
