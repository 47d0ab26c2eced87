// A local cluster with restarts on, as `npm start` runs it: each process killed comes back and the
// cluster serves again; stopping the cluster restarts nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import type { SupervisionEvent } from "@lambent/local-cluster";

let cluster: TestCluster;
const events: { service: string; event: SupervisionEvent }[] = [];

beforeAll(async () => {
  cluster = await startTestCluster({
    restart: true,
    onSupervision: (service, event) => events.push({ service, event }),
    // A killed worker or scheduler is noticed, and a new leader elected, within seconds.
    env: { LAMBENT_HEARTBEAT_MS: "200", LAMBENT_WORKER_TIMEOUT_MS: "1500", LAMBENT_LEADER_TIMEOUT_MS: "1000" },
  });
  const created = await fetch(`${cluster.httpUrl}/2015-03-31/functions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      FunctionName: "echo",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/test",
      Code: { ZipFile: Buffer.from(zipFiles({ "index.mjs": "export const handler = async (event) => ({ echoed: event });" })).toString("base64") },
    }),
  });
  expect(created.status, await created.text()).toBe(201);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** One invocation through the first frontend: the echoed payload, or the failure as text. */
async function invoke(n: number): Promise<unknown> {
  const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/echo/invocations`, { method: "POST", body: JSON.stringify({ n }) });
  const text = await response.text();
  return response.status === 200 ? (JSON.parse(text) as unknown) : `${response.status} ${text}`;
}

/** Resolves once an invocation answers again. */
async function serving(n: number, after: string): Promise<void> {
  await eventually(async () => JSON.stringify(await invoke(n)) === JSON.stringify({ echoed: { n } }), {
    deadline: 60_000,
    message: `the cluster never served again after ${after}`,
  });
}

describe("a local cluster with restarts on", () => {
  it("serves before anything is killed", async () => {
    expect(await invoke(0)).toEqual({ echoed: { n: 0 } });
  });

  it.each([
    ["worker", () => cluster.workers[0]!],
    ["scheduler", () => cluster.schedulers[0]!],
    ["frontend", () => cluster.frontends[0]!],
  ] as const)("starts a killed %s again, says so, and serves", async (name, service) => {
    const before = events.length;
    const killed = service().process;
    await service().kill();
    await eventually(() => service().process !== killed && service().process.exitCode === null, {
      deadline: 30_000,
      message: `the ${name} was never started again`,
    });
    expect(events.slice(before)).toEqual([
      { service: `${name}-0`, event: { kind: "exited", code: null, signal: "SIGKILL", restartInMs: 250 } },
      { service: `${name}-0`, event: { kind: "restarted" } },
    ]);
    await serving(1, `the ${name} was killed`);
  });

  it("starts a killed nats-server again on the same port and data, and serves", async () => {
    const before = events.length;
    const killed = cluster.nats!.process;
    await cluster.nats!.kill();
    await eventually(() => cluster.nats!.process !== killed, { deadline: 30_000, message: "nats-server was never started again" });
    expect(events.slice(before)).toEqual([
      { service: "nats", event: { kind: "exited", code: null, signal: "SIGKILL", restartInMs: 250 } },
      { service: "nats", event: { kind: "restarted" } },
    ]);
    // The function (stored in JetStream) is still there once the services have reconnected.
    await serving(2, "nats-server was killed");
  });

  it("restarts nothing while it stops", async () => {
    const before = events.length;
    const processes = [cluster.nats!, ...cluster.frontends, ...cluster.schedulers, ...cluster.workers].map((service) => service.process);
    await cluster.stop();
    for (const process of processes) expect(process.exitCode ?? process.signalCode, `pid ${process.pid}`).not.toBeNull();
    expect(events.slice(before)).toEqual([]);
  });
});
