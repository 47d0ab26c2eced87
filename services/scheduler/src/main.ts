// Scheduler process: configuration → NATS → subscriptions → ready; stops on SIGTERM/SIGINT.
import { connectNats } from "@lambent/protocol";
import { loadSchedulerConfig } from "@lambent/config";
import { createLogger } from "@lambent/telemetry";
import { buildScheduler } from "./server.js";

const config = loadSchedulerConfig(process.env);
const logger = createLogger({ service: "scheduler", level: config.logLevel });
const nc = await connectNats(config.natsUrl, `lambent-${config.schedulerId}`);
const scheduler = await buildScheduler(config, { nc, logger });
await scheduler.start();
logger.lifecycle("ready", { schedulerId: config.schedulerId, accountConcurrency: config.concurrency.accountLimit });

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  logger.info("stopping", { signal });
  await scheduler.stop();
  await nc.drain();
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
