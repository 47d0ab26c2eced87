import { describe, expect, it } from "vitest";
import { SchedulerLease } from "./scheduler-lease.js";

/** A lease of 2500 ms (a worker timeout of 5 s) on a clock the test moves. */
function leaseAt(start: number): { lease: SchedulerLease; clock: { now: number } } {
  const clock = { now: start };
  return { lease: new SchedulerLease(2_500, () => clock.now), clock };
}

describe("the worker's lease on its kept slots", () => {
  it("is not held before any leader has acknowledged a heartbeat", () => {
    const { lease } = leaseAt(1_000);
    expect(lease.held()).toBe(false);
  });

  it("runs for its duration from when the acknowledged heartbeat was sent, not from when the answer came", () => {
    const { lease, clock } = leaseAt(1_000);
    const sentAt = lease.sendTime();
    clock.now = 2_000;
    expect(lease.acknowledged({ term: 3, sentAt })).toBe(true);
    expect(lease.held()).toBe(true);
    clock.now = 3_499;
    expect(lease.held()).toBe(true);
    clock.now = 3_500;
    expect(lease.held()).toBe(false);
    // The next acknowledgement renews it.
    expect(lease.acknowledged({ term: 3, sentAt: 3_400 })).toBe(true);
    expect(lease.held()).toBe(true);
    clock.now = 5_900;
    expect(lease.held()).toBe(false);
  });

  it("is not renewed by an acknowledgement from an earlier term than one already heard of", () => {
    const { lease, clock } = leaseAt(0);
    expect(lease.acknowledged({ term: 5, sentAt: 0 })).toBe(true);
    clock.now = 2_000;
    expect(lease.acknowledged({ term: 4, sentAt: 2_000 })).toBe(false);
    clock.now = 2_600;
    expect(lease.held()).toBe(false);
    expect(lease.term).toBe(5);
  });

  it("stops counting a deposed leader's acknowledgements once a new leader has asked for reports", () => {
    const { lease, clock } = leaseAt(0);
    lease.acknowledged({ term: 5, sentAt: 0 });
    lease.heardOfTerm(8);
    clock.now = 1_000;
    expect(lease.acknowledged({ term: 5, sentAt: 1_000 })).toBe(false);
    expect(lease.acknowledged({ term: 8, sentAt: 1_000 })).toBe(true);
    clock.now = 3_499;
    expect(lease.held()).toBe(true);
    // An earlier term's announcement changes nothing.
    lease.heardOfTerm(2);
    expect(lease.term).toBe(8);
  });

  it("never runs further than its duration from now, whatever send time an acknowledgement claims", () => {
    const { lease, clock } = leaseAt(10_000);
    lease.acknowledged({ term: 1, sentAt: 1e12 });
    clock.now = 12_499;
    expect(lease.held()).toBe(true);
    clock.now = 12_500;
    expect(lease.held()).toBe(false);
  });

  it("is not shortened by a late acknowledgement of an older heartbeat", () => {
    const { lease, clock } = leaseAt(0);
    clock.now = 1_000;
    lease.acknowledged({ term: 1, sentAt: 1_000 });
    lease.acknowledged({ term: 1, sentAt: 0 });
    clock.now = 3_000;
    expect(lease.held()).toBe(true);
  });

  describe("a placed call's start", () => {
    it("is refused to a call placed in an earlier term than one heard of", () => {
      const { lease } = leaseAt(0);
      lease.acknowledged({ term: 4, sentAt: 0 });
      expect(lease.mayStart(4, lease.time())).toBe(true);
      lease.heardOfTerm(5);
      expect(lease.mayStart(4, lease.time())).toBe(false);
      expect(lease.mayStart(5, lease.time())).toBe(true);
    });

    it("is refused once the lease has been out for its whole duration since the call arrived, even after it is renewed", () => {
      const { lease, clock } = leaseAt(0);
      lease.acknowledged({ term: 1, sentAt: 0 });
      const arrivedAt = clock.now;
      // Out from 2500; at 4999 not yet for its whole duration.
      clock.now = 4_999;
      expect(lease.mayStart(1, arrivedAt)).toBe(true);
      clock.now = 5_000;
      expect(lease.mayStart(1, arrivedAt)).toBe(false);
      // Renewed at 6000: the call that arrived before the lapse still may not start; one that came after may.
      clock.now = 6_000;
      lease.acknowledged({ term: 1, sentAt: 6_000 });
      expect(lease.mayStart(1, arrivedAt)).toBe(false);
      expect(lease.mayStart(1, 5_500)).toBe(false);
      expect(lease.mayStart(1, 6_000)).toBe(true);
    });

    it("is not refused after a short lapse, which the leader cannot have counted as the worker lost", () => {
      const { lease, clock } = leaseAt(0);
      lease.acknowledged({ term: 1, sentAt: 0 });
      clock.now = 4_000;
      lease.acknowledged({ term: 1, sentAt: 3_900 });
      expect(lease.mayStart(1, 0)).toBe(true);
    });

    it("is not refused before any leader has acknowledged a heartbeat (a worker just started)", () => {
      const { lease, clock } = leaseAt(0);
      clock.now = 60_000;
      expect(lease.mayStart(1, 0)).toBe(true);
    });
  });
});
