// Work only the leading scheduler does (running queued events, firing triggers, polling event sources):
// started once it leads and has recovered, stopped when it is deposed or shuts down. A task resumes from
// what NATS holds (consumers, checkpoints), so the next leader carries on where this one stopped.
import type { Logger } from "@lambent/telemetry";

export interface LeaderTask {
  /** Names the task in logs. */
  readonly name: string;
  /** A leader that cannot start this task cannot lead (the event runner): see `LeaderTasksStuck`. */
  readonly essential?: boolean;
  start(): Promise<void>;
  /** Stops taking new work; resolves once what it started has settled or been handed back. */
  stop(): Promise<void>;
}

export interface LeaderTaskRetry {
  firstDelayMs: number;
  maxDelayMs: number;
}

/**
 * What happens when an essential task has failed to start for `afterMs` of one term: `onStuck` (the
 * scheduler hands its leadership over, so one whose JetStream works takes the queue).
 */
export interface LeaderTasksStuck {
  afterMs: number;
  onStuck(task: string): void;
  now?: () => number;
}

/** While JetStream elects its own leaders, starting a consumer times out for a few seconds. */
const RETRY: LeaderTaskRetry = { firstDelayMs: 250, maxDelayMs: 10_000 };

/**
 * The leader's tasks for each term it leads. A task that fails to start (NATS failing over under it) is
 * stopped and started again, backing off, for as long as the term lasts: a leader never leads without
 * its event runner. A term ends with `stop`; a start still under way then is stopped once it finishes.
 */
export class LeaderTasks {
  /** Counts terms: work belonging to an earlier one is dropped or undone. */
  private term = 0;
  private readonly retries = new Set<NodeJS.Timeout>();
  /** When each task of this term began failing to start; absent once it started. */
  private readonly failingSince = new Map<LeaderTask, number>();
  private stuckReported = false;

  constructor(
    private readonly tasks: readonly LeaderTask[],
    private readonly logger: Logger,
    private readonly retry: LeaderTaskRetry = RETRY,
    private readonly stuck?: LeaderTasksStuck,
  ) {}

  /** Starts every task; one that fails does not hold back the others. */
  start(): void {
    const term = ++this.term;
    this.failingSince.clear();
    this.stuckReported = false;
    for (const task of this.tasks) void this.startTask(task, term, this.retry.firstDelayMs);
  }

  async stop(): Promise<void> {
    this.term++;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await Promise.all(this.tasks.map((task) => this.stopTask(task)));
  }

  private async startTask(task: LeaderTask, term: number, delayMs: number): Promise<void> {
    try {
      await task.start();
      this.failingSince.delete(task);
      if (term !== this.term) await this.stopTask(task);
      return;
    } catch (error) {
      if (term !== this.term) return;
      this.logger.error("leader task did not start: trying again", { task: task.name, err: error, retryInMs: delayMs });
      this.failedToStart(task);
      if (term !== this.term) return;
    }
    // A half-made start (a view opened, a flag set) is undone so the next start begins from nothing.
    await this.stopTask(task);
    if (term !== this.term) return;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      if (term === this.term) void this.startTask(task, term, Math.min(delayMs * 2, this.retry.maxDelayMs));
    }, delayMs);
    this.retries.add(timer);
  }

  /** Notes a failed start; an essential task failing for `stuck.afterMs` is reported once per term. */
  private failedToStart(task: LeaderTask): void {
    if (!this.stuck || !task.essential) return;
    const now = (this.stuck.now ?? Date.now)();
    const since = this.failingSince.get(task) ?? now;
    this.failingSince.set(task, since);
    if (this.stuckReported || now - since < this.stuck.afterMs) return;
    this.stuckReported = true;
    this.logger.error("essential leader task has not started for too long", { task: task.name, failingForMs: now - since });
    this.stuck.onStuck(task.name);
  }

  private stopTask(task: LeaderTask): Promise<void> {
    return task.stop().catch((error: unknown) => this.logger.error("leader task did not stop cleanly", { task: task.name, err: error }));
  }
}
