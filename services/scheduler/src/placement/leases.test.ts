import { describe, expect, it } from "vitest";
import { LeaseTable, type Lease } from "./leases.js";

const fields = (workerId: string): Omit<Lease, "leaseId" | "term"> => ({
  workerId,
  functionName: "f",
  memoryMb: 128,
  requestId: "r",
  version: "$LATEST",
  replyTo: undefined,
  expiresAt: 0,
  kept: false,
});

describe("LeaseTable", () => {
  it("opens, finds and closes leases by term and number, counting them", () => {
    const table = new LeaseTable();
    const a = table.open(3, fields("w1"));
    const b = table.open(3, fields("w2"));
    expect(b.leaseId).toBe(a.leaseId + 1);
    table.adopt({ ...fields("w1"), term: 2, leaseId: a.leaseId });
    expect(table.size).toBe(3);
    expect(table.has(3, a.leaseId) && table.has(2, a.leaseId)).toBe(true);
    expect(table.close(3, a.leaseId)).toBe(a);
    expect(table.close(3, a.leaseId)).toBeUndefined();
    expect(table.has(3, a.leaseId)).toBe(false);
    expect(table.size).toBe(2);
    expect([...table.all()].map((lease) => `${lease.term}.${lease.workerId}`).sort()).toEqual(["2.w1", "3.w2"]);
  });

  it("counts a lease adopted twice once", () => {
    const table = new LeaseTable();
    table.adopt({ ...fields("w1"), term: 2, leaseId: 9 });
    table.adopt({ ...fields("w1"), term: 2, leaseId: 9 });
    expect(table.size).toBe(1);
  });

  it("closes the leases a predicate picks, skipping one term when asked", () => {
    const table = new LeaseTable();
    table.adopt({ ...fields("w1"), term: 1, leaseId: 1 });
    table.adopt({ ...fields("w2"), term: 1, leaseId: 2 });
    table.open(2, fields("w1"));
    expect(table.closeWhere((lease) => lease.workerId === "w1", 2).map((lease) => lease.term)).toEqual([1]);
    expect(table.size).toBe(2);
    expect(table.closeWhere((lease) => lease.workerId === "w1").map((lease) => lease.term)).toEqual([2]);
    expect(table.closeWhere(() => true)).toHaveLength(1);
    expect(table.size).toBe(0);
    table.open(4, fields("w3"));
    table.clear();
    expect(table.size).toBe(0);
    expect([...table.all()]).toEqual([]);
  });
});
