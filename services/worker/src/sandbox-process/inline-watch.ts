// The main thread's side of the watchdog (watchdog.ts): before an inline entry it writes which call it
// is entering into memory shared with the watchdog thread, and clears it after. A fatal out-of-memory
// error in an isolate stops the thread it happens on for good; when that thread is the main one, only
// the watchdog is left to name the call.
import { Worker } from "node:worker_threads";
import type { InlineWatch } from "../pool/environment.js";

/** Shared layout: [state, length] as Int32, the entry's start (epoch ms) as Float64, then the call's text. */
export const STATE_INDEX = 0;
export const LENGTH_INDEX = 1;
export const HEADER_BYTES = 16;
export const TEXT_BYTES = 512;

export class SharedInlineWatch implements InlineWatch {
  private readonly flags: Int32Array;
  private readonly startedAt: Float64Array;
  private readonly text: Uint8Array;
  private readonly encoder = new TextEncoder();
  private readonly thread: Worker;

  constructor(hungAfterMs: number) {
    const memory = new SharedArrayBuffer(HEADER_BYTES + TEXT_BYTES);
    this.flags = new Int32Array(memory, 0, 2);
    this.startedAt = new Float64Array(memory, 8, 1);
    this.text = new Uint8Array(memory, HEADER_BYTES, TEXT_BYTES);
    this.thread = new Worker(new URL("./watchdog.js", import.meta.url), { workerData: { memory, hungAfterMs } });
    this.thread.unref();
  }

  enter(requestId: string, functionName: string, version: string): void {
    const { written } = this.encoder.encodeInto(`${requestId}\n${functionName}\n${version}`, this.text);
    this.startedAt[0] = Date.now();
    Atomics.store(this.flags, LENGTH_INDEX, written);
    Atomics.store(this.flags, STATE_INDEX, 1);
  }

  leave(): void {
    Atomics.store(this.flags, STATE_INDEX, 0);
  }

  stop(): Promise<number> {
    return this.thread.terminate();
  }
}
