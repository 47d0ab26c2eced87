// A Task state's function call, made by the leading scheduler through its own admission and placement
// (like queued events): a call turned back for concurrency waits and goes again, as does one the platform
// lost, until the state's deadline; the function's answer (result or error) comes back as is. An
// `InvocationType: Event` call is queued in the event stream and answered at once with 202.
import { randomUUID } from "node:crypto";
import type { JetStreamClient } from "@nats-io/jetstream";
import { isLambdaError } from "@lambent/errors";
import { publishEvent } from "@lambent/event-queue";
import { LATEST, parseFunctionReference, resolveTarget, type ArnScope, type FunctionVersionRecord, type RegistryView } from "@lambent/registry/functions";
import type { LambdaCall } from "@lambent/states-language";
import type { Logger } from "@lambent/telemetry";
import { runInvocation, throttleDelay, type InvocationRunner } from "../invocation/run-invocation.js";
import type { TaskCallResult, TaskCalls } from "./execution-driver.js";

const PLATFORM_RETRY_DELAY_MS = 500;

export interface LambdaTaskCallsOptions {
  runner: InvocationRunner;
  js: JetStreamClient;
  view: RegistryView;
  scope: ArnScope;
  logger: Logger;
  /** False once this scheduler stops leading: waiting calls give up. */
  running: () => boolean;
}

export class LambdaTaskCalls implements TaskCalls {
  constructor(private readonly options: LambdaTaskCallsOptions) {}

  async call(call: LambdaCall, options: { timeoutMs?: number; traceparent?: string }): Promise<TaskCallResult> {
    const deadline = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : Infinity;
    let record: FunctionVersionRecord;
    let qualifier: string | undefined;
    try {
      const reference = parseFunctionReference(call.functionName, call.qualifier);
      qualifier = reference.qualifier;
      record = await resolveTarget(this.options.view, this.options.scope, reference.functionName, reference.qualifier);
    } catch (error) {
      if (isLambdaError(error)) return { ok: false, error: `Lambda.${error.type}`, cause: error.message };
      return { ok: false, error: "Lambda.ServiceException", cause: String(error) };
    }
    const payload = new TextEncoder().encode(JSON.stringify(call.payload));
    let refusals = 0;
    for (;;) {
      const requestId = randomUUID();
      const request = {
        header: {
          requestId,
          functionName: record.functionName,
          qualifier: qualifier ?? LATEST,
          version: record.version,
          revisionId: record.revisionId,
          invocationType: call.invocationType,
          logType: "None" as const,
          ...(call.invocationType === "Event" ? { event: { enqueuedAt: Date.now(), attempt: 0 } } : {}),
        },
        payload,
      };
      if (call.invocationType === "Event") {
        try {
          await publishEvent(this.options.js, request, options.traceparent);
          return { ok: true, answer: { requestId, executedVersion: record.version, payload: "", statusCode: 202 } };
        } catch (error) {
          return { ok: false, error: "Lambda.ServiceException", cause: String(error) };
        }
      }
      const outcome = await runInvocation(this.options.runner, request, record.timeout, options.traceparent ? { traceparent: options.traceparent } : {});
      switch (outcome.kind) {
        case "answered":
          return {
            ok: true,
            answer: {
              requestId,
              executedVersion: outcome.executedVersion,
              payload: new TextDecoder().decode(outcome.payload),
              statusCode: 200,
              ...(outcome.functionError ? { functionError: outcome.functionError } : {}),
            },
          };
        case "refused":
          refusals += 1;
          if (!(await this.wait(throttleDelay(refusals), deadline))) return { ok: false, error: `Lambda.${outcome.error.type}`, cause: outcome.error.message };
          break;
        case "noAnswer":
        case "platformFailure":
          this.options.logger.warn("task call lost by the platform: it runs again", { requestId, functionName: record.functionName });
          if (!(await this.wait(PLATFORM_RETRY_DELAY_MS, deadline))) return { ok: false, error: "Lambda.ServiceException", cause: "The function call was lost by the platform" };
          break;
      }
    }
  }

  /** Waits `ms`; false when the deadline or the end of leadership comes first. */
  private async wait(ms: number, deadline: number): Promise<boolean> {
    if (Date.now() + ms >= deadline || !this.options.running()) return false;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.options.running();
  }
}
