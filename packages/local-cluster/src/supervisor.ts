// Keeps one child process of a local cluster running: when it ends outside a stop, it is started again
// after a back-off that doubles with each end in a row (250 ms up to 30 s by default) and starts over
// once a process has run a minute. Every end and restart is reported, for `npm start` to print.
import type { ChildProcess } from "node:child_process";

/** A started child process that the supervisor can watch and stop. */
export interface Launched {
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface RestartPolicy {
  /** The wait before the first restart after a process ended. */
  firstDelayMs: number;
  /** Each further end in a row doubles the wait, up to this. */
  maxDelayMs: number;
  /** A process that ran this long counts as stable: the next end waits `firstDelayMs` again. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { firstDelayMs: 250, maxDelayMs: 30_000, stableAfterMs: 60_000 };

export type SupervisionEvent =
  /** The process ended by itself (or was killed) and starts again in `restartInMs`. */
  | { kind: "exited"; code: number | null; signal: NodeJS.Signals | null; restartInMs: number }
  | { kind: "restarted" }
  /** A restart failed before the process was ready; it is tried again in `restartInMs`. */
  | { kind: "restartFailed"; error: Error; restartInMs: number };

/** One line for a console: "exited (signal SIGKILL); restarting in 500 ms". */
export function describeSupervisionEvent(event: SupervisionEvent): string {
  switch (event.kind) {
    case "exited":
      return `exited (${event.signal ? `signal ${event.signal}` : `code ${String(event.code)}`}); restarting in ${event.restartInMs} ms`;
    case "restarted":
      return "restarted";
    case "restartFailed":
      return `did not start again (${event.error.message.split("\n", 1)[0]!.replace(/:$/, "")}); retrying in ${event.restartInMs} ms`;
  }
}

/** The waits between restarts: doubling with each end in a row, reset by a stable run. */
export class RestartBackoff {
  private endsInARow = 0;

  constructor(private readonly policy: RestartPolicy) {}

  /** The wait before starting again, for a process that ran `ranMs` before it ended. */
  next(ranMs: number): number {
    if (ranMs >= this.policy.stableAfterMs) this.endsInARow = 0;
    const delay = Math.min(this.policy.firstDelayMs * 2 ** this.endsInARow, this.policy.maxDelayMs);
    this.endsInARow += 1;
    return delay;
  }
}

/**
 * Supervises the process `first` and its successors, each made by `launch` (which resolves once the new
 * process is ready and is aborted by `signal` when the supervisor stops meanwhile).
 */
export class Supervisor<T extends Launched> {
  private current: T;
  private startedAt = 0;
  private halted = false;
  private timer: NodeJS.Timeout | undefined;
  private launching: Promise<void> | undefined;
  private readonly aborted = new AbortController();
  private readonly backoff: RestartBackoff;

  constructor(
    first: T,
    private readonly launch: (signal: AbortSignal) => Promise<T>,
    policy: RestartPolicy,
    private readonly report: (event: SupervisionEvent) => void,
  ) {
    this.backoff = new RestartBackoff(policy);
    this.current = first;
    this.watch(first);
  }

  /** The process running now (or the one that ended, until its successor is ready). */
  get running(): T {
    return this.current;
  }

  /** Nothing is started again from now on; the running process is left as it is. */
  halt(): void {
    this.halted = true;
    clearTimeout(this.timer);
    this.aborted.abort();
  }

  /** Halts, waits for a restart under way to give up, and stops the running process. */
  async stop(): Promise<void> {
    this.halt();
    await this.launching;
    await this.current.stop();
  }

  private watch(child: T): void {
    this.startedAt = Date.now();
    const process = child.process;
    if (process.exitCode !== null || process.signalCode !== null) {
      this.ended(child, process.exitCode, process.signalCode);
      return;
    }
    process.once("exit", (code, signal) => this.ended(child, code, signal));
  }

  private ended(child: T, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.halted || child !== this.current) return;
    const restartInMs = this.backoff.next(Date.now() - this.startedAt);
    this.report({ kind: "exited", code, signal, restartInMs });
    this.restartIn(restartInMs);
  }

  private restartIn(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const launching = this.relaunch().finally(() => {
        if (this.launching === launching) this.launching = undefined;
      });
      this.launching = launching;
    }, delayMs);
  }

  private async relaunch(): Promise<void> {
    if (this.halted) return;
    let next: T;
    try {
      next = await this.launch(this.aborted.signal);
    } catch (error) {
      if (this.halted) return;
      const restartInMs = this.backoff.next(0);
      this.report({ kind: "restartFailed", error: error instanceof Error ? error : new Error(String(error)), restartInMs });
      this.restartIn(restartInMs);
      return;
    }
    if (this.halted) {
      await next.stop();
      return;
    }
    this.current = next;
    this.report({ kind: "restarted" });
    this.watch(next);
  }
}
