// Functions that bring down their sandbox process: after each crash a function caused (a fatal
// out-of-memory error in its own isolate, named by the worker's supervisor), its calls are throttled
// for a while, twice as long after each further crash in a row, so one function cannot crash-loop a node.
// The slate is wiped once it has gone CLEAN_AFTER_MS without a crash.
import { throttled, type LambdaError } from "@lambent/errors";

const FIRST_HOLD_MS = 1_000;
const MAX_HOLD_MS = 5 * 60_000;
const CLEAN_AFTER_MS = 10 * 60_000;

interface CrashRecord {
  crashes: number;
  lastCrashAt: number;
  heldUntil: number;
}

export class Containment {
  private readonly records = new Map<string, CrashRecord>();

  constructor(private readonly now: () => number) {}

  /** The function caused a sandbox process to end. */
  crashed(functionName: string): void {
    const now = this.now();
    const previous = this.records.get(functionName);
    const crashes = previous && now - previous.lastCrashAt < CLEAN_AFTER_MS ? previous.crashes + 1 : 1;
    this.records.set(functionName, { crashes, lastCrashAt: now, heldUntil: now + Math.min(FIRST_HOLD_MS * 2 ** (crashes - 1), MAX_HOLD_MS) });
  }

  /** A throttle while the function is held back; undefined when its calls may run. */
  check(functionName: string): LambdaError | undefined {
    if (this.records.size === 0) return undefined;
    const record = this.records.get(functionName);
    if (!record) return undefined;
    const now = this.now();
    if (now - record.lastCrashAt >= CLEAN_AFTER_MS) {
      this.records.delete(functionName);
      return undefined;
    }
    if (now >= record.heldUntil) return undefined;
    return throttled(
      "FunctionCrashedSandbox",
      `Rate Exceeded. The function's calls are held back for ${Math.ceil((record.heldUntil - now) / 1000)} s: it ran out of memory fatally ${record.crashes} time(s) recently.`,
    );
  }
}
