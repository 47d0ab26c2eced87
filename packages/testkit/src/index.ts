// Test-only helpers: a real cluster on free ports in a temporary directory, zips of fixtures, and the one
// way to wait for a condition that offers no event.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import type { ConnectionOptions } from "@nats-io/nats-core";
import { natsConnectionOptions } from "@lambent/protocol";
import { describeSupervisionEvent, startLocalCluster, waitUntilHealthy, type LocalCluster, type LocalClusterOptions } from "@lambent/local-cluster";

export { eventually, type EventuallyOptions } from "./eventually.js";

export interface TestCluster extends LocalCluster {
  /** The first frontend's HTTP base URL and gRPC address. */
  httpUrl: string;
  grpcAddress: string;
  dataDir: string;
  /** Everything the processes logged, for failure messages. */
  logs(): string;
  /**
   * How a test's own NATS client connects: with the operator credential (every permission) when the
   * cluster's nats-server requires credentials, as it does unless a test passes `natsAuth: false`.
   */
  natsOptions(): ConnectionOptions;
}

/**
 * Restarts stay off unless a test asks for them (`restart: true`): a service a test kills stays dead. NATS
 * authorization is on unless a test turns it off (`natsAuth: false`), so every test runs each service on
 * its own permissions.
 */
export type TestClusterOptions = Omit<LocalClusterOptions, "dataDir" | "onLog">;

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), "lambent-test-"));
  const lines: string[] = [];
  const onLog = (service: string, line: string): void => {
    lines.push(`[${service}] ${line}`);
    if (lines.length > 5000) lines.splice(0, lines.length - 5000);
  };
  let cluster: LocalCluster;
  try {
    // One sandbox process per worker unless a test asks for more: enough to run function code behind the
    // process wall, without a process per core for every worker of every test.
    cluster = await startLocalCluster({
      natsAuth: true,
      ...options,
      env: { LAMBENT_SANDBOXES: "1", ...options.env },
      dataDir,
      onLog,
      onSupervision: (service, event) => {
        onLog(service, describeSupervisionEvent(event));
        options.onSupervision?.(service, event);
      },
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const first = cluster.endpoints[0]!;
  await waitUntilHealthy(first.httpUrl);
  return {
    ...cluster,
    httpUrl: first.httpUrl,
    grpcAddress: first.grpcAddress,
    dataDir,
    logs: () => lines.join("\n"),
    natsOptions: () => testClientOptions(cluster),
    stop: async () => {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
      // Every test proves the permission table complete: a service refused by NATS fails the test file.
      const violations = serviceViolations(lines);
      if (violations.length > 0) throw new Error(`nats-server refused Lambent's own services:\n${violations.join("\n")}`);
    },
  };
}

/**
 * The worker service running the sandbox process that reports itself (in heartbeats, as a worker) under
 * `sandboxWorkerId`: each worker names its sandboxes' ids in its `ready` line.
 */
export function workerRunning(cluster: Pick<LocalCluster, "workers">, sandboxWorkerId: string): LocalCluster["workers"][number] | undefined {
  return cluster.workers.find((worker) => Array.isArray(worker.ready["sandboxes"]) && (worker.ready["sandboxes"] as unknown[]).includes(sandboxWorkerId));
}

/** A zip of the given files (paths → text or bytes). */
export function zipFiles(files: Record<string, string | Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([path, content]) => [path, typeof content === "string" ? strToU8(content) : content])));
}

/** Settings for `new LambdaClient(...)` pointed at a test cluster; retries off so a 429 is seen as is. */
export function lambdaClientConfig(httpUrl: string) {
  return {
    endpoint: httpUrl,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  };
}

function testClientOptions(cluster: LocalCluster): ConnectionOptions {
  const operator = cluster.natsCredentials?.operator;
  if (!operator) return { servers: cluster.natsUrl };
  const options = natsConnectionOptions({ url: cluster.natsUrl, name: "test", identity: operator.identity, auth: { nkeySeed: operator.seed, tls: undefined } });
  return { servers: options.servers, name: "test", inboxPrefix: options.inboxPrefix, authenticator: options.authenticator };
}

/** Permission violations nats-server logged for Lambent's services (their connections are named `lambent-…`). */
function serviceViolations(lines: readonly string[]): string[] {
  return lines.filter((line) => line.startsWith("[nats]") && / Violation - /.test(line) && /:lambent-/.test(line));
}
