// The worker's part of an invocation's trace: one span for the whole call (a child of the scheduler's
// admission span, from the NATS headers), an init span when it starts an environment, and the handler
// span, which the function's own `fetch` calls (host/fetch.ts) hang under.
import type { InvocationHeader } from "@lambent/protocol";
import type { TraceSpan, Tracer } from "@lambent/telemetry";
import type { FetchTrace } from "../host/fetch.js";
import type { RunOutcome } from "../pool/environment.js";

export const WORKER_INVOKE_SPAN = "lambent.worker.invoke";
export const INIT_SPAN = "lambent.worker.init";
export const HANDLER_SPAN = "lambent.function.handler";

export class InvocationTrace {
  private constructor(
    private readonly tracer: Tracer,
    private readonly span: TraceSpan,
  ) {}

  static start(tracer: Tracer, traceparent: string | undefined, header: InvocationHeader): InvocationTrace {
    const span = tracer.start(WORKER_INVOKE_SPAN, {
      kind: "consumer",
      parent: { traceparent },
      attributes: { "faas.invoked_name": header.functionName, "faas.invocation_id": header.requestId, "faas.version": header.version },
    });
    return new InvocationTrace(tracer, span);
  }

  /** The call's trace id (32 hex digits), which its log record carries. */
  get traceId(): string {
    return this.span.traceId;
  }

  /** Runs a cold start (isolate → compiled module → environment) under the init span. */
  async init<T>(start: () => Promise<T>): Promise<T> {
    const span = this.tracer.start(INIT_SPAN, { parent: this.span });
    try {
      return await start();
    } catch (error) {
      span.fail(error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Starts the handler span; its context is what the function's fetches are traced under. */
  handler(cold: boolean): FetchTrace {
    this.span.setAttribute("faas.coldstart", cold);
    return { tracer: this.tracer, parent: this.tracer.start(HANDLER_SPAN, { parent: this.span, attributes: { "faas.coldstart": cold } }) };
  }

  /** Ends the handler span; a function error (Unhandled, timeout, out of memory) marks it failed. */
  static endHandler(handler: FetchTrace, outcome: Exclude<RunOutcome, { rerun: true }> | undefined): void {
    if (outcome && !outcome.ok) handler.parent.fail(new Error(outcome.error.errorMessage), `${outcome.error.errorType}: ${outcome.error.errorMessage}`);
    handler.parent.end();
  }

  fail(error: unknown): void {
    this.span.fail(error);
  }

  end(): void {
    this.span.end();
  }
}
