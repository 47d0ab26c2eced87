// The isolation soak: for 60 s, every probe of the hostile suites (heap and WebAssembly exhaustion that
// end sandbox processes included) runs beside ordinary traffic on a cluster whose worker runs two sandbox
// processes, and every ordinary call must succeed. An ordinary call may be retried the way the AWS SDK's
// standard retry does, with `maxAttempts: 5`: a ServiceException or 5xx (a call lost with a sandbox process
// that an attacker took down, or placed while both sandbox processes were restarting, is a platform
// failure its client retries), and a throttle (while one restarts, the worker may have no room for a new
// environment), with the SDK's longer back-off for throttles. Those retries are counted and reported; none
// may fail after them.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { handler, hostileProbes, memoryProbes, type HostileProbe } from "../fixtures/hostile-probes.js";

const SOAK_MS = 60_000;
/** Ordinary callers running at once; the attacks run one at a time beside them. */
const CALLERS = 4;
/**
 * The AWS SDK's standard retry with five attempts: a jittered delay doubling from 100 ms (500 ms after a
 * throttle). The default three can end inside the window in which both sandbox processes restart.
 */
const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 100;
const THROTTLE_RETRY_BASE_MS = 500;

/** Ordinary functions: each answers a unique event in a way the caller can check exactly. */
const ordinary: { name: string; code: Uint8Array; expected: (n: number) => unknown }[] = [
  { name: "echo", code: handler(`return { n: event.n };`), expected: (n) => ({ n }) },
  {
    name: "hasher",
    code: handler(`return require("crypto").createHash("sha256").update(String(event.n)).digest("hex");`),
    expected: (n) => createHash("sha256").update(String(n)).digest("hex"),
  },
  {
    name: "tmp",
    code: handler(`const fs = require("fs"); fs.writeFileSync("/tmp/n", String(event.n)); return Number(fs.readFileSync("/tmp/n", "utf8"));`),
    expected: (n) => n,
  },
  {
    name: "sleeper",
    code: handler(`await new Promise((resolve) => setTimeout(resolve, 5)); return event.n * 2;`),
    expected: (n) => n * 2,
  },
  {
    name: "zipper",
    code: handler(`const zlib = require("zlib"); return zlib.gunzipSync(zlib.gzipSync(JSON.stringify({ n: event.n }))).toString();`),
    expected: (n) => JSON.stringify({ n }),
  },
];

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster({
    env: {
      LAMBENT_SANDBOXES: "2",
      LAMBENT_HEARTBEAT_MS: "200",
      LAMBENT_WORKER_TIMEOUT_MS: "5000",
      // Each sandbox process: 1.5 GB for environments and 512 MB of margin, so its wall is at 2 GB.
      LAMBENT_WORKER_MEMORY_MB: "3072",
      LAMBENT_SANDBOX_MEMORY_MARGIN_MB: "512",
      LAMBENT_SANDBOX_RESTART_MAX_MS: "1000",
    },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  for (const { name, code } of ordinary) await createTestFunction(lambda, name, code, { MemorySize: 128, Timeout: 30 });
  for (const probe of [...hostileProbes, ...memoryProbes]) await createTestFunction(lambda, probe.name, probe.code, probe.config);
}, 300_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

async function invoke(name: string, event: unknown): Promise<{ error?: string; payload: unknown }> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  const text = new TextDecoder().decode(answer.Payload);
  return { ...(answer.FunctionError ? { error: answer.FunctionError } : {}), payload: text ? JSON.parse(text) : undefined };
}

/** What the AWS SDK retries: a ServiceException or any 5xx, and a throttle. */
function retryable(error: unknown): "fault" | "throttle" | undefined {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (name === "TooManyRequestsException" || $metadata?.httpStatusCode === 429) return "throttle";
  return name === "ServiceException" || ($metadata?.httpStatusCode ?? 0) >= 500 ? "fault" : undefined;
}

const stats = { calls: 0, retried: 0, retries: 0, throttleRetries: 0, failed: [] as string[], attacks: 0, attackOutcomes: {} as Record<string, number> };

async function ordinaryCall(n: number): Promise<void> {
  const fn = ordinary[n % ordinary.length]!;
  stats.calls++;
  for (let attempt = 1; ; attempt++) {
    try {
      const { error, payload } = await invoke(fn.name, { n });
      if (error || JSON.stringify(payload) !== JSON.stringify(fn.expected(n))) stats.failed.push(`${fn.name}(${n}): ${JSON.stringify(payload)}`);
      if (attempt > 1) stats.retried++;
      return;
    } catch (error) {
      const kind = retryable(error);
      if (attempt >= MAX_ATTEMPTS || !kind) {
        stats.failed.push(`${fn.name}(${n}) after ${attempt} attempts: ${(error as Error).name}: ${(error as Error).message}`);
        return;
      }
      stats.retries++;
      if (kind === "throttle") stats.throttleRetries++;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * (kind === "throttle" ? THROTTLE_RETRY_BASE_MS : RETRY_BASE_MS) * 2 ** attempt));
    }
  }
}

async function attack(probe: HostileProbe): Promise<void> {
  stats.attacks++;
  let outcome: string;
  try {
    const { error, payload } = await invoke(probe.name, probe.event?.({ httpUrl: cluster.httpUrl, natsUrl: cluster.natsUrl }) ?? {});
    outcome = error ? `${(payload as { errorType?: string })?.errorType}` : "answered";
  } catch (error) {
    outcome = (error as Error).name;
  }
  stats.attackOutcomes[outcome] = (stats.attackOutcomes[outcome] ?? 0) + 1;
}

it(
  "every ordinary call succeeds through 60 s of every hostile probe",
  async () => {
    const until = Date.now() + SOAK_MS;
    const probes = [...hostileProbes, ...memoryProbes];
    // The attacks go on for the whole soak, and at least until each probe has run once.
    let attacking = true;
    const attacker = (async () => {
      for (let i = 0; i < probes.length || Date.now() < until; i++) await attack(probes[i % probes.length]!);
      attacking = false;
    })();
    let next = 0;
    const callers = Array.from({ length: CALLERS }, async () => {
      while (attacking) await ordinaryCall(next++);
    });
    await Promise.all([...callers, attacker]);
    console.log(
      `isolation soak: ${stats.calls} ordinary calls, ${stats.retried} succeeded after a retry (${stats.retries} retries, ${stats.throttleRetries} of them after a throttle), ${stats.failed.length} failed; ` +
        `${stats.attacks} attacks: ${JSON.stringify(stats.attackOutcomes)}`,
    );
    // What the services said, when an ordinary call failed: the worker's and the scheduler's warnings.
    if (stats.failed.length > 0) console.log(cluster.logs().split("\n").filter((line) => /"level":"(warn|error)"|exited|restart/.test(line)).slice(-200).join("\n"));
    expect(stats.failed).toEqual([]);
    // Every probe ran at least once, the ones that end sandbox processes included.
    expect(stats.attacks).toBeGreaterThanOrEqual(probes.length);
    expect(cluster.workers[0]!.process.exitCode).toBeNull();
  },
  SOAK_MS + 240_000,
);
