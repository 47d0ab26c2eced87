// The worker process: configuration from the environment → NATS → registry view → serve; drains on
// SIGTERM or SIGINT and exits 0. Run with `node --no-node-snapshot` (isolated-vm needs it on Node 20).
import { connectNats } from "@lambent/protocol";
import { loadWorkerConfig } from "@lambent/config";
import { CodeStore, EnvironmentCipher, RegistryView, openRegistryBuckets } from "@lambent/registry/functions";
import { createLogger } from "@lambent/telemetry";
import { startTracing, stopTracing } from "@lambent/telemetry";
import { MetricsRegistry, listenForMetrics } from "@lambent/telemetry";
import { buildWorker } from "./server.js";
import { startInvocationObservers } from "./log-observers.js";

async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = createLogger({ service: "worker", level: config.logLevel });
  startTracing({ service: "lambent-worker", ...config.tracing });
  const nc = await connectNats(config.natsUrl, `lambent-worker-${config.workerId}`);
  const buckets = await openRegistryBuckets(nc, config.jetstreamReplicas);
  const view = new RegistryView(buckets.functions, EnvironmentCipher.fromSecrets(config.secrets, (message, fields) => logger.warn(message, fields)));
  await view.start();
  const observers = await startInvocationObservers(nc, buckets.functions, config, logger);
  const metrics = new MetricsRegistry({ defaultMetrics: true });
  const worker = buildWorker(config, { nc, registry: view, targets: view, bundles: new CodeStore(buckets.code), logger, logSink: observers.sink, metrics });
  await worker.start();
  const metricsListener = await listenForMetrics(metrics, config.metrics.host, config.metrics.port);
  logger.lifecycle("ready", { workerId: config.workerId, metricsPort: metricsListener.port });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info("draining", { workerId: config.workerId, signal });
    worker
      .stop()
      .then(async () => {
        await observers.stop();
        await metricsListener.close();
        view.stop();
        await nc.close();
        await stopTracing();
        logger.info("stopped", { workerId: config.workerId });
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
