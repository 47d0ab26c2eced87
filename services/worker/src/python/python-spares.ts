// Python interpreters started ahead of the cold starts that take them. Restoring the snapshot (making the
// wasm instance, copying 20 MB into its memory, rebuilding the interpreter's JavaScript side) is nearly
// all of a Python cold start, and none of it depends on the function: only the memory cap does, fixed
// when an isolate is made. So a worker keeps one spare of the memory size it was last asked for: an
// isolate booted with a stand-in's facts (no name, no variables, no package) and the interpreter started
// from the snapshot. A cold start that finds it binds it to the function (python-load.ts `bind`: the
// function's facts and variables, its package at /var/task, `random` seeded again, its module imported)
// and so pays for the import alone; one that comes while the spare is being made waits for it once it is
// past half its making (`claim`). A spare never runs function code before it is bound, serves one
// environment and is never used again; it is made only when the worker's memory has room beside its
// environments, counts in the pool's memory while it waits (warm-pool.ts), and is the first thing the
// pool drops when a new environment needs the room.
import { randomBytes } from "node:crypto";
import ivm from "isolated-vm";
import { callLimits } from "../host/function-calls.js";
import { MAX_HOST_CALL_BYTES } from "../limits.js";
import { makeBlankIsolate, type BlankIsolate } from "../pool/spare-isolates.js";
import type { HostReply } from "../pool/boundary.js";
import { runPyodideGlue } from "./pyodide-assets.js";
import { startPython } from "./python-load.js";
import { preparePython } from "./python-snapshot.js";

/** Where an isolate's host calls go. */
export type HostCallTarget = (op: unknown, args: unknown) => unknown;

/** An isolate with the Python runtime booted and its interpreter started, bound to no function. */
export interface PythonSpare {
  readonly memoryMb: number;
  readonly blank: BlankIsolate;
  /** The booted runtime: its `bind` makes the interpreter one function's. */
  readonly runtime: ivm.Reference;
  /** How far the interpreter's WebAssembly memories may grow, as it reported while starting. */
  readonly wasmReservedBytes: number;
  /** Sends the isolate's host calls to the environment that took the spare (until then, the stand-in's). */
  route(target: HostCallTarget): void;
  dispose(): void;
}

/** How long the interpreter may take to start. */
const START_TIMEOUT_MS = 60_000;
/** How long after a cold start ends its replacement spare is begun (not within that cold start's steps). */
const REFILL_DELAY_MS = 20;

/** The stand-in's host calls: entropy for the interpreter's start, its own memory report, nothing else. */
export function standInCall(op: unknown, args: unknown, onWasm: (bytes: number) => void): HostReply {
  const list = Array.isArray(args) ? (args as unknown[]) : [];
  if (op === "random") {
    const size = Number(list[0]);
    if (!(size >= 0 && size <= MAX_HOST_CALL_BYTES)) return [1, { name: "RangeError", message: "Too many random bytes asked for" }];
    return [0, new Uint8Array(randomBytes(size))];
  }
  if (op === "wasm") {
    const bytes = Number(list[0]);
    onWasm(Number.isSafeInteger(bytes) && bytes > 0 ? bytes : 0);
    return [0, null];
  }
  // What the interpreter writes while it starts goes nowhere: no call is open.
  if (op === "log") return [0, false];
  return [1, { name: "Error", message: "This interpreter is bound to no function yet" }];
}

/** Makes a spare of `memoryMb`: a blank isolate, Pyodide's glue, the runtime booted as nobody, the interpreter started. */
export async function makePythonSpare(memoryMb: number): Promise<PythonSpare> {
  const assets = await preparePython();
  const blank = makeBlankIsolate(memoryMb);
  let target: HostCallTarget | undefined;
  let wasmReservedBytes = 0;
  const hostCall = new ivm.Reference((op: unknown, args: unknown) => (target ? target(op, args) : standInCall(op, args, (bytes) => (wasmReservedBytes = bytes))));
  const dispose = (): void => {
    if (!blank.isolate.isDisposed) blank.isolate.dispose();
  };
  try {
    runPyodideGlue(blank.isolate, blank.context);
    const boot = blank.context.global.getSync("__lambentBoot", { reference: true }) as ivm.Reference;
    const standIn = {
      functionName: "",
      functionVersion: "",
      memoryLimitInMB: String(memoryMb),
      logGroupName: "",
      logStreamName: "",
      handler: "",
      handlerFile: "",
      env: {},
      callLimits: callLimits(memoryMb),
      hostCallBytes: MAX_HOST_CALL_BYTES,
      language: "python",
    };
    const runtime = boot.applySync(undefined, [hostCall, new ivm.ExternalCopy(standIn).copyInto({ release: true })], { result: { reference: true } }) as ivm.Reference;
    boot.release();
    const failed = await startPython(runtime, assets, START_TIMEOUT_MS);
    if (failed) throw new Error(`The spare interpreter did not start: ${failed.errorMessage}`);
    return {
      memoryMb,
      blank,
      runtime,
      get wasmReservedBytes() {
        return wasmReservedBytes;
      },
      route(next) {
        target = next;
      },
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  }
}

export interface PythonSparesOptions {
  /** Whether the worker's memory has room for a spare of `memoryMb` beside its environments. */
  roomFor?: (memoryMb: number) => boolean;
  make?: (memoryMb: number) => Promise<PythonSpare>;
  /** Monotonic milliseconds (performance.now; a fake clock in tests). */
  now?: () => number;
}

export class PythonSpares {
  private spare: PythonSpare | undefined;
  /** The size of the spare being made, while one is, and when its making began. */
  private makingMb: number | undefined;
  private makingSince = 0;
  /** How long making a spare has taken here (a moving average); undefined until one was made. */
  private typicalMakeMs: number | undefined;
  /** The spare being made is not wanted any more (dropped, or the worker closed). */
  private unwanted = false;
  private refill: { timer: NodeJS.Timeout; memoryMb: number } | undefined;
  /** The cold start waiting for the spare being made (claim), which gets it when it is ready. */
  private claimant: ((spare: PythonSpare | undefined) => void) | undefined;
  private closed = false;
  private waiters: { memoryMb: number; resolve: () => void }[] = [];
  /** How many cold starts a spare has served. */
  served = 0;
  private readonly roomFor: (memoryMb: number) => boolean;
  private readonly make: (memoryMb: number) => Promise<PythonSpare>;
  private readonly now: () => number;

  constructor(options: PythonSparesOptions = {}) {
    this.roomFor = options.roomFor ?? (() => true);
    this.make = options.make ?? makePythonSpare;
    this.now = options.now ?? (() => performance.now());
  }

  /** The spare when it has `memoryMb`, now taken (never handed out again); else undefined. */
  take(memoryMb: number): PythonSpare | undefined {
    const spare = this.spare;
    if (!spare || spare.memoryMb !== memoryMb) return undefined;
    this.spare = undefined;
    return this.handOut(spare);
  }

  /**
   * The spare for a cold start of `memoryMb`: the one waiting; else the one being made, once it is ready,
   * when it is past half its making (it ends sooner than a start of the cold start's own would); else
   * none. One only begun is not waited for: the cold start starts its own beside it, and of back-to-back
   * cold starts the next finds it ready (two starts at once use both cores; one after the other, one).
   */
  claim(memoryMb: number): Promise<PythonSpare | undefined> {
    const ready = this.take(memoryMb);
    if (ready) return Promise.resolve(ready);
    if (this.refill?.memoryMb === memoryMb) {
      clearTimeout(this.refill.timer);
      this.refill = undefined;
      this.begin(memoryMb);
    }
    const halfWay = this.typicalMakeMs !== undefined && this.now() - this.makingSince >= this.typicalMakeMs / 2;
    if (this.makingMb !== memoryMb || this.unwanted || this.claimant || !halfWay) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.claimant = resolve));
  }

  /** A Python cold start of `memoryMb` has finished: a spare of that size is begun shortly, unless one is there. */
  replenish(memoryMb: number): void {
    if (this.closed || this.spare?.memoryMb === memoryMb || this.makingMb !== undefined) return;
    if (this.refill) clearTimeout(this.refill.timer);
    const timer = setTimeout(() => {
      this.refill = undefined;
      this.begin(memoryMb);
    }, REFILL_DELAY_MS);
    timer.unref();
    this.refill = { timer, memoryMb };
  }

  /** Memory the spares hold (or are being made to hold), in MB: the pool counts it beside its environments. */
  heldMb(): number {
    // One being made after a drop is disposed as soon as it is ready: the room is already given back.
    return (this.spare?.memoryMb ?? 0) + (this.unwanted ? 0 : (this.makingMb ?? 0));
  }

  /** Gives the memory back: the spare is disposed, and one being made is disposed when it is ready. */
  drop(): void {
    this.spare?.dispose();
    this.spare = undefined;
    if (this.makingMb !== undefined) this.unwanted = true;
    this.abandonClaim();
  }

  /** Resolves once a spare of `memoryMb` is ready to be taken. */
  whenReady(memoryMb: number): Promise<void> {
    if (this.spare?.memoryMb === memoryMb) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ memoryMb, resolve }));
  }

  has(memoryMb: number): boolean {
    return this.spare?.memoryMb === memoryMb;
  }

  close(): void {
    this.closed = true;
    if (this.refill) clearTimeout(this.refill.timer);
    this.refill = undefined;
    this.drop();
  }

  private begin(memoryMb: number): void {
    if (this.closed || this.makingMb !== undefined || this.spare?.memoryMb === memoryMb) return;
    // One spare at a time: one of another size is given up for the size asked for last.
    this.drop();
    if (!this.roomFor(memoryMb)) return;
    this.makingMb = memoryMb;
    this.makingSince = this.now();
    this.unwanted = false;
    this.make(memoryMb).then(
      (spare) => {
        this.makingMb = undefined;
        const tookMs = this.now() - this.makingSince;
        this.typicalMakeMs = this.typicalMakeMs === undefined ? tookMs : 0.7 * this.typicalMakeMs + 0.3 * tookMs;
        if (this.closed || this.unwanted) {
          spare.dispose();
          return;
        }
        const claimant = this.claimant;
        if (claimant) {
          this.claimant = undefined;
          claimant(this.handOut(spare));
          return;
        }
        spare.blank.catastrophe.handler = () => {
          if (this.spare === spare) this.spare = undefined;
        };
        this.spare = spare;
        const ready = this.waiters.filter((waiter) => waiter.memoryMb === memoryMb);
        this.waiters = this.waiters.filter((waiter) => waiter.memoryMb !== memoryMb);
        for (const waiter of ready) waiter.resolve();
      },
      () => {
        // No spare this time (short of memory, or the snapshot could not be had): the next cold start starts its own.
        this.makingMb = undefined;
        this.abandonClaim();
      },
    );
  }

  private handOut(spare: PythonSpare): PythonSpare {
    this.served++;
    // What the isolate runs from now on is the taker's: a fatal error there is its to report.
    spare.blank.catastrophe.handler = undefined;
    // The next one is begun now, not when this cold start ends: one coming soon after finds it further on.
    this.replenish(spare.memoryMb);
    return spare;
  }

  /** The cold start waiting for the spare being made gets none, and starts its own. */
  private abandonClaim(): void {
    const claimant = this.claimant;
    this.claimant = undefined;
    claimant?.(undefined);
  }
}
