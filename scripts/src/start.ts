// `npm start`: a whole local cluster in one command. Starts its own nats-server (storing under
// LAMBENT_DATA_DIR) unless NATS_URL is set, then a scheduler, a worker and a frontend, and keeps them
// running: a process that dies is started again with back-off, and says so. One that dies while the
// cluster starts fails the start. Ctrl-C stops everything, restarting nothing. Its own nats-server requires
// credentials: each service gets a fresh NKey with its permissions, generated at every start; with NATS_URL
// the services use the credentials the environment gives them (LAMBENT_NATS_NKEY_SEED…).
import { writeFile } from "node:fs/promises";
import { resolve, join } from "node:path";
import { loadFrontendConfig } from "@lambent/config";
import { describeSupervisionEvent, startLocalCluster, waitUntilHealthy, type LocalCluster } from "@lambent/local-cluster";

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

// Ctrl-C (or SIGTERM, or the terminal closing) stops the cluster, or gives up a start under way.
const starting = new AbortController();
let cluster: LocalCluster | undefined = undefined;
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping Lambent…");
  if (!cluster) {
    starting.abort();
    return;
  }
  await cluster.stop();
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop());
// The processes are out of reach of the terminal: none outlives this one, however it ends.
process.on("exit", () => {
  if (!cluster) return;
  for (const child of [cluster.nats, ...cluster.frontends, ...cluster.schedulers, ...cluster.workers]) child?.process.kill("SIGKILL");
});

console.log(`Starting Lambent (data in ${join(dataDir, "nats")})…`);
cluster = await startLocalCluster({
  ...(env["NATS_URL"] ? { natsUrl: env["NATS_URL"] } : {}),
  natsAuth: true,
  dataDir,
  natsPort,
  httpPort: frontendConfig.httpPort,
  grpcPort: frontendConfig.grpcPort,
  schedulers: 1,
  workers: 1,
  frontends: 1,
  nodeFlags,
  restart: true,
  // Ctrl-C reaches this process alone, which stops the services first and nats-server last.
  detached: true,
  signal: starting.signal,
  onLog: (service, line) => {
    if (verbose || /"level":"(warn|error)"/.test(line)) console.log(`[${service}] ${line}`);
  },
  onSupervision: (service, event) => console.log(`[${service}] ${describeSupervisionEvent(event)}`),
}).catch((error: unknown) => {
  if (starting.signal.aborted) process.exit(130);
  console.error(`Lambent did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
const endpoint = cluster.endpoints[0]!;
/** The operator's key, for the `nats` CLI (`nats --nkey <file>`): every permission, so readable by the owner only. */
const operatorKeyFile = join(dataDir, "nats", "operator.nk");
const operator = cluster.natsCredentials?.operator;
if (operator) await writeFile(operatorKeyFile, `${operator.seed}\n`, { mode: 0o600 });
await waitUntilHealthy(endpoint.httpUrl).catch(async (error: unknown) => {
  if (stopping) return;
  stopping = true;
  console.error(`Lambent did not become healthy: ${error instanceof Error ? error.message : String(error)}`);
  await cluster?.stop();
  process.exit(1);
});
/** Who can call the API, as the frontends were started. */
function apiAccess(): string {
  if (process.env["LAMBENT_API_AUTH"] === "sigv4") return "only signed with a key of LAMBENT_ACCESS_KEYS or a user's key (lambent key)";
  const host = process.env["LAMBENT_HOST"] || "127.0.0.1";
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
  return `not authenticated (development), listening on ${host}${loopback ? ": this machine only" : ": ANYONE WHO REACHES IT"}; LAMBENT_API_AUTH=sigv4 requires signatures`;
}

if (!stopping) {
  console.log(`
Lambent is running.
  HTTP (AWS Lambda API): ${endpoint.httpUrl}
  Web console:           ${endpoint.httpUrl}/console/
  gRPC (lambent.v1):     ${endpoint.grpcAddress}
  NATS:                  ${cluster.natsUrl} (${operator ? `each service on its own key; yours for the nats CLI: ${operatorKeyFile}` : "the credentials in the environment"})
  API calls:             ${apiAccess()}

Try:  npx lambent deploy examples/hello --name hello && npx lambent invoke hello --payload '{"name":"you"}'
Stop with Ctrl-C.`);
}
