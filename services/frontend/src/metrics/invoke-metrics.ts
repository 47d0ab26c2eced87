// The frontend's metrics: invocations it accepted (synchronous and events) and how synchronous ones
// failed. Throttles are counted where they are decided, in the scheduler.
import { isLambdaError } from "@lambent/errors";
import type { InvocationType } from "@lambent/protocol";
import { trackNatsConnection, type Counter, type MetricsRegistry, type ObservableConnection } from "@lambent/telemetry";

const TYPE_LABELS: Partial<Record<InvocationType, string>> = { RequestResponse: "sync", Event: "event" };

export class InvokeMetrics {
  private readonly invocations: Counter;
  private readonly errors: Counter;

  constructor(registry: MetricsRegistry) {
    this.invocations = registry.counter(
      "lambent_invocations_total",
      "Invocations the frontend accepted: type sync (RequestResponse) or event (stored in the event queue).",
      ["function", "version", "type"],
    );
    this.errors = registry.counter(
      "lambent_invocation_errors_total",
      "Synchronous invocations that failed: kind function (the handler failed) or platform (Lambent failed to run it).",
      ["function", "version", "kind"],
    );
  }

  accepted(functionName: string, version: string, invocationType: InvocationType): void {
    const type = TYPE_LABELS[invocationType];
    if (type !== undefined) this.invocations.labels(functionName, version, type).inc();
  }

  functionError(functionName: string, version: string): void {
    this.errors.labels(functionName, version, "function").inc();
  }

  /** A synchronous call that did not run to an answer; a throttle is not a failure of the platform. */
  failed(functionName: string, version: string, error: unknown): void {
    if (isLambdaError(error) && error.type === "TooManyRequestsException") return;
    this.errors.labels(functionName, version, "platform").inc();
  }
}

/** The frontend's metrics on `registry`: the NATS connection's state and the invocation counters. */
export function createFrontendMetrics(registry: MetricsRegistry, nc: ObservableConnection): InvokeMetrics {
  trackNatsConnection(registry, nc);
  return new InvokeMetrics(registry);
}
