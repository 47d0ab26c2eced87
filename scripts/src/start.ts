// `npm start`: a whole local cluster in one command. Starts its own nats-server (storing under
// LAMBENT_DATA_DIR) unless NATS_URL is set, then a scheduler, a worker and a frontend.
import { resolve, join } from "node:path";
import { loadFrontendConfig } from "@lambent/config";
import { startLocalCluster, waitUntilHealthy } from "@lambent/local-cluster";

const env = process.env;
const frontendConfig = loadFrontendConfig(env);
const dataDir = resolve(env["LAMBENT_DATA_DIR"] || ".lambent");
const natsPort = env["LAMBENT_NATS_PORT"] ? Number(env["LAMBENT_NATS_PORT"]) : 0;
if (!Number.isInteger(natsPort) || natsPort < 0 || natsPort > 65535) {
  console.error(`LAMBENT_NATS_PORT: expected a port number, got "${env["LAMBENT_NATS_PORT"]}"`);
  process.exit(1);
}
const verbose = env["LAMBENT_VERBOSE"] === "1";
const nodeFlags = (env["LAMBENT_NODE_FLAGS"] ?? "").split(" ").filter(Boolean);

console.log(`Starting Lambent (data in ${join(dataDir, "nats")})…`);
const cluster = await startLocalCluster({
  ...(env["NATS_URL"] ? { natsUrl: env["NATS_URL"] } : {}),
  dataDir,
  natsPort,
  httpPort: frontendConfig.httpPort,
  grpcPort: frontendConfig.grpcPort,
  schedulers: 1,
  workers: 1,
  frontends: 1,
  nodeFlags,
  onLog: (service, line) => {
    if (verbose || /"level":"(warn|error)"/.test(line)) console.log(`[${service}] ${line}`);
  },
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
const endpoint = cluster.endpoints[0]!;
await waitUntilHealthy(endpoint.httpUrl);
console.log(`
Lambent is running.
  HTTP (AWS Lambda API): ${endpoint.httpUrl}
  gRPC (lambent.v1):     ${endpoint.grpcAddress}
  NATS:                  ${cluster.natsUrl}

Try:  npx lambent deploy examples/hello --name hello && npx lambent invoke hello --payload '{"name":"you"}'
Stop with Ctrl-C.`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping Lambent…");
  await cluster.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
