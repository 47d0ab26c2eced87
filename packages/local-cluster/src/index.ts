// Starts nats-server and Lambent's services as child processes, supervised when asked: `npm start` and
// the tests both use it.
export { NATS_MAX_PAYLOAD, startNatsServer, type NatsServerOptions, type RunningNatsServer } from "./nats-server.js";
export { serviceEntry, startService, type RunningService, type ServiceName, type ServiceOptions } from "./service-process.js";
export { AUTHENTICATED_WORKER_IDS, startLocalCluster, type LocalCluster, type LocalClusterOptions } from "./local-cluster.js";
export {
  DEFAULT_RESTART_POLICY,
  RestartBackoff,
  Supervisor,
  describeSupervisionEvent,
  type Launched,
  type RestartPolicy,
  type SupervisionEvent,
} from "./supervisor.js";
export { waitUntilHealthy } from "./health.js";
