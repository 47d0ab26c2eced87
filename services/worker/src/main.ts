// The worker: a supervisor for LAMBENT_SANDBOXES sandbox processes (supervisor/), where function code
// runs. It connects to NATS only to announce a sandbox process that ended without leaving, serves the
// sum of its sandboxes' metrics, and on SIGTERM or SIGINT drains them all and exits 0. Run with
// `node --no-node-snapshot`: the sandbox processes inherit its Node.js flags (isolated-vm needs that one).
import { connectNats, encodeJson, Subjects, workerNodeOf } from "@lambent/protocol";
import { loadWorkerConfig } from "@lambent/config";
import { AggregatedMetrics, MetricsRegistry, createLogger, handleProcessFaults, listenForMetrics } from "@lambent/telemetry";
import { SandboxSupervisor } from "./supervisor/sandbox-supervisor.js";

async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = createLogger({ service: "worker", level: config.logLevel }).child({ workerId: config.workerId });
  handleProcessFaults(logger);
  const nc = await connectNats({
    url: config.natsUrl,
    name: `lambent-worker-${config.workerId}`,
    identity: { role: "worker", workerNodeId: workerNodeOf(config.workerId) },
    auth: config.natsAuth,
  });
  const supervisor = new SandboxSupervisor({
    config,
    logger,
    announceLoss: (gone) => nc.publish(Subjects.workerGone, encodeJson(gone)),
  });
  await supervisor.start();
  const metrics = new AggregatedMetrics(new MetricsRegistry({ defaultMetrics: true }), () => supervisor.metrics());
  const metricsListener = await listenForMetrics(metrics, config.metrics.host, config.metrics.port);
  logger.lifecycle("ready", { workerId: config.workerId, sandboxes: supervisor.workerIds(), metricsPort: metricsListener.port });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info("draining", { signal });
    supervisor
      .stop()
      .then(async () => {
        await metricsListener.close();
        await nc.close();
        logger.info("stopped");
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error("drain failed", { err: error });
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  createLogger({ service: "worker" }).error("worker failed to start", { err: error });
  process.exit(1);
});
