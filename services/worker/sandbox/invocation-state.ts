// The invocation now running in this environment: its request id (for log lines) and how to fail it
// from outside the handler's own promise chain (an exception thrown in a timer callback).

export interface InvocationState {
  requestId: string | undefined;
  fail: ((error: unknown, fatal: boolean) => void) | undefined;
}

export const current: InvocationState = { requestId: undefined, fail: undefined };

/** An exception nobody could catch: it fails the running invocation, as an uncaught exception does in Lambda. */
export function reportUncaught(error: unknown): void {
  if (current.fail) current.fail(error, false);
}
