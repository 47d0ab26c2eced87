// Runs one invocation the scheduler raises itself (a queued event, a batch from an event source) through
// the same admission and placement as a synchronous call, and awaits the worker's answer on the
// scheduler's own inbox. What comes back says whose fault a failure is: refused (throttled, no worker)
// and the platform's failures are not the function's, so callers retry them without counting a retry.
import type { LambdaError } from "@lambent/errors";
import { REPLY_MARGIN_MS, Subjects, decodeInvocationResult, type InvocationRequest, type Lease, type RequestReply, type ServiceFailure } from "@lambent/protocol";
import { tracer, type TraceSpan } from "@lambent/telemetry";
import { endAdmission, startAdmission } from "../tracing/admission-spans.js";

export type InvocationOutcome =
  /** Not placed: a concurrency limit, or no worker with room. Nothing ran. */
  | { kind: "refused"; error: LambdaError }
  /** Placed, but no answer came in time (the scheduler's inbox, or the worker, went away). */
  | { kind: "noAnswer"; error: unknown }
  /** The platform could not run it (worker lost, code missing): the worker's failure. */
  | { kind: "platformFailure"; failure: ServiceFailure }
  /** The function ran: its result, or its error when `functionError` is set (a timeout included). */
  | { kind: "answered"; executedVersion: string; functionError?: "Unhandled"; payload: Uint8Array };

export interface InvocationRunner {
  requests: RequestReply;
  /** Admits and places the call with the worker's answer going to `replyTo`; an error when it cannot run now. */
  dispatch(request: InvocationRequest, replyTo: string, span?: TraceSpan): LambdaError | undefined | Promise<LambdaError | undefined>;
  /**
   * The answer to a call whose lease `dispatch` marked `answerReleases` came: close the lease (the worker
   * sends no release for it). Required of a runner whose dispatch marks leases so.
   */
  answered?(lease: Lease, idleEnvironment: string | undefined): void;
}

export interface RunHooks {
  /** The trace the invocation continues. */
  traceparent?: string;
  /** Called once the call is admitted, before the admission span ends (an event records its queued time here). */
  admitted?(): void;
  /** Called every few seconds while the call runs (to keep a JetStream message from being redelivered). */
  whileRunning?(): void;
  /** How often `whileRunning` is called; RUNNING_INTERVAL_MS when absent. */
  runningIntervalMs?: number;
}

/** How often `whileRunning` is called: well inside the shortest acknowledgement wait it protects (10 s). */
export const RUNNING_INTERVAL_MS = 3_000;

export async function runInvocation(runner: InvocationRunner, request: InvocationRequest, timeoutSeconds: number, hooks: RunHooks = {}): Promise<InvocationOutcome> {
  const tracing = tracer();
  const expected = runner.requests.expect(Subjects.workerInvoke("*"), timeoutSeconds * 1000 + REPLY_MARGIN_MS);
  const span = tracing.enabled ? startAdmission(tracing, hooks.traceparent, request.header) : undefined;
  const refused = await runner.dispatch(request, expected.replyTo, span);
  if (span) {
    if (!refused) hooks.admitted?.();
    endAdmission(span, refused);
  }
  if (refused) {
    // Handled before it rejects: a rejection with no handler yet costs Node's unhandled-rejection bookkeeping.
    void expected.answer.catch(() => undefined);
    expected.cancel(refused);
    return { kind: "refused", error: refused };
  }
  const keepAlive = hooks.whileRunning ? setInterval(hooks.whileRunning, hooks.runningIntervalMs ?? RUNNING_INTERVAL_MS) : undefined;
  let answer;
  try {
    answer = decodeInvocationResult((await expected.answer).data);
  } catch (error) {
    return { kind: "noAnswer", error };
  } finally {
    clearInterval(keepAlive);
  }
  const lease = request.header.lease;
  if (lease?.answerReleases) runner.answered?.(lease, answer.header.idleEnvironment);
  if (answer.header.failure) return { kind: "platformFailure", failure: answer.header.failure };
  return {
    kind: "answered",
    executedVersion: answer.header.executedVersion,
    payload: answer.payload,
    ...(answer.header.functionError ? { functionError: answer.header.functionError } : {}),
  };
}

const THROTTLE_DELAY_FIRST_MS = 100;
const THROTTLE_DELAY_MAX_MS = 2_000;

/** A call turned back waits longer the more often it was turned back (100 ms doubling to 2 s), with jitter. */
export function throttleDelay(refusals: number): number {
  const delay = Math.min(THROTTLE_DELAY_FIRST_MS * 2 ** Math.min(refusals - 1, 10), THROTTLE_DELAY_MAX_MS);
  return Math.round(delay * (0.75 + Math.random() * 0.5));
}
