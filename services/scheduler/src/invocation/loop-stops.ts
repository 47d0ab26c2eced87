// The recursive loops the scheduler cuts (call depth: @lambent/protocol's call-depth.ts): every hop it
// does not run is logged as a warning and counted in lambent_recursive_invocations_dropped_total, by
// function and by where the loop was cut, as Lambda reports RecursiveInvocationsDropped.
import type { Counter, LogFields, Logger, MetricsRegistry } from "@lambent/telemetry";

/**
 * Where a loop was cut: `event` an event past the limit, stopped instead of run (its dead-letter target
 * and on-failure destination get it); `destination`, `trigger` and `event_source_mapping` a hop from a
 * stopped invocation, or a mapping's records past the limit, not run.
 */
export type LoopCut = "event" | "destination" | "trigger" | "event_source_mapping";

export interface LoopStopsReport {
  stopped(functionName: string, cut: LoopCut, fields?: LogFields): void;
}

export class LoopStops implements LoopStopsReport {
  private readonly dropped: Counter;

  constructor(
    registry: MetricsRegistry,
    private readonly logger: Logger,
  ) {
    this.dropped = registry.counter(
      "lambent_recursive_invocations_dropped_total",
      "Invocations not run because they were too many hops deep in one chain (a recursive loop), by function and where the loop was cut: event, destination, trigger, event_source_mapping.",
      ["function", "cut"],
    );
  }

  stopped(functionName: string, cut: LoopCut, fields: LogFields = {}): void {
    this.dropped.labels(functionName, cut).inc();
    this.logger.warn("recursive loop stopped: the invocation does not run", { functionName, cut, ...fields });
  }
}
