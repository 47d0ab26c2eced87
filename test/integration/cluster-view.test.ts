// The operator's view of a real cluster (GetCluster, `lambent cluster`): the leading scheduler and its
// term, each worker with its environments and memory, the NATS server, and every stream's replicas.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { ClusterDescription } from "@lambent/lambda-api";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

describe("the cluster view", () => {
  it("shows the leader, the workers with their warm environments, NATS and the streams", async () => {
    await createTestFunction(lambda, "cluster-warm", zipFiles({ "index.js": "exports.handler = async () => 1;" }));
    await lambda.send(new InvokeCommand({ FunctionName: "cluster-warm" }));
    const read = async (): Promise<ClusterDescription> => {
      const answer = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/cluster`);
      expect(answer.status).toBe(200);
      return (await answer.json()) as ClusterDescription;
    };
    // The warm environment reaches the leader's table with the worker's next heartbeat.
    const view = await eventually(async () => {
      const seen = await read();
      return seen.Workers.some((each) => each.Environments > 0) && seen;
    }, { deadline: 30_000, message: "the leader never heard of the warm environment" });
    expect(view.Leader).toMatchObject({ SchedulerId: expect.any(String), Term: expect.any(Number) });
    expect(view.Leader!.Term).toBeGreaterThan(0);
    // Each of a worker's sandbox processes takes calls as a worker of its own: `<worker id>.<process>…`.
    expect(view.Workers.length).toBeGreaterThanOrEqual(cluster.workers.length);
    const [worker] = view.Workers;
    expect(worker!.WorkerId.startsWith(String(cluster.workers[0]!.ready["workerId"]))).toBe(true);
    expect(worker!.Draining).toBe(false);
    expect(worker!.MemoryMb).toBeGreaterThan(0);
    expect(worker!.HeardMsAgo).toBeGreaterThanOrEqual(0);
    expect(view.Nats.Version).toMatch(/^\d+\.\d+/);
    const names = view.Streams.map((stream) => stream.Name);
    expect(names).toEqual(expect.arrayContaining(["KV_lambent_functions"]));
    for (const stream of view.Streams) expect(stream.Replicas).toBe(1);
  });

  it("prints the same with lambent cluster", async () => {
    const printed = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [CLI, "cluster"], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl } }, (error, stdout) =>
        resolve({ code: error ? 1 : 0, stdout }),
      );
    });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^Leader: \S+ \(term \d+/);
    expect(printed.stdout).toContain(String(cluster.workers[0]!.ready["workerId"]));
    expect(printed.stdout).toContain("KV_lambent_functions");
  });
});
