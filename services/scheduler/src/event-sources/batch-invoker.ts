// Invokes a mapping's function synchronously with one batch's event, through the scheduler's admission
// and placement (so a batch counts against, and is throttled by, the concurrency limits). A throttled
// batch and one the platform lost wait and go again, without counting as a failure; only the function's
// own answer (success, error or timeout) comes back, or the poller's stop, or the function's absence.
// The batch runs at the call depth its poller gives (one more than its deepest record's), which the
// pollers check against MAX_CALL_DEPTH before they invoke.
import { randomUUID } from "node:crypto";
import { LATEST, functionArn, resolveTarget, type ArnScope, type FunctionVersionRecord, type RegistryView } from "@lambent/registry/functions";
import type { EventSourceMapping } from "@lambent/registry/event-sources";
import { isLambdaError } from "@lambent/errors";
import type { Logger } from "@lambent/telemetry";
import { RUNNING_INTERVAL_MS, runInvocation, throttleDelay, type InvocationRunner } from "../invocation/run-invocation.js";

export type BatchOutcome =
  | { kind: "answered"; requestId: string; executedVersion: string; functionError?: "Unhandled"; payload: Uint8Array }
  /** The poller stopped while the batch waited to be admitted: it did not run. */
  | { kind: "stopped" }
  /** The function (or the version or alias the mapping names) does not exist now: it did not run. */
  | { kind: "functionMissing" };

export interface BatchInvokerOptions {
  runner: InvocationRunner;
  view: RegistryView;
  scope: ArnScope;
  logger: Logger;
}

export interface WaitHooks {
  /** Called every `intervalMs` while the batch waits or runs (a queue batch keeps its messages invisible). */
  whileWaiting?: () => void;
  intervalMs?: number;
  stopped: () => boolean;
}

/** A platform failure (no answer, worker lost) waits this long before the batch goes again. */
const PLATFORM_RETRY_DELAY_MS = 500;

export class BatchInvoker {
  constructor(private readonly options: BatchInvokerOptions) {}

  /** The version that would run now; undefined when the function, version or alias is missing. */
  async target(mapping: EventSourceMapping): Promise<FunctionVersionRecord | undefined> {
    try {
      return await resolveTarget(this.options.view, this.options.scope, mapping.functionName, mapping.qualifier);
    } catch (error) {
      if (isLambdaError(error) && error.type === "ResourceNotFoundException") return undefined;
      throw error;
    }
  }

  /** The ARN the mapping reports for its function (qualified when it names a version or alias). */
  functionArn(mapping: EventSourceMapping): string {
    return functionArn(this.options.scope, mapping.functionName, mapping.qualifier);
  }

  /**
   * Runs `payload` (built for the version that runs, by `build`) until the function answers. `whileWaiting`
   * is called every few seconds while the batch waits or runs; `stopped` ends the waiting.
   */
  async invoke(
    mapping: EventSourceMapping,
    build: (record: FunctionVersionRecord) => Uint8Array,
    hooks: WaitHooks,
    callDepth: number,
  ): Promise<BatchOutcome> {
    let refusals = 0;
    for (;;) {
      if (hooks.stopped()) return { kind: "stopped" };
      const record = await this.target(mapping);
      if (!record) return { kind: "functionMissing" };
      const requestId = randomUUID();
      const request = {
        header: {
          requestId,
          functionName: mapping.functionName,
          qualifier: mapping.qualifier ?? LATEST,
          version: record.version,
          revisionId: record.revisionId,
          invocationType: "RequestResponse" as const,
          logType: "None" as const,
          callDepth,
        },
        payload: build(record),
      };
      const outcome = await runInvocation(
        this.options.runner,
        request,
        record.timeout,
        hooks.whileWaiting ? { whileRunning: hooks.whileWaiting, runningIntervalMs: hooks.intervalMs ?? RUNNING_INTERVAL_MS } : {},
      );
      switch (outcome.kind) {
        case "answered":
          return {
            kind: "answered",
            requestId,
            executedVersion: outcome.executedVersion,
            payload: outcome.payload,
            ...(outcome.functionError ? { functionError: outcome.functionError } : {}),
          };
        case "refused":
          refusals += 1;
          await this.wait(throttleDelay(refusals), hooks);
          break;
        case "noAnswer":
        case "platformFailure":
          this.options.logger.warn("event source batch lost by the platform: it runs again", {
            uuid: mapping.uuid,
            requestId,
            reason: outcome.kind === "platformFailure" ? outcome.failure.message : String(outcome.error),
          });
          await this.wait(PLATFORM_RETRY_DELAY_MS, hooks);
          break;
      }
    }
  }

  private async wait(ms: number, hooks: WaitHooks): Promise<void> {
    const deadline = Date.now() + ms;
    let kept = 0;
    while (!hooks.stopped() && Date.now() < deadline) {
      if (Date.now() - kept >= (hooks.intervalMs ?? RUNNING_INTERVAL_MS)) {
        hooks.whileWaiting?.();
        kept = Date.now();
      }
      await sleep(Math.min(100, deadline - Date.now()));
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
