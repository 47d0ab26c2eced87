import { describe, expect, it } from "vitest";
import { decodeInvocationResult, type InvocationResult, type RunningLease, type WorkerHeartbeat } from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import { ConcurrencyAccounting } from "../admission/concurrency-accounting.js";
import { LEASE_GRACE_MS, LeaseKeeper } from "./lease-keeper.js";
import { WorkerTable } from "./worker-table.js";

const WORKER_TIMEOUT_MS = 3_000;
const NO_SETTINGS = { reserved: {}, provisioned: {} };

const beat = (workerId: string, running: RunningLease[] = []): WorkerHeartbeat => ({
  workerId,
  memoryMb: 1024,
  maxEnvironments: 10,
  environments: running.length,
  busy: running.length,
  busyMemoryMb: running.length * 128,
  idle: {},
  provisioned: {},
  running,
  draining: false,
});

/** A keeper leading in `term` over real admission counts and a real worker table, on a clock the test moves. */
function keeper(term = 7, timeouts: Record<string, number> = {}) {
  let clock = 1_000_000;
  const keptEnded: string[] = [];
  let currentTerm = term;
  const admission = new ConcurrencyAccounting({ accountLimit: 10, unreservedMinimum: 1 }, () => NO_SETTINGS);
  const workers = new WorkerTable();
  const failed: { subject: string; result: InvocationResult }[] = [];
  const leases = new LeaseKeeper({
    admission,
    workers,
    term: () => currentTerm,
    cachedTimeout: (functionName) => timeouts[functionName],
    publish: (subject, data) => failed.push({ subject, result: decodeInvocationResult(data) }),
    keptCallEnded: (workerId, functionName) => keptEnded.push(`${workerId}/${functionName}`),
    workerTimeoutMs: WORKER_TIMEOUT_MS,
    logger: createLogger({ service: "scheduler", level: "error" }),
    now: () => clock,
  });
  /** Admits and places a call of `functionName` on `workerId` as the dispatcher does. */
  const run = (functionName: string, workerId: string, replyTo?: string, kept = false) => {
    expect(admission.tryAcquire(functionName)).toBeUndefined();
    workers.place("key", 128);
    return leases.open({ workerId, functionName, memoryMb: 128, requestId: `req-${functionName}`, version: "$LATEST", replyTo, kept }, timeouts[functionName]);
  };
  return {
    leases,
    keptEnded,
    admission,
    workers,
    failed,
    run,
    advance: (ms: number) => (clock += ms),
    standBy: () => (currentTerm = 0),
  };
}

describe("lease keeper", () => {
  it("opens leases in the current term, numbered one after another", () => {
    const { leases, workers, run } = keeper(7);
    workers.heartbeat(beat("a"), 0);
    expect([run("f", "a"), run("f", "a")].map(({ term, leaseId }) => ({ term, leaseId }))).toEqual([
      { term: 7, leaseId: 1 },
      { term: 7, leaseId: 2 },
    ]);
    expect(leases.size).toBe(2);
  });

  it("closes a lease on its call's answer as a release would, once, and not after the worker was lost or standing by", () => {
    const { leases, admission, workers, run, standBy } = keeper();
    workers.heartbeat(beat("a"), 0);
    const answered = run("f", "a");
    const lost = run("g", "a");
    leases.answered({ term: answered.term, leaseId: answered.leaseId, idleEnvironment: "f:$LATEST:r1" });
    expect(admission.inFlight).toBe(1);
    expect(workers.get("a")?.busy).toBe(1);
    expect(workers.get("a")?.idle.get("f:$LATEST:r1")).toBe(1);
    // The same answer again (or a release after it) frees nothing more.
    leases.answered({ term: answered.term, leaseId: answered.leaseId });
    leases.released({ workerId: "a", releases: [{ term: answered.term, leaseId: answered.leaseId }] });
    expect(admission.inFlight).toBe(1);
    // A lost worker's failure answer reaches the caller after the lease was closed: nothing twice.
    leases.workerLost({ workerId: "a", reason: "crashed" });
    expect(admission.inFlight).toBe(0);
    leases.answered({ term: lost.term, leaseId: lost.leaseId });
    expect(admission.inFlight).toBe(0);
    standBy();
    expect(() => leases.answered({ term: 7, leaseId: 99 })).not.toThrow();
  });

  it("gives a released call's slot back and marks its environment idle, once", () => {
    const { leases, admission, workers, run } = keeper();
    workers.heartbeat(beat("a"), 0);
    const first = run("f", "a");
    run("f", "a");
    const release = { workerId: "a", releases: [{ term: first.term, leaseId: first.leaseId, idleEnvironment: "f:$LATEST:r1" }] };
    leases.released(release);
    expect(admission.inFlight).toBe(1);
    expect(workers.get("a")?.busy).toBe(1);
    expect(workers.get("a")?.idle.get("f:$LATEST:r1")).toBe(1);
    // A duplicate (or late) release of the same lease frees nothing more.
    leases.released(release);
    expect(admission.inFlight).toBe(1);
    expect(workers.get("a")?.busy).toBe(1);
  });

  it("keeps a kept slot counted when its call ends, and says so, so a lowered limit can take it back", () => {
    const { leases, admission, workers, keptEnded, run } = keeper();
    workers.heartbeat(beat("a"), 0);
    const kept = run("f", "a", undefined, true);
    leases.released({ workerId: "a", releases: [{ term: kept.term, leaseId: kept.leaseId, kept: true, idleEnvironment: "f:$LATEST:r1" }] });
    expect(admission.inFlight).toBe(1);
    expect(keptEnded).toEqual(["a/f"]);
    // A release for a lease this leader does not hold says nothing.
    leases.released({ workerId: "a", releases: [{ term: kept.term, leaseId: kept.leaseId + 1, kept: true }] });
    expect(keptEnded).toEqual(["a/f"]);
  });

  it("fails a lost worker's calls at once, to the callers waiting for them", () => {
    const { leases, admission, workers, failed, run } = keeper();
    workers.heartbeat(beat("a"), 0);
    workers.heartbeat(beat("b"), 0);
    run("f", "a", "inbox.1");
    run("g", "a");
    run("f", "b", "inbox.2");
    leases.workerLost({ workerId: "a", reason: "silent" });
    expect(workers.get("a")).toBeUndefined();
    expect(admission.inFlight).toBe(1);
    expect(leases.size).toBe(1);
    // The call without a caller waiting (an adopted one) only gives its slot back.
    expect(failed).toHaveLength(1);
    expect(failed[0]?.subject).toBe("inbox.1");
    expect(failed[0]?.result.header).toMatchObject({
      requestId: "req-f",
      executedVersion: "$LATEST",
      failure: { type: "ServiceException", message: "The worker running this invocation was lost (heartbeat missed)" },
    });
  });

  it("loses the workers silent for the worker timeout, and only those", () => {
    const { leases, workers, advance, run, failed } = keeper();
    workers.heartbeat(beat("quiet"), 1_000_000);
    run("f", "quiet", "inbox.1");
    advance(WORKER_TIMEOUT_MS);
    leases.heartbeat(beat("chatty"));
    leases.loseSilentWorkers();
    expect(workers.get("quiet")).toBeDefined();
    advance(1);
    leases.loseSilentWorkers();
    expect(workers.get("quiet")).toBeUndefined();
    expect(workers.get("chatty")).toBeDefined();
    expect(failed.map(({ subject }) => subject)).toEqual(["inbox.1"]);
  });

  it("reclaims a lease that outlives its function's timeout by the grace period", () => {
    const { leases, admission, workers, advance, run } = keeper(7, { f: 3 });
    workers.heartbeat(beat("a"), 0);
    run("f", "a");
    advance(3_000 + LEASE_GRACE_MS);
    leases.expireOverdue();
    expect(leases.size).toBe(1);
    advance(1);
    leases.expireOverdue();
    expect(leases.size).toBe(0);
    expect(admission.inFlight).toBe(0);
  });

  it("adopts the calls a worker reports that an earlier leader placed, and frees them once it no longer lists them", () => {
    const { leases, admission, run } = keeper(7);
    const earlier = (leaseId: number): RunningLease => ({ term: 5, leaseId, functionName: "f", memoryMb: 128 });
    leases.heartbeat(beat("a", [earlier(1), earlier(2)]));
    expect(leases.size).toBe(2);
    expect(admission.inFlight).toBe(2);
    // A call of our own term may still be on its way to the worker: unlisted, it stays.
    run("g", "a");
    leases.heartbeat(beat("a", [earlier(1)]));
    expect(leases.size).toBe(2);
    expect(admission.inFlight).toBe(2);
    leases.heartbeat(beat("a", []));
    expect(leases.size).toBe(1);
    expect(admission.inFlight).toBe(1);
  });

  it("gives an adopted call the longest timeout when its function is not cached", () => {
    const { leases, advance } = keeper(7);
    leases.heartbeat(beat("a", [{ term: 5, leaseId: 1, functionName: "unknown", memoryMb: 128 }]));
    advance(900_000 + LEASE_GRACE_MS);
    leases.expireOverdue();
    expect(leases.size).toBe(1);
    advance(1);
    leases.expireOverdue();
    expect(leases.size).toBe(0);
  });

  it("keeps no leases while standing by, but still follows the workers", () => {
    const { leases, admission, workers, failed, run, standBy } = keeper(7);
    workers.heartbeat(beat("a"), 0);
    run("f", "a", "inbox.1");
    standBy();
    leases.forget();
    expect(leases.size).toBe(0);
    expect(admission.inFlight).toBe(0);
    leases.heartbeat(beat("b", [{ term: 5, leaseId: 1, functionName: "f", memoryMb: 128 }]));
    expect(workers.get("b")).toBeDefined();
    expect(leases.size).toBe(0);
    expect(admission.inFlight).toBe(0);
    leases.workerLost({ workerId: "a" });
    expect(workers.get("a")).toBeUndefined();
    expect(failed).toEqual([]);
  });
});
