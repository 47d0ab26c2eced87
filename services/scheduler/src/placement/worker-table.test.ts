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
});
