// Builds the frontend from its configuration and a NATS connection; tests bind port 0.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { NatsConnection } from "@nats-io/nats-core";
import type { FrontendConfig } from "@lambent/config";
import { Subjects, decodeJson, type ClusterStatus } from "@lambent/protocol";
import { ensureEventStream, readQueueStats } from "@lambent/event-queue";
import { ApiKeyStore, ApiKeysView, CodeStore, EnvironmentCipher, FunctionNamesView, FunctionStore, RegistryView, RoleCredentialsStore, RolePolicyStore, TestEventStore, openRegistryBuckets } from "@lambent/registry/functions";
import { EventSourceMappingStore } from "@lambent/registry/event-sources";
import { KeySpaceView, ObservedWrites, observeAll } from "@lambent/registry/kv";
import { ROUTE_KEYS, RouteStore, decodeRoute, type RouteRecord } from "@lambent/registry/routes";
import { TriggerStore } from "@lambent/registry/triggers";
import { ApplicationStore, DeploymentStore, openApplicationBucket } from "@lambent/registry/applications";
import { LayerStore } from "@lambent/registry/layers";
import { openUsageBucket } from "@lambent/registry/usage";
import { LayerOperations } from "./control-plane/layers.js";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Logger } from "@lambent/telemetry";
import type { FrontendApi } from "./api.js";
import { FunctionControlPlane } from "./control-plane/functions.js";
import { requestProvisionedAllocation } from "./control-plane/provisioned-status.js";
import { NatsInvoker } from "./invoke/invoker.js";
import { createHttpServer } from "./http/server.js";
import { CodeLocations } from "./http/code-location.js";
import { CodeSigningOperations } from "./control-plane/code-signing.js";
import { buildGrpcServer } from "./grpc/server.js";
import { ensureLogStream } from "@lambent/log-stream";
import { FunctionLogs } from "./control-plane/logs.js";
import { FunctionMetrics } from "./control-plane/metrics-history.js";
import { TestEventOperations } from "./control-plane/test-events.js";
import { DeadLetterOperations } from "./control-plane/dead-letters.js";
import { UsageReports } from "./control-plane/usage.js";
import { RoleCredentialOperations } from "./control-plane/role-credentials.js";
import { AccessKeyOperations } from "./control-plane/access-keys.js";
import { RolePolicyOperations } from "./control-plane/role-policies.js";
import { ClusterOperations } from "./control-plane/cluster.js";
import { TriggerOperations } from "./control-plane/triggers.js";
import { ApplicationOperations } from "./control-plane/applications.js";
import { EventSourceMappings } from "./control-plane/event-source-mappings.js";
import { EventSourceJetStream } from "./control-plane/event-source-jetstream.js";
import { MetricsRegistry } from "@lambent/telemetry";
import { createFrontendMetrics } from "./metrics/invoke-metrics.js";
import { RouteOperations } from "./control-plane/routes.js";
import { RouteTable } from "./http/route-table.js";
import { jetstream } from "@nats-io/jetstream";
import { WorkflowStore, ensureHistoryStream, openWorkflowBucket } from "@lambent/workflow-store";
import { WorkflowOperations } from "./workflows/workflow-operations.js";
import { FunctionApiService } from "./function-api/service.js";

export interface FrontendDeps {
  nc: NatsConnection;
  logger: Logger;
  /** Where the frontend's metrics go, served at GET /metrics; a registry of its own when absent. */
  metrics?: MetricsRegistry;
}

export interface Frontend {
  api: FrontendApi;
  /** Starts both servers; resolves with the ports actually bound. */
  listen(): Promise<{ httpPort: number; grpcPort: number }>;
  /** Stops taking requests, lets running ones finish, then closes. */
  close(): Promise<void>;
}

export async function buildFrontend(config: FrontendConfig, deps: FrontendDeps): Promise<Frontend> {
  const { nc, logger } = deps;
  const buckets = await openRegistryBuckets(nc, config.jetstreamReplicas);
  // The event stream exists before the first request, so queue stats never fail for a missing stream.
  await ensureEventStream(nc, { replicas: config.jetstreamReplicas });
  await ensureLogStream(nc, { replicas: config.jetstreamReplicas, ...config.logs });
  const cipher = EnvironmentCipher.fromSecrets(config.secrets, (message, fields) => logger.warn(message, fields));
  const view = new RegistryView(buckets.functions, cipher);
  await view.start();
  const code = new CodeStore(buckets.code);
  const scope = { region: config.region, accountId: config.accountId };
  let httpPort = config.httpPort;
  const publicUrl = (): string => config.publicUrl ?? `http://${config.host}:${httpPort}`;
  // Every route, watched; it observes this frontend's own writes, so a route serves here once CreateRoute answers.
  const routeView = new KeySpaceView<RouteRecord>(buckets.functions, {
    filter: ROUTE_KEYS,
    decode: decodeRoute,
    onMalformed: (key, error) => logger.warn("route left out: its stored value is malformed", { key, err: error }),
  });
  await routeView.start();
  // Every function's name, watched, for the console's list.
  const functionNames = new FunctionNamesView(buckets.functions);
  await functionNames.start();
  // The views observe this frontend's own writes: an invoke right after an update here sees it, and the
  // console's list shows a function created here at once.
  const functions = new FunctionStore(buckets.functions, cipher, observeAll(view, functionNames));
  const routes = new RouteOperations(scope, new RouteStore(buckets.functions, new ObservedWrites(buckets.functions, routeView)), functions, publicUrl);
  const codeLocations = new CodeLocations(config.secrets.key, publicUrl);
  const layers = new LayerOperations(scope, new LayerStore(buckets.functions), code, (contentObject) => codeLocations.locationOf(contentObject));
  const controlPlane = new FunctionControlPlane({
    scope,
    functions,
    code,
    codeLocation: (packageObject) => codeLocations.locationOf(packageObject),
    publicUrl,
    concurrencyLimits: config.concurrency,
    provisionedAllocation: (functionName, qualifier) => requestProvisionedAllocation(nc, functionName, qualifier),
    readQueueStats: (functionName) => readQueueStats(nc, buckets.functions, functionName),
    layers,
    dependents: [routes],
    listing: { names: () => functionNames.names(), latest: (functionName) => view.get(functionName) },
  });
  const metrics = deps.metrics ?? new MetricsRegistry();
  const invoker = new NatsInvoker({ nc, nodeId: config.nodeId, workerTimeoutMs: config.workerTimeoutMs, view, scope, metrics: createFrontendMetrics(metrics, nc) });
  const api: FrontendApi = { controlPlane, invoker, routes, layers, codeSigning: new CodeSigningOperations(scope, functions) };
  const readOnlyFunctions = new FunctionStore(buckets.functions, cipher);
  const jsm = await jetstreamManager(nc);
  api.logs = new FunctionLogs(nc, scope, readOnlyFunctions);
  api.metrics = new FunctionMetrics(nc, scope, readOnlyFunctions);
  api.testEvents = new TestEventOperations(scope, readOnlyFunctions, new TestEventStore(buckets.functions));
  api.deadLetters = new DeadLetterOperations(nc, jetstream(nc), view, scope, readOnlyFunctions);
  // The usage bucket exists, with the configured retention, before a period is read from it.
  await openUsageBucket(nc, { retentionDays: config.usageRetentionDays, replicas: config.jetstreamReplicas, applyRetention: true });
  api.usage = new UsageReports(buckets.functions, nc, scope, readOnlyFunctions, () => functionNames.names(), config.prices);
  api.roleCredentials = new RoleCredentialOperations(new RoleCredentialsStore(buckets.functions, cipher));
  api.accessKeys = new AccessKeyOperations(new ApiKeyStore(buckets.functions, cipher), config.accountId);
  const rolePolicyStore = new RolePolicyStore(buckets.functions);
  api.rolePolicies = new RolePolicyOperations(rolePolicyStore);
  api.cluster = new ClusterOperations(nc, jsm);
  api.triggers = new TriggerOperations({
    scope,
    triggers: new TriggerStore(buckets.functions, new ObservedWrites(buckets.functions, undefined)),
    functions: readOnlyFunctions,
    jsm,
  });
  const applicationBucket = await openApplicationBucket(nc, config.jetstreamReplicas);
  const deployments = new DeploymentStore(applicationBucket);
  api.applications = new ApplicationOperations(new ApplicationStore(applicationBucket), deployments, readOnlyFunctions);
  api.eventSourceMappings = new EventSourceMappings(scope, readOnlyFunctions, new EventSourceMappingStore(buckets.functions, new ObservedWrites(buckets.functions, undefined)), new EventSourceJetStream(nc, jsm), config.esmVisibilityTimeoutSeconds);
  const [workflowBucket] = await Promise.all([openWorkflowBucket(nc, config.jetstreamReplicas), ensureHistoryStream(nc, config.jetstreamReplicas)]);
  api.workflows = new WorkflowOperations({ nc, js: jetstream(nc), store: new WorkflowStore(workflowBucket), scope });
  // Users' keys: for signed API calls, and for function URLs with AuthType AWS_IAM on any cluster.
  const userKeys = new ApiKeysView(buckets.functions, cipher, (key, error) => logger.warn("access key unreadable: not accepted", { key, err: error }));
  await userKeys.start();
  const apiAuth = config.apiAuth === "sigv4" ? { accessKeys: config.accessKeys, region: config.region, accountId: config.accountId, userKeys } : undefined;
  const httpServer = createHttpServer({
    api,
    logger,
    health: () => clusterHealth(nc),
    downloadPackage: (objectName) => code.getPackage(objectName),
    codeLocations,
    metrics,
    consoleTraceUrl: config.consoleTraceUrl,
    functionUrls: {
      configOf: (urlId) => view.functionUrlConfig(urlId),
      invoker,
      iam: { accessKeys: config.accessKeys, userKeys, region: config.region, accountId: config.accountId },
    },
    routes: { table: new RouteTable(routeView), invoker, accountId: config.accountId },
    stepFunctions: api.workflows,
    ...(apiAuth ? { apiAuth } : {}),
    scope,
  });
  // Functions' own Lambda API requests, served by this server's router as their execution roles, and
  // their CodeDeploy requests (deployment hooks' reports).
  const functionApi = new FunctionApiService({ nc, server: httpServer, rolePolicy: (roleArn) => rolePolicyStore.get(roleArn), signedApi: apiAuth !== undefined, deployments, logger });
  const grpcServer = buildGrpcServer(api, { logger, defaultRole: `arn:aws:iam::${config.accountId}:role/lambent-default`, ...(apiAuth ? { auth: apiAuth } : {}) });

  return {
    api,
    async listen() {
      httpPort = await listenHttp(httpServer, config.host, config.httpPort);
      const grpcPort = await grpcServer.server.listen(config.host, config.grpcPort);
      grpcServer.setServing(true);
      return { httpPort, grpcPort };
    },
    async close() {
      functionApi.close();
      grpcServer.setServing(false);
      await Promise.all([
        new Promise<void>((resolve) => httpServer.close(() => resolve())),
        grpcServer.server.close(),
      ]);
      httpServer.closeAllConnections();
      invoker.close();
      view.stop();
      routeView.stop();
      functionNames.stop();
      userKeys.stop();
    },
  };
}

/** Healthy when a scheduler answers and knows at least one worker. */
async function clusterHealth(nc: NatsConnection): Promise<{ healthy: boolean; detail: Record<string, unknown> }> {
  try {
    const reply = await nc.request(Subjects.schedulerStatus, undefined, { timeout: 1000 });
    const status = decodeJson(reply.data) as ClusterStatus;
    return { healthy: status.workers > 0, detail: { workers: status.workers } };
  } catch {
    return { healthy: false, detail: { reason: "no scheduler answered" } };
  }
}

function listenHttp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}
