// Gradual deployments (DeploymentPreference) as the CLI sees them: what a deploy asks the cluster for in
// its revision's `Deployments` (the alias left on the old version, the weights, hooks and alarms), and
// following them — the leading scheduler moves the alias — until each is over (`lambent deploy --wait`).
import type { ApplicationDeployment } from "@lambent/lambda-api";
import type { ApiClient } from "./api-client.js";
import type { DeployReporter } from "./reporter.js";
import type { DeployedFunction } from "./stack-apply.js";

const FOLLOW_POLL_MS = 1_000;
const FINAL = new Set(["Succeeded", "RolledBack", "Failed", "Superseded"]);

/** The revision document's `Deployments`: one per function whose alias the scheduler is to move; nothing when none is. */
export function deploymentsDocument(deployed: readonly DeployedFunction[]): { Deployments?: Record<string, unknown>[] } {
  const deployments = deployed.flatMap((item) => {
    const plan = item.plan.deployment;
    if (item.deployment === undefined || plan === undefined) return [];
    const toVersion = item.deployment.toVersion;
    return [
      {
        LogicalId: item.plan.logicalId,
        FunctionName: item.plan.functionName,
        Alias: plan.alias,
        FromVersion: item.deployment.fromVersion,
        ToVersion: toVersion,
        Config: plan.config,
        Steps: plan.steps.map((step) => ({ Weight: step.weight, WaitMinutes: step.waitMinutes })),
        ...(plan.preTrafficHook !== undefined ? { PreTrafficHook: plan.preTrafficHook } : {}),
        ...(plan.postTrafficHook !== undefined ? { PostTrafficHook: plan.postTrafficHook } : {}),
        Alarms: plan.alarms.map((alarm) => ({
          Name: alarm.name,
          FunctionName: alarm.functionName,
          ...(alarm.qualifier !== undefined ? { Qualifier: alarm.qualifier } : {}),
          // `!GetAtt Fn.Version.Version`: the version this deploy published, which the deployment moves to.
          ...(alarm.newVersion === true ? { ExecutedVersion: toVersion } : alarm.executedVersion !== undefined ? { ExecutedVersion: alarm.executedVersion } : {}),
          Metric: alarm.metric,
          PeriodMinutes: alarm.periodMinutes,
          EvaluationPeriods: alarm.evaluationPeriods,
          DatapointsToAlarm: alarm.datapointsToAlarm,
          Threshold: alarm.threshold,
          Comparison: alarm.comparison,
        })),
      },
    ];
  });
  return deployments.length > 0 ? { Deployments: deployments } : {};
}

export function isDeploymentOver(deployment: ApplicationDeployment): boolean {
  return FINAL.has(deployment.Status);
}

/** One line for a deployment: `Api live 3→4 Canary10Percent5Minutes: Shifting (10%)`. */
export function describeDeployment(deployment: ApplicationDeployment): string {
  const where = deployment.Status === "Shifting" ? ` (${Math.round(deployment.Weight * 100)}% on ${deployment.ToVersion})` : "";
  return `${deployment.FunctionName}:${deployment.Alias} ${deployment.FromVersion}→${deployment.ToVersion} ${deployment.Config}: ${deployment.Status}${where}${deployment.Reason ? `: ${deployment.Reason}` : ""}`;
}

/**
 * Prints each deployment's events of the revision as the scheduler records them, until every one is
 * over; the deployments as they ended. Without deployments it answers at once.
 */
export async function followDeployments(client: ApiClient, stackName: string, revision: number, io: DeployReporter, quiet: boolean): Promise<ApplicationDeployment[]> {
  const printed = new Map<string, number>();
  for (;;) {
    const deployments = (await client.getApplicationRevision(stackName, revision)).Deployments ?? [];
    for (const deployment of deployments) {
      const seen = printed.get(deployment.LogicalId) ?? 0;
      if (!quiet) for (const event of deployment.Events.slice(seen)) io.progress(`  ${deployment.FunctionName}:${deployment.Alias}: ${event.Message}`);
      printed.set(deployment.LogicalId, deployment.Events.length);
    }
    if (deployments.every(isDeploymentOver)) return deployments;
    await new Promise((done) => setTimeout(done, FOLLOW_POLL_MS));
  }
}
