// Sending an invocation to the leading scheduler (`lambent.sched.invoke.<fn>`) and waiting for its answer,
// from wherever a synchronous call starts: the frontend, and a worker whose function invokes another.
// "No responders" means no scheduler took the message, so sending it again cannot run it twice: while a
// leader is being elected the request is sent again with growing pauses, up to LEADER_WAIT_MS.
import type { Msg, MsgHdrs } from "@nats-io/nats-core";
import { LambdaError, serviceError } from "@lambent/errors";
import { NoRespondersError, RequestTimeoutError, type RequestReply } from "./request-reply.js";

/** Time a caller allows beyond the function's own timeout for queuing, placement and the trip back. */
export const REPLY_MARGIN_MS = 10_000;
/** How long a call waits for a scheduler to lead; a takeover after a leader's crash ends within seconds. */
export const LEADER_WAIT_MS = 15_000;
const RETRY_FIRST_MS = 10;
const RETRY_MAX_MS = 250;

export interface LeaderRequestOptions {
  /** How long the answer may take once a scheduler has the request. */
  timeoutMs: number;
  /** What rides beside the frame (a trace context); absent on an untraced call. */
  headers?: MsgHdrs | undefined;
  /** Gives up on the call: the promise rejects with the signal's reason and a late answer is dropped. */
  signal?: AbortSignal | undefined;
  /** How long to wait out a leaderless cluster (LEADER_WAIT_MS by default). */
  leaderWaitMs?: number | undefined;
}

/** Resolves with the answer (an invocation result frame); rejects with a LambdaError (ServiceException). */
export async function requestFromLeader(requests: RequestReply, subject: string, message: Uint8Array, options: LeaderRequestOptions): Promise<Msg> {
  const giveUpAt = performance.now() + (options.leaderWaitMs ?? LEADER_WAIT_MS);
  for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
    try {
      return await requests.request(subject, message, options.timeoutMs, options.headers, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!(error instanceof NoRespondersError) || performance.now() + delay > giveUpAt) throw leaderRequestFailure(error);
    }
    await pause(delay, options.signal);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
  });
}

function leaderRequestFailure(error: unknown): LambdaError {
  if (error instanceof LambdaError) return error;
  if (error instanceof NoRespondersError) return serviceError("No scheduler is running: the invocation could not be placed");
  if (error instanceof RequestTimeoutError) return serviceError("The invocation did not complete in time");
  return serviceError(error instanceof Error ? error.message : String(error));
}
