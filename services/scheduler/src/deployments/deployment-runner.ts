// The leading scheduler's gradual deployments (a LeaderTask): it follows every deployment record in the
// applications bucket and takes each under way one step on at a time — PreTraffic hook, the alias's
// weights step by step with the alarms and the new version's error rate read between them, PostTraffic
// hook — writing each step to the record before the next, so a new leader resumes where this one stopped.
// An alarm, the new version's errors (version-error-rate.ts) or a failed PostTraffic hook move the alias
// back to the old version and record why. A hook's execution is written to the record before it is
// invoked; its verdict is the status it reports with PutLifecycleEventHookExecutionStatus (which the
// frontends write to the record), or without a report its answer.
import { randomUUID } from "node:crypto";
import type { AliasRecord, AliasStore } from "@lambent/registry/functions";
import {
  deploymentIdOf,
  isFinalDeploymentStatus,
  MAX_DEPLOYMENT_EVENTS,
  type ApplicationStore,
  type DeploymentRecord,
  type DeploymentStatus,
  type DeploymentStore,
  type HookEvent,
  type HookExecution,
  type HookVerdict,
} from "@lambent/registry/applications";
import type { MetricsDimensions } from "@lambent/log-stream";
import type { Logger } from "@lambent/telemetry";
import type { LeaderTask } from "../leader-task.js";
import type { TaskCalls } from "../workflows/execution-driver.js";
import { evaluateAlarm, type MinuteCounts } from "./alarm-evaluation.js";
import { DEFAULT_ERROR_RATE_RULE, errorRateBreach, sumCalls, type ErrorRateRule } from "./version-error-rate.js";

const MINUTE_MS = 60_000;
/** How often alarms are read while a weight is held: metrics reach the stream every few seconds. */
const ALARM_CHECK_MS = 2_000;
/** A step that failed (NATS away, a write lost) is tried again after this. */
const RETRY_MS = 1_000;
/** While a deploy of the stack holds its lock, the alias is its to change: the runner waits. */
const LOCKED_WAIT_MS = 1_000;
/** A hook reports within an hour, as CodeDeploy waits for PutLifecycleEventHookExecutionStatus. */
const HOOK_TIMEOUT_MS = 3_600_000;

export interface DeploymentRunnerOptions {
  deployments: DeploymentStore;
  applications: ApplicationStore;
  aliases: AliasStore;
  /** Runs hook functions through the scheduler's own admission and placement. */
  calls: TaskCalls;
  /** A function's metrics per minute from `since` to now: its totals, or the version series matching `dimensions`. */
  metrics: (functionName: string, since: Date, dimensions?: MetricsDimensions) => Promise<MinuteCounts[]>;
  /** When the new version's own errors roll a deployment back (LAMBENT_DEPLOYMENT_ERROR_RATE_*). */
  errorRate?: ErrorRateRule;
  /** The share of each configured wait the runner waits (LAMBENT_DEPLOYMENT_TIME_PERCENT). */
  timeScale: number;
  logger: Logger;
  now?: () => number;
}

/** The alias is no longer on either version of the deployment: someone moved it by hand. */
class AliasMovedError extends Error {
  override readonly name = "AliasMovedError";
}

type Ref = Pick<DeploymentRecord, "stackName" | "revision" | "logicalId">;

export class DeploymentRunner implements LeaderTask {
  readonly name = "deployment runner";
  private term = 0;
  private leading = false;
  private watch: { stop(): void } | undefined;
  /** The deployments being taken on, with the term that took each (one of an earlier term is on its way out). */
  private readonly driving = new Map<string, { term: number; done: Promise<void> }>();
  private readonly sleepers = new Set<() => void>();
  private readonly now: () => number;

  constructor(private readonly options: DeploymentRunnerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** False once this scheduler stops leading: hook calls waiting for room give up. */
  get running(): boolean {
    return this.leading;
  }

  /** Deployments this scheduler is taking on now. */
  get active(): number {
    return this.driving.size;
  }

  async start(): Promise<void> {
    this.leading = true;
    const term = ++this.term;
    this.watch = await this.options.deployments.watch(
      (record) => this.follow(record, term),
      (error) => this.options.logger.warn("a deployment record could not be read", { err: error }),
    );
  }

  async stop(): Promise<void> {
    this.leading = false;
    this.term++;
    this.watch?.stop();
    this.watch = undefined;
    for (const wake of this.sleepers) wake();
    await Promise.allSettled([...this.driving.values()].map((entry) => entry.done));
  }

  private follow(record: DeploymentRecord, term: number): void {
    if (isFinalDeploymentStatus(record.status) || term !== this.term) return;
    const key = `${record.stackName}/${record.revision}/${record.logicalId}`;
    if (this.driving.get(key)?.term === term) return;
    const ref: Ref = { stackName: record.stackName, revision: record.revision, logicalId: record.logicalId };
    const entry = { term, done: Promise.resolve() };
    entry.done = this.drive(ref, term).finally(() => {
      if (this.driving.get(key) === entry) this.driving.delete(key);
    });
    this.driving.set(key, entry);
  }

  private inTerm(term: number): boolean {
    return this.leading && term === this.term;
  }

  /** Takes the deployment on until it is over or this term ends; each pass reads the record afresh. */
  private async drive(ref: Ref, term: number): Promise<void> {
    while (this.inTerm(term)) {
      try {
        const record = await this.options.deployments.get(ref.stackName, ref.revision, ref.logicalId);
        if (record === undefined || isFinalDeploymentStatus(record.status)) return;
        await this.advance(record, term);
      } catch (error) {
        if (error instanceof AliasMovedError) {
          await this.finish(ref, "Failed", error.message, undefined);
          return;
        }
        this.options.logger.warn("deployment step failed: trying again", { stack: ref.stackName, revision: ref.revision, function: ref.logicalId, err: error });
        await this.sleep(RETRY_MS);
      }
    }
  }

  /** One move of the state machine; the caller reads the record again and calls again. */
  private async advance(record: DeploymentRecord, term: number): Promise<void> {
    switch (record.status) {
      case "PreTraffic": {
        if (record.preTrafficHook !== undefined) {
          const outcome = await this.runHook(record, "PreTraffic", record.preTrafficHook, term);
          if (outcome === undefined || !this.inTerm(term)) return;
          if (outcome.verdict === "Failed") {
            // Traffic never moved: the deploy left the alias on the old version.
            await this.finish(record, "Failed", `the PreTraffic hook ${record.preTrafficHook} failed: ${outcome.detail ?? "it reported Failed"}; traffic stayed on version ${record.fromVersion}`, undefined);
            return;
          }
          await this.note(record, `PreTraffic hook ${record.preTrafficHook} succeeded${outcome.decidedBy === "report" ? " (reported)" : ""}`);
        }
        await this.enterStep(record, 0);
        return;
      }
      case "Shifting": {
        const step = record.steps[record.step]!;
        if (!(await this.setWeight(record, step.weight))) return;
        const due = (record.stepStartedAt ?? this.now()) + step.waitMinutes * MINUTE_MS * this.options.timeScale;
        for (;;) {
          const alarm = (await this.breachedAlarm(record)) ?? (await this.newVersionFailing(record));
          if (!this.inTerm(term)) return;
          if (alarm !== undefined) {
            await this.finish(record, "RolledBack", alarm, "rollback");
            return;
          }
          const left = due - this.now();
          if (left <= 0) break;
          await this.sleep(Math.min(left, ALARM_CHECK_MS));
          if (!this.inTerm(term)) return;
          // Superseded, or finished by an earlier leader's last write: the next pass sees it.
          const current = await this.options.deployments.get(record.stackName, record.revision, record.logicalId);
          if (current?.status !== "Shifting" || current.step !== record.step) return;
        }
        if (record.step + 1 < record.steps.length) await this.enterStep(record, record.step + 1);
        else await this.transition(record, { status: "PostTraffic" }, `all traffic on version ${record.toVersion}`);
        return;
      }
      case "PostTraffic": {
        if (record.postTrafficHook !== undefined) {
          const outcome = await this.runHook(record, "PostTraffic", record.postTrafficHook, term);
          if (outcome === undefined || !this.inTerm(term)) return;
          if (outcome.verdict === "Failed") {
            await this.finish(record, "RolledBack", `the PostTraffic hook ${record.postTrafficHook} failed: ${outcome.detail ?? "it reported Failed"}`, "rollback");
            return;
          }
          await this.note(record, `PostTraffic hook ${record.postTrafficHook} succeeded${outcome.decidedBy === "report" ? " (reported)" : ""}`);
        }
        await this.finish(record, "Succeeded", undefined, undefined);
        return;
      }
      default:
        return;
    }
  }

  /** Records the next step, then sets its weight (a resumed step sets it again, which changes nothing). */
  private async enterStep(record: DeploymentRecord, step: number): Promise<void> {
    const at = this.now();
    const written = await this.transition(
      record,
      { status: "Shifting", step, stepStartedAt: at, ...(record.trafficStartedAt === undefined ? { trafficStartedAt: at } : {}) },
      `version ${record.toVersion} at ${Math.round(record.steps[step]!.weight * 100)}%`,
    );
    if (written !== undefined) await this.setWeight(written, record.steps[step]!.weight);
  }

  /**
   * Writes the record's next state if it is still where `record` found it (another writer — a new
   * revision, an earlier leader — wins otherwise); undefined when it was not written.
   */
  private async transition(record: DeploymentRecord, change: Partial<DeploymentRecord>, message: string): Promise<DeploymentRecord | undefined> {
    const at = this.now();
    return this.options.deployments.update(record, (current) =>
      current.status !== record.status || current.step !== record.step ? undefined : { ...current, ...change, updatedAt: at, events: [...current.events, { at, message }].slice(-MAX_DEPLOYMENT_EVENTS) },
    );
  }

  private async note(record: DeploymentRecord, message: string): Promise<void> {
    await this.transition(record, {}, message);
  }

  /** Ends the deployment; `rollback` moves the alias back to the old version first. */
  private async finish(ref: Ref, status: DeploymentStatus, reason: string | undefined, rollback: "rollback" | undefined): Promise<void> {
    const record = await this.options.deployments.get(ref.stackName, ref.revision, ref.logicalId);
    if (record === undefined || isFinalDeploymentStatus(record.status)) return;
    // While a deploy holds the stack's lock the alias is not moved: the next pass tries again.
    if (rollback !== undefined && !(await this.moveAlias(record, (alias) => withoutRouting({ ...alias, functionVersion: record.fromVersion })))) return;
    const at = this.now();
    const message = status === "Succeeded" ? `succeeded: version ${record.toVersion} serves ${record.alias}` : `${status === "RolledBack" ? `rolled back to version ${record.fromVersion}` : "failed"}: ${reason ?? ""}`;
    await this.options.deployments.update(record, (current) =>
      isFinalDeploymentStatus(current.status) ? undefined : { ...current, status, updatedAt: at, ...(reason !== undefined ? { reason } : {}), events: [...current.events, { at, message }].slice(-MAX_DEPLOYMENT_EVENTS) },
    );
    this.options.logger.info("deployment over", { stack: record.stackName, revision: record.revision, function: record.functionName, status, ...(reason !== undefined ? { reason } : {}) });
  }

  /** The alias at `weight` on the new version (1: all of it); false while a deploy holds the stack's lock. */
  private async setWeight(record: DeploymentRecord, weight: number): Promise<boolean> {
    return this.moveAlias(record, (alias) =>
      weight >= 1
        ? { ...withoutRouting(alias), functionVersion: record.toVersion, previousVersion: record.fromVersion }
        : { ...alias, functionVersion: record.fromVersion, routing: { version: record.toVersion, weight } },
    );
  }

  private async moveAlias(record: DeploymentRecord, next: (alias: AliasRecord) => AliasRecord): Promise<boolean> {
    const lock = await this.options.applications.lock(record.stackName);
    if (lock !== undefined && lock.expiresAt > this.now()) {
      await this.sleep(LOCKED_WAIT_MS);
      return false;
    }
    const current = await this.options.aliases.get(record.functionName, record.alias);
    // Already where this step puts it (a resumed step): nothing to write.
    if (current !== undefined && sameTarget(current.alias, next(current.alias))) return true;
    const moved = await this.options.aliases.update(record.functionName, record.alias, (alias) => {
      const ours = alias.functionVersion === record.fromVersion || alias.functionVersion === record.toVersion;
      if (!ours || (alias.routing !== undefined && alias.routing.version !== record.toVersion)) throw new AliasMovedError(`the alias ${record.alias} was moved to version ${alias.functionVersion} by another change`);
      return { ...next(alias), revisionId: randomUUID() };
    });
    if (moved === undefined) throw new AliasMovedError(`the alias ${record.alias} was deleted`);
    return true;
  }

  /** The first alarm in ALARM since traffic moved, described; undefined when none is. */
  private async breachedAlarm(record: DeploymentRecord): Promise<string | undefined> {
    if (record.alarms.length === 0 || record.trafficStartedAt === undefined) return undefined;
    const since = new Date(record.trafficStartedAt);
    const read = new Map<string, MinuteCounts[]>();
    for (const alarm of record.alarms) {
      // Alarms on the same function and dimensions read its history once.
      const key = `${alarm.functionName}:${alarm.qualifier ?? ""}:${alarm.executedVersion ?? ""}`;
      let minutes = read.get(key);
      if (minutes === undefined) read.set(key, (minutes = await this.options.metrics(alarm.functionName, since, dimensionsOf(alarm))));
      const verdict = evaluateAlarm(alarm, minutes, false);
      if (verdict.breached) return `the alarm ${alarm.name} (${alarm.metric} of ${describeDimensions(alarm)} ${alarm.comparison} ${alarm.threshold}) went off: ${verdict.datapoints.join(", ")} per ${alarm.periodMinutes} min`;
    }
    return undefined;
  }

  /** Why the new version's calls through the alias since traffic moved roll it back, or undefined. */
  private async newVersionFailing(record: DeploymentRecord): Promise<string | undefined> {
    const rule = this.options.errorRate ?? DEFAULT_ERROR_RATE_RULE;
    if (record.trafficStartedAt === undefined || rule.marginPercent >= 100) return undefined;
    const since = new Date(record.trafficStartedAt);
    const [newVersion, oldVersion] = await Promise.all([
      this.options.metrics(record.functionName, since, { qualifier: record.alias, executedVersion: record.toVersion }),
      this.options.metrics(record.functionName, since, { qualifier: record.alias, executedVersion: record.fromVersion }),
    ]);
    return errorRateBreach(rule, sumCalls(newVersion), sumCalls(oldVersion));
  }

  /**
   * The hook's verdict, running it if it has none yet; undefined when the record changed under it or this
   * term ended (the next pass reads the record again). The execution, with the
   * LifecycleEventHookExecutionId the hook is invoked with, is written to the record first, so a report the
   * hook makes (the frontends write it there) outlives this leader; a new leader that finds an execution
   * without a verdict invokes the hook again under the same id. After the call, a report decides; without
   * one the call does, Lambent's own convention: an error, or an answer `{"status":"Failed"}`, fails the
   * hook and any other answer lets it succeed. A hook that does not answer within its function's timeout
   * has failed, as one that does not report within CodeDeploy's hour has.
   */
  private async runHook(record: DeploymentRecord, event: HookEvent, hook: string, term: number): Promise<HookExecution & { verdict: HookVerdict } | undefined> {
    let execution = record.hookExecutions?.[event];
    if (execution?.verdict !== undefined) return { ...execution, verdict: execution.verdict };
    if (execution === undefined) {
      const started: HookExecution = { id: randomUUID(), hook, startedAt: this.now() };
      const written = await this.options.deployments.update(record, (current) =>
        current.status !== event || current.hookExecutions?.[event] !== undefined
          ? undefined
          : { ...current, hookExecutions: { ...current.hookExecutions, [event]: started }, updatedAt: started.startedAt, events: [...current.events, { at: started.startedAt, message: `${event} hook ${hook} invoked (execution ${started.id})` }].slice(-MAX_DEPLOYMENT_EVENTS) },
      );
      if (written === undefined) return undefined;
      execution = started;
    } else {
      await this.note(record, `${event} hook ${hook} invoked again (execution ${execution.id}): the leader that invoked it stopped before its verdict`);
    }
    const payload = {
      DeploymentId: deploymentIdOf(record),
      LifecycleEventHookExecutionId: execution.id,
      LifecycleEvent: event,
      FunctionName: record.functionName,
      Alias: record.alias,
      FromVersion: record.fromVersion,
      ToVersion: record.toVersion,
    };
    const result = await this.options.calls.call({ functionName: hook, payload, invocationType: "RequestResponse" }, { timeoutMs: HOOK_TIMEOUT_MS });
    if (!this.inTerm(term)) return undefined;
    const failure = !result.ok
      ? `${result.error}: ${result.cause}`
      : result.answer.functionError !== undefined
        ? `${result.answer.functionError}: ${result.answer.payload.slice(0, 500)}`
        : reportedFailure(result.answer.payload);
    const at = this.now();
    const byAnswer: HookExecution & { verdict: HookVerdict } = { ...execution, verdict: failure === undefined ? "Succeeded" : "Failed", decidedBy: "answer", decidedAt: at, ...(failure !== undefined ? { detail: failure } : {}) };
    const id = execution.id;
    let decided: (HookExecution & { verdict: HookVerdict }) | undefined;
    await this.options.deployments.update(record, (current) => {
      const seen = current.hookExecutions?.[event];
      decided = undefined;
      if (seen?.id !== id || current.status !== event) return undefined;
      // Reported while the hook ran: the report is the verdict, whatever the call's outcome.
      if (seen.verdict !== undefined) {
        decided = { ...seen, verdict: seen.verdict };
        return undefined;
      }
      decided = byAnswer;
      return { ...current, hookExecutions: { ...current.hookExecutions, [event]: byAnswer }, updatedAt: at };
    });
    return decided;
  }

  /** Waits `ms`, or less when this runner stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** A hook's answer that reports failure: `{"status":"Failed"}` (any case), as its PutLifecycleEventHookExecutionStatus would. */
export function reportedFailure(payload: string): string | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof answer !== "object" || answer === null) return undefined;
  const status = (answer as Record<string, unknown>)["status"] ?? (answer as Record<string, unknown>)["Status"];
  return typeof status === "string" && status.toLowerCase() === "failed" ? `it reported ${payload.slice(0, 500)}` : undefined;
}

function dimensionsOf(alarm: DeploymentRecord["alarms"][number]): MetricsDimensions | undefined {
  if (alarm.qualifier === undefined && alarm.executedVersion === undefined) return undefined;
  return { ...(alarm.qualifier !== undefined ? { qualifier: alarm.qualifier } : {}), ...(alarm.executedVersion !== undefined ? { executedVersion: alarm.executedVersion } : {}) };
}

/** `f`, `f:live`, `f:live version 4`, `f version 4`: what an alarm reads, as its dimensions say. */
function describeDimensions(alarm: DeploymentRecord["alarms"][number]): string {
  return `${alarm.functionName}${alarm.qualifier !== undefined ? `:${alarm.qualifier}` : ""}${alarm.executedVersion !== undefined ? ` version ${alarm.executedVersion}` : ""}`;
}

function sameTarget(a: AliasRecord, b: AliasRecord): boolean {
  return a.functionVersion === b.functionVersion && a.routing?.version === b.routing?.version && a.routing?.weight === b.routing?.weight;
}

function withoutRouting(alias: AliasRecord): AliasRecord {
  const { routing: _routing, ...rest } = alias;
  return rest;
}
