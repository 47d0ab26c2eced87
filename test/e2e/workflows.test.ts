// Step Functions at scale and through faults, on real processes: a 1,000-item Map held to MaxConcurrency
// 10 as counted from inside the function, and the leading scheduler SIGKILLed in the middle of an
// execution, which the next leader finishes once, without running a completed state again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateStateMachineCommand, GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent, type SFNClient } from "@aws-sdk/client-sfn";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { join } from "node:path";
import { startNatsServer, waitUntilHealthy, type RunningNatsServer } from "@lambent/local-cluster";
import { Subjects, decodeJson, type ClusterStatus } from "@lambent/protocol";
import { eventually, lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { gated, startGate, type Gate } from "../fixtures/gate.js";
import { ROLE, finished, fnArn, sfnClient } from "../fixtures/workflows.js";

let cluster: TestCluster;
let lambda: LambdaClient;
let sfn: SFNClient;
let gate: Gate;
/** The gate of the function the kill happens in: shut until the new leader has started it again. */
let holdGate: Gate;
let nc: NatsConnection;
/** The nats-server started again by the restart test: stopped here, since the cluster knows only the first. */
let restartedNats: RunningNatsServer | undefined;

beforeAll(async () => {
  gate = await startGate();
  gate.open();
  holdGate = await startGate();
  cluster = await startTestCluster({
    schedulers: 2,
    workers: 1,
    env: { LAMBENT_FETCH_ALLOW: "127.0.0.1", LAMBENT_HEARTBEAT_MS: "200", LAMBENT_WORKER_TIMEOUT_MS: "1500", LAMBENT_LEADER_TIMEOUT_MS: "1000" },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  sfn = sfnClient(cluster.httpUrl);
  nc = await connect({ ...cluster.natsOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  await createTestFunction(lambda, "gated", gated, { Timeout: 60, Environment: { Variables: { GATE_URL: gate.url } } });
  await createTestFunction(lambda, "held", gated, { Timeout: 120, Environment: { Variables: { GATE_URL: holdGate.url } } });
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  sfn?.destroy();
  await nc?.close();
  await cluster?.stop();
  await restartedNats?.stop();
  await gate?.close();
  await holdGate?.close();
});

async function historyOf(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    events.push(...page.events!);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

describe("workflows at scale and through faults", () => {
  it("runs a 1,000-item Map with MaxConcurrency 10: never more than 10 items inside the function at once", async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: "thousand",
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: "Each",
          States: {
            Each: {
              Type: "Map",
              MaxConcurrency: 10,
              ItemSelector: { key: "map", "index.$": "$$.Map.Item.Index" },
              ItemProcessor: { StartAt: "Call", States: { Call: { Type: "Task", Resource: fnArn("gated"), End: true } } },
              ResultSelector: { "count.$": "States.ArrayLength($)" },
              End: true,
            },
          },
        }),
      }),
    );
    const items = Array.from({ length: 1000 }, (_, index) => index);
    // Held shut until ten items are inside at once, so the peak is reached however fast the machine is.
    gate.shut();
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(items) }));
    await gate.until(() => gate.inside("map") === 10);
    gate.open();
    const done = await finished(sfn, started.executionArn!, 600_000);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual({ count: 1000 });
    expect(gate.entries("map")).toBe(1000);
    expect(gate.peak("map")).toBeLessThanOrEqual(10);
    expect(gate.peak("map")).toBe(10);
  });

  it("finishes an execution once when the leading scheduler is SIGKILLed in the middle of it", async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: "survivor",
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: "Before",
          States: {
            Before: { Type: "Task", Resource: fnArn("gated"), Parameters: { key: "before" }, ResultPath: "$.before", Next: "Hold" },
            Hold: { Type: "Task", Resource: fnArn("held"), Parameters: { key: "hold" }, ResultPath: "$.hold", Next: "After" },
            After: { Type: "Task", Resource: fnArn("gated"), Parameters: { key: "after" }, ResultPath: "$.after", End: true },
          },
        }),
      }),
    );
    // "Before" passes; "Hold" waits inside the function at its shut gate.
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: "{}" }));
    await holdGate.until(() => holdGate.inside("hold") === 1);
    const leader = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
    await cluster.schedulers.find((scheduler) => scheduler.ready["schedulerId"] === leader.schedulerId)!.kill();
    // The standby leads and starts the held task again: at least once, as the history says.
    await eventually(async () => (await historyOf(started.executionArn!)).filter((event) => event.type === "LambdaFunctionScheduled").length >= 3, {
      deadline: 60_000,
      message: "the new leader never started the held task again",
    });
    holdGate.open();
    const done = await finished(sfn, started.executionArn!, 120_000);
    expect(done.status).toBe("SUCCEEDED");
    const events = await historyOf(started.executionArn!);
    expect(events.filter((event) => event.type === "ExecutionSucceeded")).toHaveLength(1);
    const entered = events.filter((event) => event.type === "TaskStateEntered").map((event) => event.stateEnteredEventDetails!.name);
    expect(entered).toEqual(["Before", "Hold", "After"]);
    expect(gate.entries("before")).toBe(1);
    expect(gate.entries("after")).toBe(1);
    expect(holdGate.entries("hold")).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(done.output!)).toEqual({ before: { passed: "before" }, hold: { passed: "hold" }, after: { passed: "after" } });
  });

  it("finishes an execution once across a nats-server restart in the middle of a Wait", async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: "nats-restart",
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: "First",
          States: {
            First: { Type: "Task", Resource: fnArn("gated"), Parameters: { key: "restart-first" }, ResultPath: "$.first", Next: "Pause" },
            Pause: { Type: "Wait", Seconds: 3, Next: "Second" },
            Second: { Type: "Task", Resource: fnArn("gated"), Parameters: { key: "restart-second" }, ResultPath: "$.second", End: true },
          },
        }),
      }),
    );
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: "{}" }));
    await eventually(async () => (await historyOf(started.executionArn!)).some((event) => event.type === "WaitStateEntered"), { deadline: 60_000, message: "the wait never began" });
    const port = cluster.nats!.port;
    await cluster.nats!.stop();
    restartedNats = await startNatsServer({ storeDir: join(cluster.dataDir, "nats"), port });
    await waitUntilHealthy(cluster.httpUrl);
    const done = await finished(sfn, started.executionArn!, 120_000);
    expect(done.status).toBe("SUCCEEDED");
    expect(gate.entries("restart-first")).toBe(1);
    expect(gate.entries("restart-second")).toBe(1);
    const events = await historyOf(started.executionArn!);
    expect(events.filter((event) => event.type === "ExecutionSucceeded")).toHaveLength(1);
    expect(events.filter((event) => event.type === "WaitStateExited")).toHaveLength(1);
  });
});
