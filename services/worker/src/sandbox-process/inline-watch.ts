// The main thread's side of the watchdog thread (watchdog.ts). Before an inline entry it writes which call
// it is entering into memory shared with the watchdog, and clears it after: a fatal out-of-memory error in
// an isolate stops the thread it happens on for good, and when that thread is the main one, only the
// watchdog is left to name the call. The watchdog also watches the process's memory wall (memory-wall.ts)
// and says here when it is crossed.
import { Worker } from "node:worker_threads";
import type { InlineWatch } from "../pool/environment.js";
import type { WallSettings } from "./memory-wall.js";

/** Shared layout: [state, length] as Int32, the entry's start (epoch ms) as Float64, then the call's text. */
export const STATE_INDEX = 0;
export const LENGTH_INDEX = 1;
export const HEADER_BYTES = 16;
export const TEXT_BYTES = 512;

/** Watchdog → main thread: the memory wall is crossed; name the culprit and end the process. */
export interface OverMemory {
  type: "over-memory";
  message: string;
  residentBytes: number;
  tmpBytes: number;
}

function isOverMemory(value: unknown): value is OverMemory {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "over-memory";
}

export class SharedInlineWatch implements InlineWatch {
  private readonly flags: Int32Array;
  private readonly startedAt: Float64Array;
  private readonly text: Uint8Array;
  private readonly encoder = new TextEncoder();
  private readonly thread: Worker;

  /** `wall`, when given, has the watchdog watch the process's memory too. */
  constructor(hungAfterMs: number, wall?: WallSettings) {
    const memory = new SharedArrayBuffer(HEADER_BYTES + TEXT_BYTES);
    this.flags = new Int32Array(memory, 0, 2);
    this.startedAt = new Float64Array(memory, 8, 1);
    this.text = new Uint8Array(memory, HEADER_BYTES, TEXT_BYTES);
    this.thread = new Worker(new URL("./watchdog.js", import.meta.url), { workerData: { memory, hungAfterMs, wall } });
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

  /** Calls `listener` when the watchdog finds the memory wall crossed. */
  onOverMemory(listener: (event: OverMemory) => void): void {
    this.thread.on("message", (message: unknown) => {
      if (isOverMemory(message)) listener(message);
    });
  }

  stop(): Promise<number> {
    return this.thread.terminate();
  }
}
