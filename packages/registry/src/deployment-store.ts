// Gradual deployments of template functions (SAM's DeploymentPreference) in the applications bucket, one
// record per revision and function (`app.<stack>.deploy.<revision>.<logicalId>`): what the deploy asked
// for (versions, weights, hooks, alarms), and how far the leading scheduler has taken it. The frontend
// creates them with the revision; the scheduler moves them on by compare-and-set.
import type { KV } from "@nats-io/kv";
import { createIfAbsent, updateByRevision } from "./compare-and-set.js";
import { listKeys } from "./kv-keys.js";

/** Where a deployment is: hooks and steps under way, or one of the final outcomes. */
export const DEPLOYMENT_STATUSES = ["PreTraffic", "Shifting", "PostTraffic", "Succeeded", "RolledBack", "Failed", "Superseded"] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
const FINAL: ReadonlySet<DeploymentStatus> = new Set(["Succeeded", "RolledBack", "Failed", "Superseded"]);

export function isFinalDeploymentStatus(status: DeploymentStatus): boolean {
  return FINAL.has(status);
}

export const ALARM_METRICS = ["Errors", "Throttles", "Invocations"] as const;
export const ALARM_COMPARISONS = ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"] as const;

/** An alarm over Lambent's metrics of one function: the metric's sum per period, against a threshold. */
export interface DeploymentAlarm {
  name: string;
  functionName: string;
  /** CloudWatch's `Resource` dimension without the function: only calls that named this alias or version. */
  qualifier?: string;
  /** CloudWatch's `ExecutedVersion` dimension: only calls that ran on this version. */
  executedVersion?: string;
  metric: (typeof ALARM_METRICS)[number];
  periodMinutes: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: (typeof ALARM_COMPARISONS)[number];
}

/** What a deploy asks for: one function's alias moved from a version to the next, step by step. */
export interface DeploymentRequest {
  logicalId: string;
  functionName: string;
  alias: string;
  fromVersion: string;
  toVersion: string;
  /** The configuration's name, for people (Canary10Percent5Minutes, or a custom one's). */
  config: string;
  /** The new version's weight at each step and the minutes it is held; the last weight is 1. */
  steps: { weight: number; waitMinutes: number }[];
  preTrafficHook?: string;
  postTrafficHook?: string;
  alarms: DeploymentAlarm[];
}

export interface DeploymentEvent {
  at: number;
  message: string;
}

/** The lifecycle events a hook runs at, as CodeDeploy names them. */
export const HOOK_EVENTS = ["PreTraffic", "PostTraffic"] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];
/** The verdicts a hook gives (PutLifecycleEventHookExecutionStatus takes no other). */
export const HOOK_VERDICTS = ["Succeeded", "Failed"] as const;
export type HookVerdict = (typeof HOOK_VERDICTS)[number];

/** One run of a hook as CodeDeploy knows it: the id it reports under, and its verdict once it has one. */
export interface HookExecution {
  /** The LifecycleEventHookExecutionId the hook is invoked with. */
  id: string;
  /** The hook function: the only caller whose report counts. */
  hook: string;
  startedAt: number;
  verdict?: HookVerdict;
  /** What gave the verdict: the hook's PutLifecycleEventHookExecutionStatus, or its answer (Lambent's convention). */
  decidedBy?: "report" | "answer";
  /** Why it failed, in the hook's words or the call's. */
  detail?: string;
  decidedAt?: number;
}

export interface DeploymentRecord extends DeploymentRequest {
  stackName: string;
  revision: number;
  status: DeploymentStatus;
  /** The step whose weight the alias has now; -1 before traffic moved. */
  step: number;
  /** When the current step's weight was set (the wait is counted from it). */
  stepStartedAt?: number;
  /** When traffic first moved: alarms read the metrics from this minute on. */
  trafficStartedAt?: number;
  createdAt: number;
  updatedAt: number;
  /** Why it failed or rolled back. */
  reason?: string;
  /** What happened, oldest first: hooks run, weights set, alarms, the outcome. */
  events: DeploymentEvent[];
  /** Each hook's execution, recorded before it is invoked so its report outlives the leader that ran it. */
  hookExecutions?: Partial<Record<HookEvent, HookExecution>>;
}

/** A record keeps its latest events, this many. */
export const MAX_DEPLOYMENT_EVENTS = 200;
/** At most this many deployments in one revision: one per function of a template. */
const MAX_DEPLOYMENTS = 200;
const MAX_STEPS = 100;
const MAX_ALARMS = 10;
const NAME = /^[A-Za-z0-9_-]{1,140}$/;
const VERSION = /^[1-9][0-9]{0,9}$/;
/** An alias or version a call named, as an alarm's Resource dimension gives it. */
const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const EXECUTED_VERSION = /^(\$LATEST|[1-9][0-9]{0,9})$/;

const deploymentKey = (stack: string, revision: number, logicalId: string): string => `app.${stack}.deploy.${String(revision).padStart(8, "0")}.${logicalId}`;
/** Every deployment of every stack: what the leading scheduler follows. */
export const DEPLOYMENT_KEYS = "app.*.deploy.>";

/**
 * A revision document's `Deployments` (the deploy's JSON) as requests; an Error naming the field for a
 * malformed one, so the API refuses it before anything is stored.
 */
export function parseDeploymentRequests(value: unknown): DeploymentRequest[] {
  if (!Array.isArray(value) || value.length > MAX_DEPLOYMENTS) throw new Error(`Deployments must be a list of at most ${MAX_DEPLOYMENTS}`);
  return value.map((item: unknown, index) => {
    const where = `Deployments[${index}]`;
    const entry = objectOf(item, where);
    const field = (name: string, pattern: RegExp): string => {
      const found = entry[name];
      if (typeof found !== "string" || !pattern.test(found)) throw new Error(`${where}.${name} must match ${String(pattern)}`);
      return found;
    };
    const steps = entry["Steps"];
    if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS) throw new Error(`${where}.Steps must be a list of 1 to ${MAX_STEPS} steps`);
    const parsedSteps = steps.map((step: unknown, stepIndex) => {
      const fields = objectOf(step, `${where}.Steps[${stepIndex}]`);
      const weight = fields["Weight"];
      const wait = fields["WaitMinutes"];
      if (typeof weight !== "number" || !(weight > 0 && weight <= 1)) throw new Error(`${where}.Steps[${stepIndex}].Weight must be in (0, 1]`);
      if (typeof wait !== "number" || !Number.isInteger(wait) || wait < 0 || wait > 2880) throw new Error(`${where}.Steps[${stepIndex}].WaitMinutes must be a whole number from 0 to 2880`);
      return { weight, waitMinutes: wait };
    });
    if (parsedSteps[parsedSteps.length - 1]!.weight !== 1) throw new Error(`${where}.Steps must end at weight 1`);
    const alarms = entry["Alarms"] ?? [];
    if (!Array.isArray(alarms) || alarms.length > MAX_ALARMS) throw new Error(`${where}.Alarms must be a list of at most ${MAX_ALARMS}`);
    const request: DeploymentRequest = {
      logicalId: field("LogicalId", /^[A-Za-z0-9]{1,255}$/),
      functionName: field("FunctionName", NAME),
      alias: field("Alias", NAME),
      fromVersion: field("FromVersion", VERSION),
      toVersion: field("ToVersion", VERSION),
      config: field("Config", /^[A-Za-z0-9_.-]{1,200}$/),
      steps: parsedSteps,
      alarms: alarms.map((alarm: unknown, alarmIndex) => parseAlarm(alarm, `${where}.Alarms[${alarmIndex}]`)),
    };
    if (entry["PreTrafficHook"] !== undefined) request.preTrafficHook = field("PreTrafficHook", NAME);
    if (entry["PostTrafficHook"] !== undefined) request.postTrafficHook = field("PostTrafficHook", NAME);
    return request;
  });
}

function parseAlarm(value: unknown, where: string): DeploymentAlarm {
  const alarm = objectOf(value, where);
  const count = (name: string, max: number): number => {
    const found = alarm[name];
    if (typeof found !== "number" || !Number.isInteger(found) || found < 1 || found > max) throw new Error(`${where}.${name} must be a whole number from 1 to ${max}`);
    return found;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const found = alarm[name];
    if (typeof found !== "string" || !(allowed as readonly string[]).includes(found)) throw new Error(`${where}.${name} must be one of ${allowed.join(", ")}`);
    return found as T;
  };
  const name = alarm["Name"];
  const functionName = alarm["FunctionName"];
  const threshold = alarm["Threshold"];
  if (typeof name !== "string" || name.length === 0 || name.length > 255) throw new Error(`${where}.Name must be a name`);
  if (typeof functionName !== "string" || !NAME.test(functionName)) throw new Error(`${where}.FunctionName must be a function name`);
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) throw new Error(`${where}.Threshold must be a number`);
  const evaluationPeriods = count("EvaluationPeriods", 1440);
  const datapointsToAlarm = count("DatapointsToAlarm", evaluationPeriods);
  const dimension = (field: string, pattern: RegExp): string | undefined => {
    const found = alarm[field];
    if (found !== undefined && (typeof found !== "string" || !pattern.test(found))) throw new Error(`${where}.${field} must match ${String(pattern)}`);
    return found;
  };
  const qualifier = dimension("Qualifier", QUALIFIER);
  const executedVersion = dimension("ExecutedVersion", EXECUTED_VERSION);
  return {
    name,
    functionName,
    ...(qualifier !== undefined ? { qualifier } : {}),
    ...(executedVersion !== undefined ? { executedVersion } : {}),
    metric: oneOf("Metric", ALARM_METRICS),
    periodMinutes: count("PeriodMinutes", 1440),
    evaluationPeriods,
    datapointsToAlarm,
    threshold,
    comparison: oneOf("Comparison", ALARM_COMPARISONS),
  };
}

function objectOf(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where} must be an object`);
  return value as Record<string, unknown>;
}

const decoder = new TextDecoder();

function decodeRecord(key: string, value: Uint8Array): DeploymentRecord {
  const parsed = JSON.parse(decoder.decode(value)) as unknown;
  if (typeof parsed !== "object" || parsed === null || !DEPLOYMENT_STATUSES.includes((parsed as DeploymentRecord).status)) throw new Error(`${key} does not hold a deployment`);
  return parsed as DeploymentRecord;
}

export class DeploymentStore {
  constructor(private readonly kv: KV) {}

  /** Records a revision's deployments, and supersedes the stack's deployments of earlier revisions still under way. */
  async start(stackName: string, revision: number, requests: readonly DeploymentRequest[], now: number): Promise<void> {
    for (const earlier of await this.list(stackName)) {
      if (earlier.revision >= revision || isFinalDeploymentStatus(earlier.status)) continue;
      await this.update(earlier, (current) => (isFinalDeploymentStatus(current.status) ? undefined : { ...current, status: "Superseded", reason: `revision ${revision} was deployed`, updatedAt: now, events: [...current.events, { at: now, message: `superseded by revision ${revision}` }] }));
    }
    for (const request of requests) {
      const record: DeploymentRecord = { ...request, stackName, revision, status: "PreTraffic", step: -1, createdAt: now, updatedAt: now, events: [{ at: now, message: `started: ${request.config}, version ${request.fromVersion} to ${request.toVersion} on ${request.alias}` }] };
      await createIfAbsent(this.kv, deploymentKey(stackName, revision, request.logicalId), JSON.stringify(record));
    }
  }

  async get(stackName: string, revision: number, logicalId: string): Promise<DeploymentRecord | undefined> {
    const key = deploymentKey(stackName, revision, logicalId);
    const entry = await this.kv.get(key);
    return entry?.operation === "PUT" ? decodeRecord(key, entry.value) : undefined;
  }

  /** Read-modify-write of one deployment; `change` answers undefined to leave it. Undefined when nothing was written. */
  async update(record: Pick<DeploymentRecord, "stackName" | "revision" | "logicalId">, change: (current: DeploymentRecord) => DeploymentRecord | undefined): Promise<DeploymentRecord | undefined> {
    const { written } = await updateByRevision<DeploymentRecord>(this.kv, deploymentKey(record.stackName, record.revision, record.logicalId), { decode: decodeRecord }, (current) => current && change(current));
    return written;
  }

  /** The stack's deployments, oldest revision first. */
  async list(stackName: string): Promise<DeploymentRecord[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, `app.${stackName}.deploy.>`)));
    keys.sort();
    const records = await Promise.all(keys.map(async (key) => {
      const entry = await this.kv.get(key);
      return entry?.operation === "PUT" ? decodeRecord(key, entry.value) : undefined;
    }));
    return records.filter((record): record is DeploymentRecord => record !== undefined);
  }

  /** Forgets the stack's deployments (with its revisions). */
  async forget(stackName: string): Promise<void> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, `app.${stackName}.deploy.>`)));
    for (const key of keys) await this.kv.purge(key);
  }

  /**
   * Every deployment as it is now, then each change as it is written, until `stop`. A value that is not a
   * deployment is skipped (and reported), never thrown into the watcher.
   */
  async watch(onRecord: (record: DeploymentRecord) => void, onError: (error: unknown) => void): Promise<{ stop(): void }> {
    const watcher = await this.kv.watch({ key: DEPLOYMENT_KEYS });
    void (async () => {
      for await (const entry of watcher) {
        if (entry.operation !== "PUT") continue;
        try {
          onRecord(decodeRecord(entry.key, entry.value));
        } catch (error) {
          onError(error);
        }
      }
    })().catch(onError);
    return { stop: () => watcher.stop() };
  }
}
