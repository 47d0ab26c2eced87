// Scheduler process: configuration → NATS → subscriptions → ready; stops on SIGTERM/SIGINT.
import { connect } from "@nats-io/transport-node";
import { loadSchedulerConfig } from "@lambent/config";
import { createLogger } from "@lambent/telemetry";
import { buildScheduler } from "./server.js";

const config = loadSchedulerConfig(process.env);
const logger = createLogger({ service: "scheduler", level: config.logLevel });
const nc = await connect({ servers: config.natsUrl.split(","), name: `lambent-${config.schedulerId}`, maxReconnectAttempts: -1 });
const scheduler = await buildScheduler(config, { nc, logger });
await scheduler.start();
logger.lifecycle("ready", { schedulerId: config.schedulerId, accountConcurrency: config.accountConcurrency });

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
