// Blank isolates made ahead of the cold starts that take them. An isolate, its context and the runtime
// script run in it (the Node-like globals defined, nothing booted) are about half of a small function's
// Init Duration, and nothing in them depends on the function: only the memory cap, fixed when an isolate
// is made. So a sandbox process keeps one spare isolate of the memory size it was last asked for, made a
// little after the cold start that took the last one has finished: made any sooner, it would run on the
// main thread between that cold start's own steps and lengthen it by as much as it saves. A spare serves
// one environment and is never used again: no state passes from one function (or environment) to another.
import ivm from "isolated-vm";
import { compileSandbox } from "./sandbox-script.js";

/** A blank isolate and context with the runtime script run; the catastrophe handler is set by its taker. */
export interface BlankIsolate {
  isolate: ivm.Isolate;
  context: ivm.Context;
  /** Where the isolate's catastrophic error goes (isolated-vm takes the callback when the isolate is made). */
  catastrophe: { handler: ((message: string) => void) | undefined };
}

/** Makes a blank isolate with a memory cap of `memoryMb`. */
export function makeBlankIsolate(memoryMb: number): BlankIsolate {
  const catastrophe: BlankIsolate["catastrophe"] = { handler: undefined };
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError: (message) => catastrophe.handler?.(message) });
  try {
    const context = isolate.createContextSync();
    compileSandbox(isolate).runSync(context);
    return { isolate, context, catastrophe };
  } catch (error) {
    isolate.dispose();
    throw error;
  }
}

/** How long after a cold start ends its replacement spare is made; a burst of cold starts makes its own. */
const REFILL_DELAY_MS = 20;

export class SpareIsolates {
  private spare: { memoryMb: number; blank: BlankIsolate } | undefined;
  private refill: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly make: (memoryMb: number) => BlankIsolate = makeBlankIsolate) {}

  /** A blank isolate of `memoryMb`: the spare when it has that size, else one made now. */
  take(memoryMb: number): BlankIsolate {
    if (this.refill) clearTimeout(this.refill);
    this.refill = undefined;
    const spare = this.spare;
    this.spare = undefined;
    if (spare && spare.memoryMb === memoryMb) return spare.blank;
    spare?.blank.isolate.dispose();
    return this.make(memoryMb);
  }

  /** The cold start that took one has finished: a spare of `memoryMb` is made shortly, unless another takes first. */
  replenish(memoryMb: number): void {
    if (this.closed || this.spare) return;
    if (this.refill) clearTimeout(this.refill);
    this.refill = setTimeout(() => {
      this.refill = undefined;
      if (this.closed || this.spare) return;
      try {
        this.spare = { memoryMb, blank: this.make(memoryMb) };
      } catch {
        // No spare this time (the process is short of memory): the next cold start makes its own.
      }
    }, REFILL_DELAY_MS);
    this.refill.unref();
  }

  /** Whether a spare of `memoryMb` is ready now. */
  has(memoryMb: number): boolean {
    return this.spare?.memoryMb === memoryMb;
  }

  close(): void {
    this.closed = true;
    if (this.refill) clearTimeout(this.refill);
    this.refill = undefined;
    this.spare?.blank.isolate.dispose();
    this.spare = undefined;
  }
}
