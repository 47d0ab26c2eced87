// A gradual deployment's hooks as CodeDeploy's API knows them: the DeploymentId a hook is invoked with
// (the record's stack, revision and logical id, so a report finds its record without an index), and a
// hook's report (PutLifecycleEventHookExecutionStatus) checked against the record and written to it by
// compare-and-set. The leading scheduler, this one or the next, reads the verdict from the record.
import {
  HOOK_EVENTS,
  MAX_DEPLOYMENT_EVENTS,
  type DeploymentRecord,
  type DeploymentStore,
  type HookExecution,
  type HookVerdict,
} from "./deployment-store.js";

type DeploymentRef = Pick<DeploymentRecord, "stackName" | "revision" | "logicalId">;

/** `<stack>-<revision>-<logicalId>`: a logical id has no '-', so the last two parts are unambiguous. */
const DEPLOYMENT_ID = /^([A-Za-z][A-Za-z0-9-]{0,127})-([1-9][0-9]{0,9})-([A-Za-z0-9]{1,255})$/;
/** A LifecycleEventHookExecutionId: a random UUID, the bearer's proof that it holds the execution. */
export const HOOK_EXECUTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function deploymentIdOf(ref: DeploymentRef): string {
  return `${ref.stackName}-${ref.revision}-${ref.logicalId}`;
}

/** The record a DeploymentId names; undefined when it is not one Lambent gives out. */
export function parseDeploymentId(id: string): DeploymentRef | undefined {
  const match = DEPLOYMENT_ID.exec(id);
  if (!match) return undefined;
  const revision = Number(match[2]);
  return Number.isSafeInteger(revision) ? { stackName: match[1]!, revision, logicalId: match[3]! } : undefined;
}

/** A hook's PutLifecycleEventHookExecutionStatus, with the calling function as its worker names it. */
export interface HookReport {
  deploymentId: string;
  executionId: string;
  verdict: HookVerdict;
  caller: string;
  at: number;
}

/** Why a report is not taken; the API answers each with CodeDeploy's exception for it. */
export const HOOK_REPORT_REFUSALS = ["InvalidDeploymentId", "DeploymentDoesNotExist", "InvalidExecutionId", "NotTheHook", "AlreadyCompleted"] as const;
export type HookReportRefusal = (typeof HOOK_REPORT_REFUSALS)[number];

export type HookReportOutcome = { recorded: HookExecution } | { refused: HookReportRefusal; message: string };

/**
 * The record with the report's verdict, or why it is refused: the execution must be one of this
 * deployment's, reported by its own hook function, while its lifecycle event is under way and undecided.
 */
export function applyHookReport(record: DeploymentRecord, report: HookReport): { record: DeploymentRecord; execution: HookExecution } | { refused: HookReportRefusal; message: string } {
  const event = HOOK_EVENTS.find((name) => record.hookExecutions?.[name]?.id === report.executionId);
  const execution = event === undefined ? undefined : record.hookExecutions?.[event];
  if (event === undefined || execution === undefined) {
    return { refused: "InvalidExecutionId", message: `The lifecycle event hook execution ${report.executionId} is not one of deployment ${report.deploymentId}` };
  }
  if (execution.hook !== report.caller) {
    return { refused: "NotTheHook", message: `The function ${report.caller} is not the ${event} hook of deployment ${report.deploymentId}: only the hook reports its status` };
  }
  if (execution.verdict !== undefined || record.status !== event) {
    const how = execution.verdict !== undefined ? `its status is ${execution.verdict}` : `the deployment is ${record.status}`;
    return { refused: "AlreadyCompleted", message: `The ${event} lifecycle event of deployment ${report.deploymentId} is already completed: ${how}` };
  }
  const decided: HookExecution = {
    ...execution,
    verdict: report.verdict,
    decidedBy: "report",
    decidedAt: report.at,
    ...(report.verdict === "Failed" ? { detail: "it reported Failed (PutLifecycleEventHookExecutionStatus)" } : {}),
  };
  const message = `${event} hook ${execution.hook} reported ${report.verdict}`;
  return {
    record: { ...record, hookExecutions: { ...record.hookExecutions, [event]: decided }, updatedAt: report.at, events: [...record.events, { at: report.at, message }].slice(-MAX_DEPLOYMENT_EVENTS) },
    execution: decided,
  };
}

/** Checks a report against the deployment it names and, if it is taken, writes its verdict to the record. */
export async function reportHookVerdict(store: DeploymentStore, report: HookReport): Promise<HookReportOutcome> {
  const ref = parseDeploymentId(report.deploymentId);
  if (ref === undefined) return { refused: "InvalidDeploymentId", message: `${report.deploymentId} is not a deployment id` };
  let outcome: HookReportOutcome = { refused: "DeploymentDoesNotExist", message: `The deployment ${report.deploymentId} does not exist` };
  await store.update(ref, (current) => {
    const applied = applyHookReport(current, report);
    if ("refused" in applied) {
      outcome = applied;
      return undefined;
    }
    outcome = { recorded: applied.execution };
    return applied.record;
  });
  return outcome;
}
