// Concurrency admission: how many calls each function runs now, against its reservation or against the
// pool the unreserved functions share (the account limit less every reservation). Counts change only
// when a lease opens or closes, so they are exact for the one leading scheduler.
import { throttled, type LambdaError } from "@lambent/errors";
import { unreservedConcurrency, type ConcurrencyLimits, type ConcurrencySettings } from "@lambent/registry/functions";

export class ConcurrencyAccounting {
  private readonly running = new Map<string, number>();
  private total = 0;
  /** Derived from the settings object last seen; recomputed only when the settings change. */
  private derivedFrom: ConcurrencySettings | undefined;
  private unreservedPool = 0;
  private reservedNames: string[] = [];

  constructor(
    private readonly limits: ConcurrencyLimits,
    private readonly settings: () => ConcurrencySettings,
  ) {}

  /** Takes a slot for `functionName`, or returns the throttle error to answer with. */
  tryAcquire(functionName: string): LambdaError | undefined {
    const settings = this.derive();
    const current = this.running.get(functionName) ?? 0;
    const reservation = settings.reserved[functionName];
    if (reservation !== undefined) {
      if (current >= reservation) return throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
    } else if (this.unreservedInUse() >= this.unreservedPool) {
      return throttled("ConcurrentInvocationLimitExceeded");
    }
    this.take(functionName);
    return undefined;
  }

  /** Counts a call already running (adopted from a worker's report), whatever the limits say now. */
  take(functionName: string): void {
    this.running.set(functionName, (this.running.get(functionName) ?? 0) + 1);
    this.total += 1;
  }

  release(functionName: string): void {
    const current = this.running.get(functionName) ?? 0;
    if (current <= 0) return;
    if (current === 1) this.running.delete(functionName);
    else this.running.set(functionName, current - 1);
    this.total -= 1;
  }

  /** Forgets every count (on losing the leadership). */
  clear(): void {
    this.running.clear();
    this.total = 0;
  }

  get inFlight(): number {
    return this.total;
  }

  /**
   * What runs above the limits as they are now (they were lowered under calls already admitted): the
   * reserved functions over their reservation, and whether the unreserved functions together are over
   * their pool.
   */
  excess(): { functions: string[]; unreservedPool: boolean } {
    const settings = this.derive();
    const functions = Object.entries(settings.reserved)
      .filter(([functionName, reservation]) => (this.running.get(functionName) ?? 0) > reservation)
      .map(([functionName]) => functionName);
    return { functions, unreservedPool: this.unreservedInUse() > this.unreservedPool };
  }

  /** Whether `functionName` runs above its limit as it is now (its reservation, or the unreserved pool). */
  overLimit(functionName: string): boolean {
    const reservation = this.derive().reserved[functionName];
    if (reservation !== undefined) return (this.running.get(functionName) ?? 0) > reservation;
    return this.unreservedInUse() > this.unreservedPool;
  }

  /** Calls of functions without a reservation: everything less the reserved functions' calls. */
  private unreservedInUse(): number {
    let reservedInUse = 0;
    for (const name of this.reservedNames) reservedInUse += this.running.get(name) ?? 0;
    return this.total - reservedInUse;
  }

  private derive(): ConcurrencySettings {
    const settings = this.settings();
    if (settings !== this.derivedFrom) {
      this.derivedFrom = settings;
      this.unreservedPool = unreservedConcurrency(settings, this.limits);
      this.reservedNames = Object.keys(settings.reserved);
    }
    return settings;
  }
}
