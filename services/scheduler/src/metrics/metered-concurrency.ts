// Concurrency admission that also keeps each function's count of running calls for the
// `lambent_concurrency_slots` gauge. Functions stay listed at 0 once seen, so the gauge falls to 0
// rather than vanishing when their calls end.
import { ConcurrencyAccounting } from "../admission/concurrency-accounting.js";

export class MeteredConcurrencyAccounting extends ConcurrencyAccounting {
  private readonly perFunction = new Map<string, number>();

  override take(functionName: string): void {
    super.take(functionName);
    this.perFunction.set(functionName, (this.perFunction.get(functionName) ?? 0) + 1);
  }

  override release(functionName: string): void {
    const current = this.perFunction.get(functionName) ?? 0;
    super.release(functionName);
    if (current > 0) this.perFunction.set(functionName, current - 1);
  }

  override clear(): void {
    super.clear();
    for (const functionName of this.perFunction.keys()) this.perFunction.set(functionName, 0);
  }

  /** Calls running now per function, as admitted by this scheduler (0 while it does not lead). */
  runningPerFunction(): ReadonlyMap<string, number> {
    return this.perFunction;
  }
}
