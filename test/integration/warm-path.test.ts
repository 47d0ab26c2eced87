// The warm path on real processes: once a function has run, its calls go straight from a frontend to the
// worker that keeps a warm environment and a slot for it, for as long as a leader acknowledges the worker's
// heartbeats (with every scheduler stopped, the worker declines them after half the worker timeout and
// takes them again once a scheduler returns); reserved concurrency still holds across frontends, since a
// slot one worker keeps unused is recalled before another frontend's call would be throttled; and a
// function spinning in a loop until its timeout does not hold up another function's calls in the same
// sandbox process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  Subjects,
  decodeInvocationResult,
  encodeInvocation,
  parseHeartbeat,
  parseHeartbeatAck,
  parseJson,
  type HeartbeatAck,
  type InvocationResult,
  type WorkerHeartbeat,
} from "@lambent/protocol";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { hello } from "../fixtures/functions.js";

let cluster: TestCluster;
let lambda: LambdaClient;

const spinner = zipFiles({
  "index.js": `exports.handler = async (event) => { if (event.spin) { while (true) {} } return "quick"; };`,
});

beforeAll(async () => {
  cluster = await startTestCluster({ frontends: 2, schedulers: 1, workers: 1, env: { LAMBENT_SANDBOXES: "1" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  const create = (name: string, zip: Uint8Array, timeout = 3) =>
    lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/test", Code: { ZipFile: zip }, Timeout: timeout }));
  await create("warm-hello", hello);
  await create("one-at-a-time", hello);
  await create("kept-busy", hello);
  await create("spinner", spinner, 5);
  await create("bystander", hello);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

interface Answer {
  status: number;
  errorType: string | null;
  body: string;
}

async function invoke(functionName: string, event: unknown, frontend = 0): Promise<Answer> {
  const response = await fetch(`${cluster.endpoints[frontend]!.httpUrl}/2015-03-31/functions/${functionName}/invocations`, { method: "POST", body: JSON.stringify(event) });
  return { status: response.status, errorType: response.headers.get("x-amzn-errortype"), body: await response.text() };
}

describe("the warm path", () => {
  it("throttles a function kept busy on its kept slot once its reservation is lowered to 0: the slot goes back as its call ends", async () => {
    // Calls one after another keep the worker's slot in use, so it never lingers unused long enough to go back by itself.
    for (let i = 0; i < 5; i++) expect((await invoke("kept-busy", { name: String(i) })).status).toBe(200);
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "kept-busy", ReservedConcurrentExecutions: 0 }));
    let calls = 0;
    let answer = await invoke("kept-busy", { name: "after" });
    // The leader hears of the change through the configuration bucket, a moment after the API answered.
    while (answer.status === 200 && ++calls < 2_000) answer = await invoke("kept-busy", { name: "after" });
    expect(answer).toMatchObject({ status: 429, errorType: "TooManyRequestsException" });
    // From then on the limit holds for every call.
    for (let i = 0; i < 5; i++) expect((await invoke("kept-busy", { name: "later" })).status).toBe(429);
  });

  it("keeps reserved concurrency exact across frontends: an unused kept slot is recalled, not a reason to throttle", async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "one-at-a-time", ReservedConcurrentExecutions: 1 }));
    // Each call through the other frontend finds the one slot kept by the worker for the first frontend's call.
    for (let i = 0; i < 6; i++) {
      const answer = await invoke("one-at-a-time", { name: String(i) }, i % 2);
      expect(answer).toMatchObject({ status: 200, errorType: null });
    }
  });

  it("lets another function's calls through while one spins in a loop until its timeout", async () => {
    for (let i = 0; i < 4; i++) expect((await invoke("spinner", {})).body).toBe('"quick"');
    expect((await invoke("bystander", { name: "first" })).status).toBe(200);
    const order: string[] = [];
    const spinning = invoke("spinner", { spin: true }).then((answer) => {
      order.push("spinner");
      return answer;
    });
    for (let i = 0; i < 3; i++) {
      expect((await invoke("bystander", { name: String(i) })).status).toBe(200);
      order.push("bystander");
    }
    const spun = await spinning;
    expect(spun.status).toBe(200);
    expect(JSON.parse(spun.body)).toMatchObject({ errorType: "Sandbox.Timedout" });
    expect(order).toEqual(["bystander", "bystander", "bystander", "spinner"]);
  });

  it("serves warm calls while a leader acknowledges the worker's heartbeats, declines them once none has for half the worker timeout, and serves them again when a scheduler returns", async () => {
    const nc = await connect(cluster.natsOptions());
    const route = await warmRoute(nc, "warm-hello");
    try {
      // Calls sent straight to the worker one after another keep its kept slot in use, so it never goes
      // back unused: only the fence can turn them away.
      let schedulersStopping = false;
      const direct = (async () => {
        for (let calls = 0; calls < 100_000; calls++) {
          const answer = await route.call(calls);
          if (answer.header.declined) return { declinedWhileSchedulersStopping: schedulersStopping, calls };
          expect(answer.header.functionError).toBeUndefined();
        }
        return { declinedWhileSchedulersStopping: false, calls: 100_000 };
      })();
      schedulersStopping = true;
      await Promise.all(cluster.schedulers.map((scheduler) => scheduler.stop()));
      const declined = await direct;
      expect(declined.declinedWhileSchedulersStopping).toBe(true);
      // The worker gives its kept slot back at its next sweep: from then on its heartbeats list none.
      let beat = await route.nextHeartbeat();
      for (let beats = 1; beats < 10 && beat.running.some((lease) => lease.kept); beats++) beat = await route.nextHeartbeat();
      expect(beat.running.filter((lease) => lease.kept)).toEqual([]);

      const acknowledged = route.nextAcknowledgement();
      await cluster.add("scheduler");
      // Once the new scheduler acknowledges the worker's heartbeat, it knows the worker and leads (or is about to).
      expect((await acknowledged).term).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) {
        const answer = await invoke("warm-hello", { name: String(i) });
        expect(answer, cluster.logs().slice(-6000)).toMatchObject({ status: 200, errorType: null });
        expect(JSON.parse(answer.body)).toMatchObject({ message: `hello ${i}` });
      }
      // The new leader granted a kept slot again, and acknowledges the worker: a call sent straight runs.
      const again = await route.call(0);
      expect(again.header.declined).toBeUndefined();
      expect(JSON.parse(new TextDecoder().decode(again.payload))).toMatchObject({ message: "hello straight 0" });
    } finally {
      route.close();
      await nc.close();
    }
  });
});

/**
 * Where a warm function's calls can go straight: warms it through the frontend until a worker's heartbeat
 * lists a kept slot of it and an idle environment (whose key names the revision), then sends calls to that
 * worker over NATS as a caller's warm path does, without a lease.
 */
async function warmRoute(nc: NatsConnection, functionName: string) {
  let found: { workerId: string; revisionId: string } | undefined;
  let beatWaiters: ((beat: WorkerHeartbeat) => void)[] = [];
  const prefix = `${functionName}:$LATEST:`;
  const heartbeats = nc.subscribe(Subjects.workerHeartbeat, {
    callback: (_error, msg) => {
      const beat = parseHeartbeat(parseJson(msg.data));
      if (!beat) return;
      const idleKey = Object.keys(beat.idle).find((key) => key.startsWith(prefix));
      if (!found && idleKey && beat.running.some((lease) => lease.kept && lease.functionName === functionName)) {
        found = { workerId: beat.workerId, revisionId: idleKey.slice(prefix.length) };
      }
      if (found?.workerId !== beat.workerId) return;
      for (const wake of beatWaiters) wake(beat);
      beatWaiters = [];
    },
  });
  for (let calls = 0; !found && calls < 5_000; calls++) expect((await invoke(functionName, { name: "warm" })).status).toBe(200);
  expect(found).toBeDefined();
  const { workerId, revisionId } = found!;
  return {
    call: async (n: number): Promise<InvocationResult> => {
      const frame = encodeInvocation({
        header: { requestId: `straight-${n}`, functionName, qualifier: "$LATEST", version: "$LATEST", revisionId, invocationType: "RequestResponse", logType: "None" },
        payload: new TextEncoder().encode(JSON.stringify({ name: `straight ${n}` })),
      });
      return decodeInvocationResult((await nc.request(Subjects.workerInvoke(workerId), frame, { timeout: 30_000 })).data);
    },
    nextHeartbeat: () => new Promise<WorkerHeartbeat>((resolve) => beatWaiters.push(resolve)),
    /** The next acknowledgement a leader sends the worker (its lease on kept slots). */
    nextAcknowledgement: async (): Promise<HeartbeatAck> => {
      const acks = nc.subscribe(Subjects.workerLease(workerId), { max: 1 });
      await nc.flush();
      for await (const msg of acks) {
        const ack = parseHeartbeatAck(parseJson(msg.data));
        if (ack) return ack;
      }
      throw new Error(`no acknowledgement reached ${workerId}`);
    },
    close: () => heartbeats.unsubscribe(),
  };
}
