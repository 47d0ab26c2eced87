// Frontend process: configuration → NATS → servers → ready; drains on SIGTERM/SIGINT.
import { connectNats } from "@lambent/protocol";
import { loadFrontendConfig } from "@lambent/config";
import { createLogger, handleProcessFaults } from "@lambent/telemetry";
import { startTracing, stopTracing } from "@lambent/telemetry";
import { MetricsRegistry } from "@lambent/telemetry";
import { buildFrontend } from "./server.js";

const config = loadFrontendConfig(process.env);
const logger = createLogger({ service: "frontend", level: config.logLevel });
handleProcessFaults(logger);
startTracing({ service: "lambent-frontend", ...config.tracing });
const nc = await connectNats({ url: config.natsUrl, name: "lambent-frontend", identity: { role: "frontend" }, auth: config.natsAuth });
const frontend = await buildFrontend(config, { nc, logger, metrics: new MetricsRegistry({ defaultMetrics: true }) });
const ports = await frontend.listen();
logger.lifecycle("ready", { httpPort: ports.httpPort, grpcPort: ports.grpcPort, host: config.host, metricsPort: ports.httpPort, apiAuth: config.apiAuth });
if (config.apiAuth === "none") logger.warn("the API is open to whoever reaches its ports (LAMBENT_API_AUTH=none): set LAMBENT_API_AUTH=sigv4 and LAMBENT_ACCESS_KEYS to require signed calls", { host: config.host });

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  logger.info("stopping", { signal });
  await frontend.close();
  await nc.drain();
  await stopTracing();
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
