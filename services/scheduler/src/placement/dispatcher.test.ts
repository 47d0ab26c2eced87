import { describe, expect, it } from "vitest";
import type { Payload, PublishOptions } from "@nats-io/nats-core";
import type { LambdaError } from "@lambent/errors";
import type { ConcurrencySettings } from "@lambent/registry/functions";
import {
  Subjects,
  decodeInvocation,
  decodeInvocationResult,
  encodeInvocation,
  environmentKey,
  type InvocationRequest,
  type InvocationResult,
  type WorkerHeartbeat,
} from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import { ConcurrencyAccounting } from "../admission/concurrency-accounting.js";
import { Dispatcher, type InvocationMessage } from "./dispatcher.js";
import { LEASE_GRACE_MS, LeaseKeeper } from "./lease-keeper.js";
import { WorkerTable } from "./worker-table.js";

const TERM = 7;
const encoder = new TextEncoder();

const beat = (workerId: string, fields: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat => ({
  workerId,
  memoryMb: 1024,
  maxEnvironments: 10,
  environments: 0,
  busy: 0,
  busyMemoryMb: 0,
  idle: {},
  provisioned: {},
  running: [],
  draining: false,
  ...fields,
});

const call = (functionName = "fn"): InvocationRequest => ({
  header: { requestId: "req-1", functionName, qualifier: "$LATEST", version: "$LATEST", revisionId: "r1", invocationType: "RequestResponse", logType: "None" },
  payload: encoder.encode('{"order":42}'),
});

/**
 * A dispatcher over real admission counts, worker table and leases, whose published calls and counted
 * refusals are recorded; `records` stands in for the registry cache.
 */
function fixture(settings: ConcurrencySettings = { reserved: {}, provisioned: {} }, records: Record<string, { memorySize: number; timeout: number }> = {}) {
  let clock = 1_000_000;
  const admission = new ConcurrencyAccounting({ accountLimit: 10, unreservedMinimum: 1 }, () => settings);
  const workers = new WorkerTable();
  const logger = createLogger({ service: "scheduler", level: "error" });
  const leases = new LeaseKeeper({
    admission,
    workers,
    term: () => TERM,
    cachedTimeout: (functionName) => records[functionName]?.timeout,
    publish: () => undefined,
    workerTimeoutMs: 3_000,
    logger,
    now: () => clock,
  });
  const published: { subject: string; request: InvocationRequest; options: Partial<PublishOptions> | undefined }[] = [];
  const refusals: LambdaError[] = [];
  const dispatcher = new Dispatcher({
    admission,
    workers,
    leases,
    cachedRecord: (functionName) => records[functionName],
    publish: (subject, data, options) => published.push({ subject, request: decodeInvocation(data), options }),
    refused: (_header, error) => (refusals.push(error), error),
    logger,
  });
  return { dispatcher, admission, workers, leases, published, refusals, advance: (ms: number) => (clock += ms) };
}

/** A synchronous call's message whose answers (only refusals are answered here) are recorded. */
function message(data: Uint8Array, { reply }: { reply?: string } = { reply: "inbox.1" }) {
  const answers: InvocationResult[] = [];
  const msg: InvocationMessage = {
    data,
    reply,
    headers: undefined,
    respond: (payload?: Payload) => (answers.push(decodeInvocationResult(payload as Uint8Array)), true),
  };
  return { msg, answers };
}

describe("dispatcher", () => {
  it("places a call on a worker, opens its lease and forwards it with the answer's destination", () => {
    const { dispatcher, admission, leases, workers, published } = fixture();
    workers.heartbeat(beat("a"), 0);
    const request = call();
    expect(dispatcher.dispatch(request, "inbox.1")).toBeUndefined();
    expect(admission.inFlight).toBe(1);
    expect(leases.size).toBe(1);
    expect(published).toHaveLength(1);
    const [forwarded] = published;
    expect(forwarded?.subject).toBe(Subjects.workerInvoke("a"));
    expect(forwarded?.options).toEqual({ reply: "inbox.1" });
    expect(forwarded?.request.header).toEqual({ ...request.header, lease: { term: TERM, leaseId: 1 } });
    expect(forwarded?.request.payload).toEqual(request.payload);
  });

  it("forwards without a reply subject when nobody waits for the answer", () => {
    const { dispatcher, workers, published } = fixture();
    workers.heartbeat(beat("a"), 0);
    expect(dispatcher.dispatch(call(), undefined)).toBeUndefined();
    expect(published[0]?.options).toBeUndefined();
  });

  it("prefers a worker with a warm environment for the call's version and revision", () => {
    const { dispatcher, workers, published } = fixture();
    workers.heartbeat(beat("cold"), 0);
    workers.heartbeat(beat("warm", { busy: 3, idle: { [environmentKey("fn", "$LATEST", "r1")]: 1 } }), 0);
    dispatcher.dispatch(call(), "inbox.1");
    expect(published[0]?.subject).toBe(Subjects.workerInvoke("warm"));
  });

  it("places with the function's cached memory size and leases it for the cached timeout", () => {
    const { dispatcher, workers, leases, advance } = fixture(undefined, { big: { memorySize: 512, timeout: 10 } });
    workers.heartbeat(beat("a"), 0);
    dispatcher.dispatch(call("big"), "inbox.1");
    expect(workers.get("a")?.busyMemoryMb).toBe(512);
    advance(10_000 + LEASE_GRACE_MS + 1);
    leases.expireOverdue();
    expect(leases.size).toBe(0);
  });

  it("throttles a call over its function's limit without placing it", () => {
    const { dispatcher, workers, published, refusals } = fixture({ reserved: { fn: 0 }, provisioned: {} });
    workers.heartbeat(beat("a"), 0);
    const refused = dispatcher.dispatch(call(), "inbox.1");
    expect(refused?.type).toBe("TooManyRequestsException");
    expect(refused?.fields["Reason"]).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    expect(refusals).toEqual([refused]);
    expect(published).toEqual([]);
    expect(workers.get("a")?.busy).toBe(0);
  });

  it("fails a call when there is no worker at all, and gives its slot back", () => {
    const { dispatcher, admission, leases, refusals } = fixture();
    const refused = dispatcher.dispatch(call(), "inbox.1");
    expect(refused?.type).toBe("ServiceException");
    expect(refused?.message).toBe("No worker is available to run the invocation");
    expect(refusals).toEqual([refused]);
    expect(admission.inFlight).toBe(0);
    expect(leases.size).toBe(0);
  });

  it("throttles a call when every worker is full, and gives its slot back", () => {
    const { dispatcher, admission, workers } = fixture();
    workers.heartbeat(beat("full", { maxEnvironments: 1, busy: 1 }), 0);
    const refused = dispatcher.dispatch(call(), "inbox.1");
    expect(refused?.type).toBe("TooManyRequestsException");
    expect(refused?.fields["Reason"]).toBe("ConcurrentInvocationLimitExceeded");
    expect(refused?.message).toBe("Rate Exceeded. No worker has room for another execution environment.");
    expect(admission.inFlight).toBe(0);
  });

  describe("a synchronous call's message", () => {
    it("goes to the worker, which answers it", () => {
      const { dispatcher, workers, published } = fixture();
      workers.heartbeat(beat("a"), 0);
      const { msg, answers } = message(encodeInvocation(call()));
      dispatcher.place(msg);
      expect(published[0]?.options).toEqual({ reply: "inbox.1" });
      expect(answers).toEqual([]);
    });

    it("is answered here when refused, with the throttle's reason", () => {
      const { dispatcher, workers } = fixture({ reserved: { fn: 0 }, provisioned: {} });
      workers.heartbeat(beat("a"), 0);
      const { msg, answers } = message(encodeInvocation(call()));
      dispatcher.place(msg);
      expect(answers.map(({ header }) => header)).toEqual([
        {
          requestId: "req-1",
          executedVersion: "$LATEST",
          failure: { type: "TooManyRequestsException", message: "Rate Exceeded.", fields: { Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" } },
        },
      ]);
    });

    it("is answered with a ServiceException when it cannot be decoded", () => {
      const { dispatcher, published } = fixture();
      const { msg, answers } = message(encoder.encode("not a frame"));
      dispatcher.place(msg);
      expect(published).toEqual([]);
      expect(answers.map(({ header }) => header)).toEqual([
        { requestId: "unknown", executedVersion: "$LATEST", failure: { type: "ServiceException", message: "Malformed invocation message" } },
      ]);
    });

    it("is not answered when it has no reply subject", () => {
      const { dispatcher } = fixture();
      const { msg, answers } = message(encodeInvocation(call()), {});
      dispatcher.place(msg);
      expect(answers).toEqual([]);
    });
  });
});
