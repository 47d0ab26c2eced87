import { describe, expect, it } from "vitest";
import { WorkerTable } from "./worker-table.js";

const beat = (workerId: string, idle: Record<string, number> = {}, busy = 0) => ({
  workerId,
  memoryMb: 1024,
  maxEnvironments: 10,
  environments: Object.values(idle).reduce((a, b) => a + b, 0) + busy,
  busy,
  idle,
  draining: false,
});

describe("worker table", () => {
  it("prefers a worker with an idle warm environment for the key", () => {
    const table = new WorkerTable();
    table.heartbeat(beat("a"), 0);
    table.heartbeat(beat("b", { "f:$LATEST:r1": 1 }, 5), 0);
    expect(table.place("f:$LATEST:r1")?.workerId).toBe("b");
    // The one warm environment is now taken: the next call goes where there is most room.
    expect(table.place("f:$LATEST:r1")?.workerId).toBe("a");
  });

  it("returns environments to the idle set when calls end", () => {
    const table = new WorkerTable();
    table.heartbeat(beat("a"), 0);
    table.heartbeat(beat("b", {}, 3), 0);
    table.released("b", "g:1:r");
    expect(table.place("g:1:r")?.workerId).toBe("b");
  });

  it("skips draining workers and finds silent ones", () => {
    const table = new WorkerTable();
    table.heartbeat({ ...beat("a"), draining: true }, 0);
    expect(table.place("k")).toBeUndefined();
    table.heartbeat(beat("b"), 100);
    expect(table.silentSince(50)).toEqual(["a"]);
  });
});
