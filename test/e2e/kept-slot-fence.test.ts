// The fence on kept slots under load, on real processes: calls of a function with reserved concurrency 2
// keep coming from several callers while the only scheduler stops and later returns. The slots the worker
// reports holding (what a leader counts of it) never exceed the reservation; once no leader acknowledges
// the worker's heartbeats its warm calls are refused with ServiceException rather than run on; when a
// scheduler returns, calls are served (or throttled) again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Subjects, parseHeartbeat, parseHeartbeatAck, parseJson } from "@lambent/protocol";
import { lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { sleeper } from "../fixtures/functions.js";

const RESERVED = 2;
const CALLERS = 4;

let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;
/** The most slots of `capped` (running calls and kept slots) any one heartbeat reported. */
let mostSlotsReported = 0;
let heartbeatsSeen = 0;

beforeAll(async () => {
  cluster = await startTestCluster({ frontends: 1, schedulers: 1, workers: 1 });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "capped", sleeper, { Timeout: 10 });
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "capped", ReservedConcurrentExecutions: RESERVED }));
  nc = await connect(cluster.natsOptions());
  nc.subscribe(Subjects.workerHeartbeat, {
    callback: (_error, msg) => {
      const beat = parseHeartbeat(parseJson(msg.data));
      if (!beat) return;
      heartbeatsSeen++;
      mostSlotsReported = Math.max(mostSlotsReported, beat.running.filter((lease) => lease.functionName === "capped").length);
    },
  });
}, 300_000);

afterAll(async () => {
  await nc?.close();
  lambda?.destroy();
  await cluster?.stop();
});

interface Answer {
  status: number;
  errorType: string | null;
}

async function invoke(): Promise<Answer> {
  const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/capped/invocations`, { method: "POST", body: JSON.stringify({ ms: 20 }) });
  await response.arrayBuffer();
  return { status: response.status, errorType: response.headers.get("x-amzn-errortype") };
}

/** `CALLERS` callers, each calling until `done` says stop (or `limit` calls), collecting every answer. */
async function callers(done: (answer: Answer) => boolean, limit: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      for (let calls = 0; calls < limit; calls++) {
        const answer = await invoke();
        answers.push(answer);
        if (done(answer)) return;
      }
    }),
  );
  return answers;
}

const kind = (answer: Answer): string => `${answer.status} ${answer.errorType ?? ""}`.trim();

describe("kept slots fenced by the leader's acknowledgements", () => {
  it("never reports more slots than reserved, refuses warm calls once no scheduler acknowledges the worker, and serves them when one returns", async () => {
    const before = await callers(() => false, 40);
    expect(before.filter((answer) => answer.status !== 200 && answer.status !== 429).map(kind)).toEqual([]);
    expect(before.some((answer) => answer.status === 200)).toBe(true);

    // Every caller keeps calling while the scheduler stops, until its own call is refused.
    const stopping = cluster.schedulers[0]!.stop();
    const during = await callers((answer) => answer.status === 500, 5_000);
    await stopping;
    const refused = during.filter((answer) => answer.status !== 200 && answer.status !== 429);
    expect(refused.map(kind)).toEqual(Array.from({ length: CALLERS }, () => "500 ServiceException"));

    const worker = await new Promise<string>((resolve) => {
      const beats = nc.subscribe(Subjects.workerHeartbeat, {
        callback: (_error, msg) => {
          const beat = parseHeartbeat(parseJson(msg.data));
          if (!beat) return;
          beats.unsubscribe();
          resolve(beat.workerId);
        },
      });
    });
    const acknowledged = new Promise<number>((resolve) => {
      const acks = nc.subscribe(Subjects.workerLease(worker), {
        callback: (_error, msg) => {
          const ack = parseHeartbeatAck(parseJson(msg.data));
          if (!ack) return;
          acks.unsubscribe();
          resolve(ack.term);
        },
      });
    });
    await nc.flush();
    await cluster.add("scheduler");
    expect(await acknowledged).toBeGreaterThan(0);

    const after = await callers(() => false, 40);
    expect(after.filter((answer) => answer.status !== 200 && answer.status !== 429).map(kind)).toEqual([]);
    expect(after.some((answer) => answer.status === 200)).toBe(true);

    expect(heartbeatsSeen).toBeGreaterThan(0);
    expect(mostSlotsReported).toBeGreaterThan(0);
    expect(mostSlotsReported).toBeLessThanOrEqual(RESERVED);
  });
});
