// The scheduler's metrics: throttles as admission decides them, calls running per function, the event
// queue (sampled while leading) and what happened to events, and the NATS connection's state. Throttles
// and concurrency also go to the metrics history (@lambent/log-stream), the console's charts.
import type { LambdaError } from "@lambent/errors";
import type { EventCounters } from "@lambent/event-queue";
import type { MetricsRecorder } from "@lambent/log-stream";
import type { InvocationHeader } from "@lambent/protocol";
import { trackNatsConnection, type Counter, type CounterSeries, type Logger, type MetricsRegistry, type ObservableConnection } from "@lambent/telemetry";
import type { MeteredConcurrencyAccounting } from "./metered-concurrency.js";
import { QueueSampler, type QueueSamplerOptions } from "./queue-sampler.js";

export interface SchedulerMetricsOptions {
  nc: ObservableConnection;
  admission: MeteredConcurrencyAccounting;
  isLeading: () => boolean;
  readQueue: QueueSamplerOptions["read"];
  logger: Logger;
  /** Where throttles and sampled concurrency are added up per minute for the history. */
  history?: MetricsRecorder;
}

/** How often the leader samples each function's slots into the history. */
const CONCURRENCY_SAMPLE_INTERVAL_MS = 1_000;

export class SchedulerMetrics {
  private readonly throttles: Counter;
  private readonly retries: Counter;
  private readonly deadLetters: Counter;
  private readonly succeeded: Counter;
  private readonly queue: QueueSampler;
  private concurrencySampler: NodeJS.Timeout | undefined;

  constructor(
    registry: MetricsRegistry,
    private readonly options: SchedulerMetricsOptions,
  ) {
    trackNatsConnection(registry, options.nc);
    this.throttles = registry.counter(
      "lambent_throttles_total",
      "Calls admission turned away (TooManyRequestsException), by reason; type event counts each time a queued event is turned back.",
      ["function", "reason", "type"],
    );
    registry.callbackGauge(
      "lambent_concurrency_slots",
      "Concurrency slots admitted per function, as the leading scheduler counts them: calls it placed that run now, and slots workers keep for the function's next calls. Reserved and account limits apply to these; calls running are lambent_concurrent_executions on the workers.",
      ["function"],
      (report) => {
        for (const [functionName, running] of options.admission.runningPerFunction()) report([functionName], running);
      },
    );
    this.queue = new QueueSampler({ isLeading: options.isLeading, read: options.readQueue, logger: options.logger });
    registry.callbackGauge("lambent_async_queue_depth", "Events waiting or running in a function's queue (sampled every 5 s while leading).", ["function"], (report) => {
      for (const [functionName, sample] of this.queue.samples()) report([functionName], sample.depth);
    });
    registry.callbackGauge(
      "lambent_async_oldest_event_age_seconds",
      "Age of the oldest event in a function's queue (sampled every 5 s while leading).",
      ["function"],
      (report) => {
        for (const [functionName, sample] of this.queue.samples()) report([functionName], sample.oldestEventAgeMs / 1000);
      },
    );
    this.succeeded = registry.counter("lambent_async_events_succeeded_total", "Events whose function run succeeded.", ["function"]);
    this.retries = registry.counter("lambent_async_retries_total", "Events stored again to retry after a function error or timeout.", ["function"]);
    this.deadLetters = registry.counter(
      "lambent_async_dead_letters_total",
      "Events given up (sent to the dead-letter target and on-failure destination when configured), by condition.",
      ["function", "condition"],
    );
  }

  start(): void {
    this.queue.start();
    const { history, admission, isLeading } = this.options;
    if (!history) return;
    history.start();
    this.concurrencySampler ??= setInterval(() => {
      if (!isLeading()) return;
      for (const [functionName, slots] of admission.runningPerFunction()) history.concurrency(functionName, slots);
    }, CONCURRENCY_SAMPLE_INTERVAL_MS);
    this.concurrencySampler.unref();
  }

  stop(): void {
    this.queue.stop();
    clearInterval(this.concurrencySampler);
    this.concurrencySampler = undefined;
    this.options.history?.stop();
  }

  /** Counts a refusal that is a throttle, and gives the error back to answer with. */
  refused(header: InvocationHeader, error: LambdaError): LambdaError {
    const event = header.invocationType === "Event";
    if (event) this.queue.seen(header.functionName);
    if (error.type === "TooManyRequestsException") {
      this.throttles.labels(header.functionName, error.fields["Reason"] ?? "Unknown", event ? "event" : "sync").inc();
      this.options.history?.throttled(header.functionName, header.qualifier, header.version);
    }
    return error;
  }

  eventOutcome(functionName: string, outcome: keyof EventCounters): void {
    this.queue.seen(functionName);
    this.outcomeSeries(functionName, outcome).inc();
  }

  private outcomeSeries(functionName: string, outcome: keyof EventCounters): CounterSeries {
    switch (outcome) {
      case "succeeded":
        return this.succeeded.labels(functionName);
      case "retried":
        return this.retries.labels(functionName);
      case "deadLettered":
        return this.deadLetters.labels(functionName, "RetriesExhausted");
      case "droppedForAge":
        return this.deadLetters.labels(functionName, "EventAgeExceeded");
    }
  }
}
