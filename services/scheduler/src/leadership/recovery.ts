// A scheduler's role as the leadership comes and goes. Elected, it forgets what it counted before, asks
// every worker to report, and admits calls only once each worker it knows has reported its running calls
// (or the wait ran out), so the limits hold across a takeover. Deposed, it stops leading and forgets.
import type { Logger } from "@lambent/telemetry";

export type SchedulerRole = "standby" | "recovering" | "leader";

/** A new leader waits at most this long for every worker's report before admitting calls. */
const RECOVERY_LIMIT_MS = 2_000;

export interface LeaderRecoveryOptions {
  /** The workers heard from so far: a new leader waits for a report from each. */
  knownWorkers(): string[];
  /** Asks every worker to report its running calls at once. */
  requestReports(term: number): void;
  /** Forgets every lease and count: a new term rebuilds them from the reports, and a standby keeps none. */
  forgetCalls(): void;
  /** Starts what only the leader does: admitting calls, its tasks. */
  lead(): void;
  /** Stops what only the leader does. */
  standDown(): void;
  /** Calls adopted from the reports, for the log line that says the scheduler leads. */
  adoptedCalls(): number;
  /** A worker silent this long is lost anyway, so a new leader never waits longer for reports. */
  workerTimeoutMs: number;
  logger: Logger;
}

export class LeaderRecovery {
  private currentRole: SchedulerRole = "standby";
  private currentTerm = 0;
  /** Workers a recovering leader still waits to hear from. */
  private awaitingReports = new Set<string>();
  private recoveryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LeaderRecoveryOptions) {}

  get role(): SchedulerRole {
    return this.currentRole;
  }

  /** The leadership term while recovering or leading; 0 while standing by. */
  get term(): number {
    return this.currentTerm;
  }

  /** Won the leadership at `term`: recover the running calls from the workers, then lead. */
  elected(term: number): void {
    this.currentTerm = term;
    this.currentRole = "recovering";
    this.options.forgetCalls();
    this.awaitingReports = new Set(this.options.knownWorkers());
    if (this.awaitingReports.size === 0) {
      this.finish();
      return;
    }
    this.options.requestReports(term);
    this.recoveryTimer = setTimeout(() => {
      if (this.awaitingReports.size > 0) this.options.logger.warn("workers did not report before admitting calls", { workers: [...this.awaitingReports] });
      this.finish();
    }, Math.min(RECOVERY_LIMIT_MS, this.options.workerTimeoutMs));
  }

  /** A worker reported (any heartbeat counts); the last awaited report ends the recovery. */
  reported(workerId: string): void {
    if (this.currentRole !== "recovering") return;
    this.awaitingReports.delete(workerId);
    if (this.awaitingReports.size === 0) this.finish();
  }

  /** Lost the leadership: stop leading at once and keep no counts. */
  deposed(): void {
    clearTimeout(this.recoveryTimer);
    this.options.standDown();
    this.currentRole = "standby";
    this.currentTerm = 0;
    this.options.forgetCalls();
  }

  private finish(): void {
    if (this.currentRole !== "recovering") return;
    clearTimeout(this.recoveryTimer);
    this.currentRole = "leader";
    this.options.lead();
    this.options.logger.info("scheduler leading", { term: this.currentTerm, workers: this.options.knownWorkers().length, adoptedCalls: this.options.adoptedCalls() });
  }
}
