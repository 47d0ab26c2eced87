import { describe, expect, it } from "vitest";
import type { WorkerHeartbeat } from "@lambent/protocol";
import { WorkerTable } from "./worker-table.js";

const beat = (workerId: string, idle: Record<string, number> = {}, busy = 0, memoryMb = 1024): WorkerHeartbeat => ({
  workerId,
  memoryMb,
  maxEnvironments: 10,
  environments: Object.values(idle).reduce((a, b) => a + b, 0) + busy,
  busy,
  busyMemoryMb: busy * 128,
  idle,
  provisioned: {},
  running: [],
  draining: false,
});

describe("worker table", () => {
  it("prefers a worker with an idle warm environment for the key", () => {
    const table = new WorkerTable();
    table.heartbeat(beat("a"), 0);
    table.heartbeat(beat("b", { "f:$LATEST:r1": 1 }, 5), 0);
    expect(table.place("f:$LATEST:r1", 128)?.workerId).toBe("b");
    // The one warm environment is now taken: the next call goes where there is most room.
    expect(table.place("f:$LATEST:r1", 128)?.workerId).toBe("a");
  });

  it("returns environments to the idle set when calls end", () => {
    const table = new WorkerTable();
    table.heartbeat(beat("a"), 0);
    table.heartbeat(beat("b", {}, 3), 0);
    table.released("b", 128, "g:1:r");
    expect(table.place("g:1:r", 128)?.workerId).toBe("b");
  });

  it("places by the room left for the function's memory, and nowhere when none is left", () => {
    const table = new WorkerTable();
    table.heartbeat(beat("small", {}, 0, 512), 0);
    table.heartbeat(beat("large", {}, 0, 2048), 0);
    expect(table.place("k", 1024)?.workerId).toBe("large");
    expect(table.place("k", 1024)?.workerId).toBe("large");
    // Neither worker has 1 GB left now.
    expect(table.place("k", 1024)).toBeUndefined();
    expect(table.place("k", 256)?.workerId).toBe("small");
  });

  it("skips draining workers and finds silent ones", () => {
    const table = new WorkerTable();
    table.heartbeat({ ...beat("a"), draining: true }, 0);
    expect(table.place("k", 128)).toBeUndefined();
    table.heartbeat(beat("b"), 100);
    expect(table.silentSince(50)).toEqual(["a"]);
  });

  it("keeps its index of warm environments true to the workers' own reports", () => {
    const table = new WorkerTable();
    table.heartbeat(beat("roomy", {}, 0, 8192), 0);
    table.heartbeat(beat("w", { "f:1:r": 1 }, 2), 0);
    // A newer heartbeat no longer reports the environment (reaped): the roomiest worker gets the call.
    table.heartbeat(beat("w", {}, 2), 1);
    expect(table.place("f:1:r", 128)?.workerId).toBe("roomy");
    // An environment idle again after a call is found warm.
    table.released("w", 128, "f:1:r");
    expect(table.place("f:1:r", 128)?.workerId).toBe("w");
    // A worker that is gone holds no warm environment any more.
    table.environmentIdle("w", "f:1:r");
    table.remove("w");
    expect(table.place("f:1:r", 128)?.workerId).toBe("roomy");
  });

  it("among warm workers picks the least busy, and skips draining and full ones", () => {
    const table = new WorkerTable();
    table.heartbeat(beat("busy", { k: 1 }, 6), 0);
    table.heartbeat(beat("quiet", { k: 1 }, 1), 0);
    table.heartbeat({ ...beat("draining", { k: 1 }, 0), draining: true }, 0);
    table.heartbeat(beat("full", { k: 1 }, 10), 0);
    expect(table.place("k", 128)?.workerId).toBe("quiet");
    expect(table.place("k", 128)?.workerId).toBe("busy");
  });
});
