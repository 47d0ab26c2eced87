// Cluster behaviour: state survives restarts of every process, the account limit throttles, and a
// cluster without workers reports itself unhealthy.
import { afterEach, describe, expect, it } from "vitest";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startLocalCluster, waitUntilHealthy } from "@lambent/local-cluster";
import { lambdaClientConfig, startTestCluster, workerRunning, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { hello, sleeper } from "../fixtures/functions.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function cluster(options: Parameters<typeof startTestCluster>[0] = {}): Promise<TestCluster> {
  const started = await startTestCluster(options);
  stops.push(() => started.stop());
  return started;
}

const createFunction = (lambda: LambdaClient, name: string, zip: Uint8Array) => createTestFunction(lambda, name, zip, { Timeout: 10 });

describe("a local cluster", () => {
  it("finds every function again after all its processes restart on the same data", async () => {
    const first = await cluster();
    const lambda = new LambdaClient(lambdaClientConfig(first.httpUrl));
    const created = await createFunction(lambda, "survivor", hello);
    lambda.destroy();
    // Stop the services and nats-server, keeping the data directory.
    await Promise.all([...first.frontends, ...first.schedulers, ...first.workers].map((service) => service.stop()));
    await first.nats!.stop();

    const second = await startLocalCluster({ dataDir: first.dataDir });
    stops.push(() => second.stop());
    await waitUntilHealthy(second.endpoints[0]!.httpUrl);
    const again = new LambdaClient(lambdaClientConfig(second.endpoints[0]!.httpUrl));
    const found = await again.send(new GetFunctionConfigurationCommand({ FunctionName: "survivor" }));
    expect(found.CodeSha256).toBe(created.CodeSha256);
    const invoked = await again.send(new InvokeCommand({ FunctionName: "survivor", Payload: Buffer.from('{"name":"again"}') }));
    expect(JSON.parse(Buffer.from(invoked.Payload!).toString()).message).toBe("hello again");
    again.destroy();
  });

  it("throttles past the account concurrency limit with Lambda's reason, then serves again", async () => {
    const small = await cluster({ env: { LAMBENT_ACCOUNT_CONCURRENCY: "2" } });
    const lambda = new LambdaClient(lambdaClientConfig(small.httpUrl));
    await createFunction(lambda, "slow", sleeper);
    const calls = Array.from({ length: 6 }, () =>
      fetch(`${small.httpUrl}/2015-03-31/functions/slow/invocations`, { method: "POST", body: '{"ms":1500}' }).then(async (response) => ({
        status: response.status,
        errorType: response.headers.get("x-amzn-errortype"),
        body: await response.text(),
      })),
    );
    const answers = await Promise.all(calls);
    const ok = answers.filter((answer) => answer.status === 200);
    const throttled = answers.filter((answer) => answer.status === 429);
    expect(ok.length).toBe(2);
    expect(throttled.length).toBe(4);
    for (const answer of throttled) {
      expect(answer.errorType).toBe("TooManyRequestsException");
      expect(JSON.parse(answer.body)).toMatchObject({ Reason: "ConcurrentInvocationLimitExceeded" });
    }
    // The SDK sees the same error type when retries are off.
    const settled = await lambda.send(new InvokeCommand({ FunctionName: "slow", Payload: Buffer.from('{"ms":1}') }));
    expect(settled.StatusCode).toBe(200);
    lambda.destroy();
  });

  it("is unhealthy without workers and answers invocations with a clear ServiceException", async () => {
    const lonely = await cluster();
    const lambda = new LambdaClient(lambdaClientConfig(lonely.httpUrl));
    await createFunction(lambda, "orphan", hello);
    await lonely.workers[0]!.stop();
    // The worker said goodbye on stopping, so the scheduler knows at once.
    const health = await fetch(`${lonely.httpUrl}/healthz`);
    expect(health.status).toBe(503);
    // The frontend itself is alive: an orchestrator's liveness probe must not restart it for its cluster's sake.
    expect((await fetch(`${lonely.httpUrl}/livez`)).status).toBe(200);
    const response = await fetch(`${lonely.httpUrl}/2015-03-31/functions/orphan/invocations`, { method: "POST", body: "{}" });
    expect(response.status).toBe(500);
    expect(response.headers.get("x-amzn-errortype")).toBe("ServiceException");
    lambda.destroy();
  });

  it("fails a call fast when its worker is killed mid-call, and serves the next one on another worker", async () => {
    const pair = await cluster({ workers: 2, env: { LAMBENT_WORKER_TIMEOUT_MS: "1000", LAMBENT_HEARTBEAT_MS: "200" } });
    const lambda = new LambdaClient(lambdaClientConfig(pair.httpUrl));
    await createFunction(lambda, "doomed", sleeper);
    const pending = fetch(`${pair.httpUrl}/2015-03-31/functions/doomed/invocations`, { method: "POST", body: '{"ms":8000}' });
    // Whichever worker took the call: kill the busy one, found by asking which has a running call.
    const busy = await findBusyWorker(pair);
    await busy.kill();
    const response = await pending;
    expect(response.status).toBe(500);
    expect(response.headers.get("x-amzn-errortype")).toBe("ServiceException");
    expect(await response.text()).toMatch(/worker/);
    const next = await lambda.send(new InvokeCommand({ FunctionName: "doomed", Payload: Buffer.from('{"ms":1}') }));
    expect(next.StatusCode).toBe(200);
    lambda.destroy();
  });
});

/** The worker whose heartbeat reports a running call. */
async function findBusyWorker(cluster: TestCluster) {
  const { connect } = await import("@nats-io/transport-node");
  const { Subjects, decodeJson } = await import("@lambent/protocol");
  const nc = await connect({ ...cluster.natsOptions() });
  try {
    const subscription = nc.subscribe(Subjects.workerHeartbeat);
    for await (const message of subscription) {
      const beat = decodeJson(message.data) as { workerId: string; busy: number };
      if (beat.busy > 0) {
        const index = await workerIndex(cluster, beat.workerId);
        if (index >= 0) return cluster.workers[index]!;
      }
    }
    throw new Error("no busy worker seen");
  } finally {
    await nc.close();
  }
}

async function workerIndex(cluster: TestCluster, workerId: string): Promise<number> {
  return cluster.workers.findIndex((worker) => worker === workerRunning(cluster, workerId));
}
