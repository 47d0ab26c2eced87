// Scheduler process: configuration → NATS → subscriptions → ready; stops on SIGTERM/SIGINT.
import { connectNats } from "@lambent/protocol";
import { loadSchedulerConfig } from "@lambent/config";
import { createLogger, handleProcessFaults } from "@lambent/telemetry";
import { startTracing, stopTracing } from "@lambent/telemetry";
import { MetricsRegistry, listenForMetrics } from "@lambent/telemetry";
import { buildScheduler } from "./server.js";

const config = loadSchedulerConfig(process.env);
const logger = createLogger({ service: "scheduler", level: config.logLevel });
handleProcessFaults(logger);
startTracing({ service: "lambent-scheduler", ...config.tracing });
const nc = await connectNats({ url: config.natsUrl, name: `lambent-${config.schedulerId}`, identity: { role: "scheduler" }, auth: config.natsAuth });
const metrics = new MetricsRegistry({ defaultMetrics: true });
const scheduler = await buildScheduler(config, { nc, logger, metrics });
await scheduler.start();
const metricsListener = await listenForMetrics(metrics, config.metrics.host, config.metrics.port);
logger.lifecycle("ready", { schedulerId: config.schedulerId, accountConcurrency: config.concurrency.accountLimit, metricsPort: metricsListener.port });

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  logger.info("stopping", { signal });
  await scheduler.stop();
  await metricsListener.close();
  await nc.drain();
  await stopTracing();
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
