// How the host enters an environment's isolate to start a call. `inline` is isolated-vm's `applySync` on
// the sandbox process's main thread: a few microseconds, but the main thread waits while the handler's
// synchronous part runs, so it gets a short slice (INLINE_SLICE_MS) and only environments that have
// proven quick use it. `threaded` is the asynchronous `apply` on one of isolated-vm's own threads:
// several times dearer per call, but a handler that computes for long holds only its own thread.
// An environment starts threaded; after PROMOTE_AFTER_QUICK_CALLS calls whose synchronous part took under
// QUICK_CALL_CPU_MS of CPU it goes inline. A call that overruns its inline slice is stopped, its
// environment discarded, and the call run again threaded in a fresh one: nothing it did was seen outside
// (its log lines, fetches and calls wait in the isolate's outbox until the host takes them, and the host
// takes nothing from a stopped entry), so running it again is as if it had started in a new environment.
// Its version then stays threaded in this process.

/** The longest an inline entry may hold the sandbox process's main thread. */
export const INLINE_SLICE_MS = 50;
/** A call's synchronous part counts as quick below this much isolate CPU time. */
export const QUICK_CALL_CPU_MS = 2;
/** Quick threaded calls in a row before an environment goes inline. */
export const PROMOTE_AFTER_QUICK_CALLS = 2;
/**
 * An inline entry that took more isolate CPU time than this (but ended within its slice) sends the
 * environment back to threaded. CPU time, not wall time: a busy machine does not make a handler slow.
 */
export const DEMOTE_INLINE_MS = 10;

export type EntryMode = "inline" | "threaded";

/** Versions (by environment key) that overran an inline slice in this process: never inline again. */
export class EntryModes {
  private readonly threadedOnly = new Set<string>();
  private readonly maxKeys: number;
  /** Below this much isolate CPU time a threaded call's synchronous part counts as quick. */
  readonly quickCallCpuMs: number;

  /** Tests raise `quickCallCpuMs` so that a loaded machine's slower first calls still go inline. */
  constructor(options: { maxKeys?: number; quickCallCpuMs?: number } = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.quickCallCpuMs = options.quickCallCpuMs ?? QUICK_CALL_CPU_MS;
  }

  allowsInline(key: string): boolean {
    return !this.threadedOnly.has(key);
  }

  keepThreaded(key: string): void {
    // Bounded: forgetting an old key costs that version one more overrun at most.
    if (this.threadedOnly.size >= this.maxKeys) this.threadedOnly.clear();
    this.threadedOnly.add(key);
  }
}

/** One environment's record of how its calls have gone, deciding the mode of its next call. */
export class EntryHistory {
  private quickCalls = 0;
  private inline = false;

  constructor(
    private readonly key: string,
    private readonly modes: EntryModes,
  ) {}

  next(): EntryMode {
    return this.inline && this.modes.allowsInline(this.key) ? "inline" : "threaded";
  }

  /** A threaded start took `cpuMs` of isolate CPU time in its synchronous part. */
  threadedStart(cpuMs: number): void {
    if (cpuMs >= this.modes.quickCallCpuMs) {
      this.quickCalls = 0;
      return;
    }
    if (++this.quickCalls >= PROMOTE_AFTER_QUICK_CALLS) this.inline = true;
  }

  /** An inline start took `cpuMs` of isolate CPU time. */
  inlineStart(cpuMs: number): void {
    if (cpuMs < DEMOTE_INLINE_MS) return;
    this.inline = false;
    this.quickCalls = 0;
  }

  /** The inline slice ran out: this version runs threaded from now on in this process. */
  overran(): void {
    this.inline = false;
    this.modes.keepThreaded(this.key);
  }
}
