// The account-wide concurrency limit: how many invocations may run at once.
import { throttled, type LambdaError } from "@lambent/errors";

export class AccountConcurrency {
  private running = 0;

  constructor(private readonly limit: number) {}

  /** Takes a slot, or returns the throttle error to answer with. */
  tryAcquire(): LambdaError | undefined {
    if (this.running >= this.limit) return throttled("ConcurrentInvocationLimitExceeded");
    this.running += 1;
    return undefined;
  }

  release(): void {
    if (this.running > 0) this.running -= 1;
  }

  get inFlight(): number {
    return this.running;
  }
}
