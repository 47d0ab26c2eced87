import { describe, expect, it } from "vitest";
import { RunningLeases, UNKNOWN_MEMORY_MB } from "./running-leases.js";

describe("RunningLeases", () => {
  it("lists each leased call from its start until it finished, with its memory once known", () => {
    const running = new RunningLeases();
    running.started({ term: 1, leaseId: 1 }, "a");
    running.started({ term: 2, leaseId: 1 }, "b");
    expect(running.list()).toEqual([
      { term: 1, leaseId: 1, functionName: "a", memoryMb: UNKNOWN_MEMORY_MB },
      { term: 2, leaseId: 1, functionName: "b", memoryMb: UNKNOWN_MEMORY_MB },
    ]);
    running.sized({ term: 2, leaseId: 1 }, 512);
    const snapshot = running.list();
    running.sized({ term: 2, leaseId: 1 }, 1024);
    expect(snapshot[1]).toMatchObject({ memoryMb: 512 });

    running.finished({ term: 1, leaseId: 1 });
    running.finished({ term: 1, leaseId: 1 });
    running.sized({ term: 1, leaseId: 1 }, 256);
    expect(running.list()).toEqual([{ term: 2, leaseId: 1, functionName: "b", memoryMb: 1024 }]);
    running.finished({ term: 2, leaseId: 1 });
    expect(running.list()).toEqual([]);
    running.started({ term: 2, leaseId: 2 }, "c");
    expect(running.list()).toEqual([{ term: 2, leaseId: 2, functionName: "c", memoryMb: UNKNOWN_MEMORY_MB }]);
  });
});
