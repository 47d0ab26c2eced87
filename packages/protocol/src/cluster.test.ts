// The cluster messages' parsers: well-formed messages come through, malformed ones parse as undefined.
import { describe, expect, it } from "vitest";
import {
  encodeJson,
  parseHeartbeat,
  parseHeartbeatAck,
  parseJson,
  parseLeaseReleases,
  parseProvisionRequest,
  parseProvisionedStatusRequest,
  parseWorkerGone,
  type ProvisionRequest,
  type WorkerHeartbeat,
} from "./cluster.js";

const request = (count: number, overrides: Partial<ProvisionRequest> = {}): ProvisionRequest => ({
  functionName: "fn",
  version: "$LATEST",
  revisionId: "rev-1",
  count,
  ...overrides,
});

describe("parseJson", () => {
  it("parses JSON and answers undefined for anything else", () => {
    expect(parseJson(encodeJson({ workerId: "w" }))).toEqual({ workerId: "w" });
    expect(parseJson(new TextEncoder().encode("{not json"))).toBeUndefined();
  });
});

describe("parseHeartbeat", () => {
  const heartbeat: WorkerHeartbeat = {
    workerId: "w-1",
    memoryMb: 2048,
    maxEnvironments: 16,
    environments: 3,
    busy: 1,
    busyMemoryMb: 128,
    idle: { "fn:1:rev": 2 },
    provisioned: { "fn:1:rev": 1 },
    running: [{ term: 4, leaseId: 9, functionName: "fn", memoryMb: 256 }],
    draining: false,
  };

  it("accepts a well-formed heartbeat", () => {
    expect(parseHeartbeat(JSON.parse(JSON.stringify(heartbeat)))).toEqual(heartbeat);
  });

  it("fills what a heartbeat leaves out, and drops malformed counts and leases", () => {
    const parsed = parseHeartbeat({
      workerId: "w-2",
      maxEnvironments: 4,
      idle: { good: 1, bad: "2" },
      running: [{ term: 1, leaseId: 2, functionName: "fn" }, { term: "1", leaseId: 3, functionName: "fn" }, null],
      draining: "yes",
    });
    expect(parsed).toEqual({
      workerId: "w-2",
      memoryMb: 0,
      maxEnvironments: 4,
      environments: 0,
      busy: 0,
      busyMemoryMb: 0,
      idle: { good: 1 },
      provisioned: {},
      running: [{ term: 1, leaseId: 2, functionName: "fn", memoryMb: 128 }],
      draining: false,
    });
  });

  it("refuses a message without a worker id or a capacity", () => {
    for (const bad of [undefined, null, [], "w", { maxEnvironments: 4 }, { workerId: "w" }, { workerId: 1, maxEnvironments: 4 }]) {
      expect(parseHeartbeat(bad)).toBeUndefined();
    }
  });
});

describe("parseHeartbeatAck", () => {
  it("accepts a term and the heartbeat's send time, and the heartbeat keeps its send time", () => {
    expect(parseHeartbeatAck({ term: 7, sentAt: 1234.5 })).toEqual({ term: 7, sentAt: 1234.5 });
    expect(parseHeartbeat({ workerId: "w", maxEnvironments: 1, sentAt: 99.25 })?.sentAt).toBe(99.25);
  });

  it("refuses an acknowledgement without a real term or send time", () => {
    for (const bad of [undefined, null, [], { term: 7 }, { sentAt: 1 }, { term: 0, sentAt: 1 }, { term: 1.5, sentAt: 1 }, { term: "7", sentAt: 1 }, { term: 7, sentAt: "1" }]) {
      expect(parseHeartbeatAck(bad)).toBeUndefined();
    }
  });
});

describe("parseLeaseReleases", () => {
  it("keeps the well-formed releases and the idle environment they name", () => {
    const parsed = parseLeaseReleases({
      workerId: "w",
      releases: [{ term: 1, leaseId: 2, idleEnvironment: "fn:1:rev" }, { term: 1, leaseId: 3 }, { term: 1 }, "x"],
    });
    expect(parsed).toEqual({ workerId: "w", releases: [{ term: 1, leaseId: 2, idleEnvironment: "fn:1:rev" }, { term: 1, leaseId: 3 }] });
  });

  it("refuses a message without a worker id or a list", () => {
    for (const bad of [null, { releases: [] }, { workerId: "w" }, { workerId: "w", releases: {} }]) {
      expect(parseLeaseReleases(bad)).toBeUndefined();
    }
  });
});

describe("parseWorkerGone", () => {
  it("accepts a worker id and refuses anything else", () => {
    expect(parseWorkerGone({ workerId: "w", extra: 1 })).toEqual({ workerId: "w" });
    for (const bad of [null, [], { workerId: 3 }]) expect(parseWorkerGone(bad)).toBeUndefined();
  });
});

describe("parseProvisionRequest", () => {
  it("accepts a well-formed request and refuses anything else", () => {
    expect(parseProvisionRequest(request(0))).toEqual(request(0));
    for (const bad of [null, [], "x", { ...request(1), count: -1 }, { ...request(1), count: 1.5 }, { ...request(1), count: "1" }, { ...request(1), functionName: "" }, { ...request(1), revisionId: 3 }]) {
      expect(parseProvisionRequest(bad)).toBeUndefined();
    }
  });
});

describe("parseProvisionedStatusRequest", () => {
  it("accepts a function and qualifier and refuses anything else", () => {
    expect(parseProvisionedStatusRequest({ functionName: "fn", qualifier: "prod" })).toEqual({ functionName: "fn", qualifier: "prod" });
    for (const bad of [null, { functionName: "fn" }, { qualifier: "prod" }, { functionName: 1, qualifier: "prod" }]) {
      expect(parseProvisionedStatusRequest(bad)).toBeUndefined();
    }
  });
});
