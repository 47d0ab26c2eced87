// What an execution shows of itself: a span per state (its function calls as children, through the
// traceparent handed to them) in the execution's trace, and counts of executions started and ended by
// status (lambent_workflow_executions_total).
import { tracer, type Counter, type MetricsRegistry, type TraceSpan } from "@lambent/telemetry";
import type { FrameRecord } from "@lambent/workflow-store";
import type { DriverObserver, ExecutionEnd } from "./execution-driver.js";

export type ExecutionCount = "started" | "succeeded" | "failed" | "timed_out" | "aborted";

export class WorkflowMetrics {
  private readonly executions: Counter;

  constructor(registry: MetricsRegistry) {
    this.executions = registry.counter(
      "lambent_workflow_executions_total",
      "Step Functions executions by state machine type (STANDARD, EXPRESS) and event: started, succeeded, failed, timed_out, aborted.",
      ["type", "status"],
    );
  }

  count(type: "STANDARD" | "EXPRESS", status: ExecutionCount): void {
    this.executions.labels(type, status).inc();
  }
}

const STATUS_COUNT: Record<ExecutionEnd["status"], ExecutionCount> = { SUCCEEDED: "succeeded", FAILED: "failed", TIMED_OUT: "timed_out" };

/** Spans per state under the execution's trace, and the execution's end counted. */
export function workflowObserver(options: { executionArn: string; traceparent?: string; type: "STANDARD" | "EXPRESS"; metrics: WorkflowMetrics }): DriverObserver {
  const spans = new Map<string, TraceSpan>();
  const tracing = tracer();
  return {
    stateEntered(frame: FrameRecord, type: string) {
      if (!tracing.enabled) return;
      spans.get(frame.id)?.end();
      spans.set(
        frame.id,
        tracing.start(`state ${frame.state}`, {
          parent: { traceparent: options.traceparent },
          attributes: { "lambent.workflow.execution": options.executionArn, "lambent.workflow.state": frame.state, "lambent.workflow.state_type": type, "lambent.workflow.frame": frame.id },
        }),
      );
    },
    stateExited(frame: FrameRecord, failure) {
      const span = spans.get(frame.id);
      if (!span) return;
      if (failure) span.fail(new Error(failure.cause), failure.error);
      span.end();
      spans.delete(frame.id);
    },
    traceparentOf(frame: FrameRecord) {
      return spans.get(frame.id)?.traceparent ?? options.traceparent;
    },
    ended(end: ExecutionEnd) {
      for (const span of spans.values()) span.end();
      spans.clear();
      options.metrics.count(options.type, STATUS_COUNT[end.status]);
    },
  };
}
