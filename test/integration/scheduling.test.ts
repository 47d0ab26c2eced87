// Scheduling at scale on real processes: 2 frontends, 2 schedulers and 3 workers on one nats-server.
// Limits hold exactly under bursts from both frontends (counted from inside the functions through a
// gate), throttles carry Lambda's reasons, warm environments are reused, provisioned environments exist
// before the first call, and killing a worker or the leading scheduler leaves the cluster serving with
// no slot leaked.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CreateFunctionCommand,
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Subjects, decodeJson, type ClusterStatus, type WorkerHeartbeat } from "@lambent/protocol";
import { eventually, lambdaClientConfig, startTestCluster, workerRunning, type TestCluster } from "@lambent/testkit";
import { gated, startGate, type Gate } from "../fixtures/gate.js";
import { hello } from "../fixtures/functions.js";

let cluster: TestCluster;
let gate: Gate;
let lambda: LambdaClient;
let nc: NatsConnection;
/** The latest heartbeat of every worker, as the schedulers hear them. */
const heartbeats = new Map<string, WorkerHeartbeat>();
let heartbeatSeen: (() => void)[] = [];

beforeAll(async () => {
  gate = await startGate();
  cluster = await startTestCluster({
    frontends: 2,
    schedulers: 2,
    workers: 3,
    env: {
      LAMBENT_ACCOUNT_CONCURRENCY: "8",
      LAMBENT_UNRESERVED_CONCURRENCY_MIN: "2",
      LAMBENT_FETCH_ALLOW: "127.0.0.1",
      LAMBENT_HEARTBEAT_MS: "200",
      LAMBENT_WORKER_TIMEOUT_MS: "1500",
      LAMBENT_LEADER_TIMEOUT_MS: "1000",
    },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect({ ...cluster.natsOptions() });
  nc.subscribe(Subjects.workerHeartbeat, {
    callback: (_error, msg) => {
      const beat = decodeJson(msg.data) as WorkerHeartbeat;
      heartbeats.set(beat.workerId, beat);
      const waiting = heartbeatSeen;
      heartbeatSeen = [];
      for (const wake of waiting) wake();
    },
  });
}, 120_000);

// A failure here comes with the services' last log lines, so a rare one can be explained afterwards.
beforeEach(({ onTestFailed }) => onTestFailed(() => console.error(cluster.logs().split("\n").slice(-400).join("\n"))));

afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
  await gate?.close();
});

interface Answer {
  status: number;
  errorType: string | null;
  body: string;
}

/** Invokes through frontend `frontend` (0 or 1) over plain HTTP, so throttles are seen as they are. */
async function invoke(functionName: string, event: unknown, frontend = 0, options: { qualifier?: string; tail?: boolean } = {}): Promise<Answer> {
  const query = options.qualifier ? `?Qualifier=${options.qualifier}` : "";
  const response = await fetch(`${cluster.endpoints[frontend]!.httpUrl}/2015-03-31/functions/${functionName}/invocations${query}`, {
    method: "POST",
    body: JSON.stringify(event),
    headers: options.tail ? { "X-Amz-Log-Type": "Tail" } : {},
  });
  const body = await response.text();
  const log = response.headers.get("x-amz-log-result");
  return {
    status: response.status,
    errorType: response.headers.get("x-amzn-errortype"),
    body: log ? `${body}\n${Buffer.from(log, "base64").toString()}` : body,
  };
}

async function createGated(name: string, reserved?: number): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/test",
      Code: { ZipFile: gated },
      Timeout: 30,
      Environment: { Variables: { GATE_URL: gate.url } },
    }),
  );
  if (reserved !== undefined) await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: reserved }));
}

let probes = 0;
/**
 * Waits until the leading scheduler applies every concurrency setting written so far: settings live in
 * one document, so once a fresh probe function reserved at 0 is throttled, all earlier writes are seen.
 */
async function settingsApplied(): Promise<void> {
  const probe = `probe-${++probes}`;
  await lambda.send(
    new CreateFunctionCommand({ FunctionName: probe, Runtime: "nodejs20.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/test", Code: { ZipFile: hello } }),
  );
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: probe, ReservedConcurrentExecutions: 0 }));
  await eventually(async () => (await invoke(probe, {})).status === 429, { deadline: 30_000, message: "the scheduler never applied the concurrency settings" });
}

/** Resolves once the latest heartbeats satisfy `predicate`. */
async function heartbeatsUntil<T>(predicate: (beats: WorkerHeartbeat[]) => T | undefined): Promise<T> {
  for (;;) {
    const found = predicate([...heartbeats.values()]);
    if (found !== undefined) return found;
    await new Promise<void>((resolve) => heartbeatSeen.push(resolve));
  }
}

function reason(answer: Answer): string | undefined {
  return (JSON.parse(answer.body) as { Reason?: string }).Reason;
}

/** Resolves once the gate holds the expected calls and every other call has been answered. */
async function settle(calls: Promise<Answer>[], inside: Record<string, number>): Promise<void> {
  let answered = 0;
  const expectedInside = Object.values(inside).reduce((a, b) => a + b, 0);
  const done = (): boolean => answered === calls.length - expectedInside && Object.entries(inside).every(([key, count]) => gate.inside(key) === count);
  const waiting = gate.until(done);
  for (const call of calls) void call.then(() => (answered++, gate.recheck()));
  await waiting;
}

describe("scheduling across 2 frontends, 2 schedulers and 3 workers", () => {
  it("holds reserved and account limits exactly under a burst from both frontends, with Lambda's reasons", async () => {
    await createGated("reserved-fn", 3);
    await createGated("shared-fn");
    await createGated("off-fn", 0);
    await settingsApplied();
    gate.shut();
    // Account limit 8, 3 reserved: the shared pool is 5.
    const reservedCalls = Array.from({ length: 12 }, (_, i) => invoke("reserved-fn", { key: "r" }, i % 2));
    const sharedCalls = Array.from({ length: 10 }, (_, i) => invoke("shared-fn", { key: "s" }, i % 2));
    await settle([...reservedCalls, ...sharedCalls], { r: 3, s: 5 });
    expect(gate.peak("r")).toBe(3);
    expect(gate.peak("s")).toBe(5);
    gate.open();
    const reservedAnswers = await Promise.all(reservedCalls);
    const sharedAnswers = await Promise.all(sharedCalls);
    expect(reservedAnswers.filter((answer) => answer.status === 200)).toHaveLength(3);
    expect(sharedAnswers.filter((answer) => answer.status === 200)).toHaveLength(5);
    for (const answer of reservedAnswers.filter((candidate) => candidate.status !== 200)) {
      expect(answer.status).toBe(429);
      expect(answer.errorType).toBe("TooManyRequestsException");
      expect(reason(answer)).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    }
    for (const answer of sharedAnswers.filter((candidate) => candidate.status !== 200)) {
      expect(answer.status).toBe(429);
      expect(reason(answer)).toBe("ConcurrentInvocationLimitExceeded");
    }
    const off = await invoke("off-fn", { key: "o" }, 1);
    expect(off.status).toBe(429);
    expect(reason(off)).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    // Every slot came back: the next calls run.
    expect((await invoke("reserved-fn", { key: "after" })).status).toBe(200);
    expect((await invoke("shared-fn", { key: "after" }, 1)).status).toBe(200);
  });

  it("reuses warm environments: a run of sequential calls through both frontends starts one", async () => {
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: "warm-fn", Runtime: "nodejs20.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/test", Code: { ZipFile: hello } }),
    );
    let coldStarts = 0;
    for (let i = 0; i < 20; i++) {
      const answer = await invoke("warm-fn", { name: String(i) }, i % 2, { tail: true });
      expect(answer.status).toBe(200);
      if (answer.body.includes("Init Duration")) coldStarts++;
    }
    expect(coldStarts).toBe(1);
  });

  it("initialises provisioned environments across workers before the first call", async () => {
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: "prov-fn", Runtime: "nodejs20.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/test", Code: { ZipFile: hello } }),
    );
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "prov-fn" }));
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "prov-fn", Qualifier: Version!, ProvisionedConcurrentExecutions: 3 }));
    const holders = await heartbeatsUntil((beats) => {
      const held = beats.map((beat) => provisionedOf(beat, `prov-fn:${Version!}:`));
      return held.reduce((a, b) => a + b, 0) === 3 ? held.filter((count) => count > 0).length : undefined;
    });
    expect(holders).toBeGreaterThanOrEqual(2);
    const config = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "prov-fn", Qualifier: Version! }));
    expect(config.Status).toBe("READY");
    expect(config.AllocatedProvisionedConcurrentExecutions).toBe(3);
    const first = await invoke("prov-fn", { name: "ready" }, 1, { qualifier: Version!, tail: true });
    expect(first.status).toBe(200);
    expect(first.body).toMatch(/REPORT RequestId/);
    expect(first.body).not.toMatch(/Init Duration/);
  });

  it("fails a killed worker's calls fast, frees their slots, and refills provisioned environments", async () => {
    gate.shut();
    let answered = 0;
    const calls = Array.from({ length: 3 }, (_, i) =>
      invoke("reserved-fn", { key: "k" }, i % 2).then((answer) => {
        answered++;
        gate.recheck();
        return answer;
      }),
    );
    await gate.until(() => gate.inside("k") === 3);
    // Every call is inside its function now, so every heartbeat from here on lists them.
    heartbeats.clear();
    const [victimId, running] = await heartbeatsUntil((beats) => {
      if (beats.length < 3) return undefined;
      // Kept slots no call runs in are listed too: only the calls running count.
      const runningCalls = (beat: WorkerHeartbeat) => beat.running.filter((lease) => lease.functionName === "reserved-fn" && !lease.idle);
      const busy = beats.find((beat) => runningCalls(beat).length > 0);
      return busy ? ([busy.workerId, runningCalls(busy).length] as const) : undefined;
    });
    const victim = workerRunning(cluster, victimId)!;
    await victim.kill();
    heartbeats.delete(victimId);
    // The killed worker's calls are answered while the gate still holds the others: they fail fast.
    await gate.until(() => answered === running);
    gate.open();
    const answers = await Promise.all(calls);
    const failed = answers.filter((answer) => answer.status !== 200);
    expect(failed).toHaveLength(running);
    for (const answer of failed) {
      expect(answer.status).toBe(500);
      expect(answer.errorType).toBe("ServiceException");
      expect(answer.body).toMatch(/worker/);
    }
    // A frontend may fail the calls (their socket closed) before the leader hears the worker is silent;
    // once the leader has removed it, the lost calls' slots are free again: three more run at once
    // (reserved concurrency is 3).
    await eventually(async () => (decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus).workers === 2, {
      deadline: 30_000,
      message: "the leader never removed the killed worker",
    });
    gate.shut();
    const next = Array.from({ length: 3 }, (_, i) => invoke("reserved-fn", { key: "k2" }, i % 2));
    await gate.until(() => gate.inside("k2") === 3);
    gate.open();
    for (const answer of await Promise.all(next)) expect(answer.status).toBe(200);
    // The lost worker's provisioned environments are made again on the others.
    await heartbeatsUntil((beats) => (beats.reduce((sum, beat) => sum + provisionedOf(beat, "prov-fn:1:"), 0) === 3 ? true : undefined));
    await cluster.add("worker", { LAMBENT_WORKER_TIMEOUT_MS: "1500" });
  });

  it("keeps serving, and keeps counting running calls, when the leading scheduler is killed", async () => {
    await createGated("takeover-fn", 2);
    await settingsApplied();
    gate.shut();
    const held = [invoke("takeover-fn", { key: "t" }, 0), invoke("takeover-fn", { key: "t" }, 1)];
    await gate.until(() => gate.inside("t") === 2);
    const leader = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
    const leaderProcess = cluster.schedulers.find((scheduler) => scheduler.ready["schedulerId"] === leader.schedulerId)!;
    await leaderProcess.kill();
    // The standby takes over, adopts the two running calls, and so still throttles a third.
    const during = await Promise.all([invoke("takeover-fn", { key: "t3" }, 0), invoke("takeover-fn", { key: "t3" }, 1)]);
    for (const answer of during) {
      expect(answer.status).toBe(429);
      expect(reason(answer)).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    }
    gate.open();
    for (const answer of await Promise.all(held)) expect(answer.status).toBe(200);
    // Their releases reached the new leader: both slots are free.
    gate.shut();
    const after = [invoke("takeover-fn", { key: "t4" }, 0), invoke("takeover-fn", { key: "t4" }, 1)];
    await gate.until(() => gate.inside("t4") === 2);
    gate.open();
    for (const answer of await Promise.all(after)) expect(answer.status).toBe(200);
    const successor = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
    expect(successor.schedulerId).not.toBe(leader.schedulerId);
    expect(successor.term).toBeGreaterThan(leader.term);
  });

  it("drains a worker asked to stop: it takes no new calls, finishes its running one, then leaves", async () => {
    gate.shut();
    const held = invoke("reserved-fn", { key: "drain" }, 0);
    await gate.until(() => gate.inside("drain") === 1);
    heartbeats.clear();
    const busyId = await heartbeatsUntil((beats) => beats.find((beat) => beat.running.some((lease) => lease.functionName === "reserved-fn" && !lease.idle))?.workerId);
    const busy = workerRunning(cluster, busyId)!;
    const stopped = busy.stop();
    await heartbeatsUntil((beats) => (beats.find((beat) => beat.workerId === busyId)?.draining ? true : undefined));
    // While it drains, new calls run elsewhere.
    gate.open();
    for (let i = 0; i < 3; i++) expect((await invoke("warm-fn", { name: "elsewhere" }, i % 2)).status).toBe(200);
    expect((await held).status).toBe(200);
    await stopped;
    expect(busy.process.exitCode).toBe(0);
  });
});

function provisionedOf(beat: WorkerHeartbeat, keyPrefix: string): number {
  let total = 0;
  for (const [key, count] of Object.entries(beat.provisioned ?? {})) if (key.startsWith(keyPrefix)) total += count;
  return total;
}
