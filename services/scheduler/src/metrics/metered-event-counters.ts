// The event runner's outcome counts, also counted as Prometheus counters: every outcome the runner
// records (`count`, and `countNow` through it) moves the matching metric.
import type { KV } from "@nats-io/kv";
import type { EventCounters } from "@lambent/event-queue";
import type { Logger } from "@lambent/telemetry";
import { EventCounterBook } from "../async-queue/event-counters.js";
import type { SchedulerMetrics } from "./scheduler-metrics.js";

export class MeteredEventCounterBook extends EventCounterBook {
  constructor(
    kv: KV,
    logger: Logger,
    private readonly metrics: SchedulerMetrics,
  ) {
    super(kv, logger);
  }

  override count(functionName: string, outcome: keyof EventCounters): void {
    super.count(functionName, outcome);
    this.metrics.eventOutcome(functionName, outcome);
  }
}
