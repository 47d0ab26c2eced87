// The deployment runner wired to the scheduler's parts: the applications bucket, the functions bucket's
// aliases, hook calls through the scheduler's own admission, and the metrics history its alarms and its
// check of the new version's error rate read.
import type { NatsConnection } from "@nats-io/nats-core";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { readMetricsHistory } from "@lambent/log-stream";
import { ApplicationStore, DeploymentStore, openApplicationBucket } from "@lambent/registry/applications";
import { AliasStore, type ArnScope, type RegistryView } from "@lambent/registry/functions";
import { ObservedWrites } from "@lambent/registry/kv";
import type { Logger } from "@lambent/telemetry";
import type { InvocationRunner } from "../invocation/run-invocation.js";
import type { ErrorRateRule } from "./version-error-rate.js";
import { LambdaTaskCalls } from "../workflows/task-calls.js";
import { DeploymentRunner } from "./deployment-runner.js";

export interface DeploymentRunnerParts {
  nc: NatsConnection;
  js: JetStreamClient;
  functionsKv: KV;
  view: RegistryView;
  scope: ArnScope;
  runner: InvocationRunner;
  replicas: number;
  timeScale: number;
  errorRate: ErrorRateRule;
  logger: Logger;
  now: () => number;
}

export async function buildDeploymentRunner(parts: DeploymentRunnerParts): Promise<DeploymentRunner> {
  const bucket = await openApplicationBucket(parts.nc, parts.replicas);
  const deployments: DeploymentRunner = new DeploymentRunner({
    deployments: new DeploymentStore(bucket),
    applications: new ApplicationStore(bucket),
    // No observer: the scheduler's registry view hears the write through its watch like every other service.
    aliases: new AliasStore(parts.functionsKv, new ObservedWrites(parts.functionsKv, undefined)),
    calls: new LambdaTaskCalls({ runner: parts.runner, js: parts.js, view: parts.view, scope: parts.scope, logger: parts.logger, running: () => deployments.running }),
    metrics: (functionName, since, dimensions) => readMetricsHistory(parts.nc, functionName, since, new Date(parts.now()), dimensions),
    timeScale: parts.timeScale,
    errorRate: parts.errorRate,
    logger: parts.logger,
    now: parts.now,
  });
  return deployments;
}
