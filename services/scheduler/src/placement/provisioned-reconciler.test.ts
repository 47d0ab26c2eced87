import { describe, expect, it } from "vitest";
import { ProvisionedReconciler, type ProvisionTarget } from "./provisioned-reconciler.js";
import type { WorkerState } from "./worker-table.js";

const worker = (workerId: string, provisioned: Record<string, number> = {}, draining = false): WorkerState => ({
  workerId,
  node: undefined,
  environments: 0,
  memoryMb: 4096,
  maxEnvironments: 100,
  busy: 0,
  busyMemoryMb: 0,
  idle: new Map(),
  provisioned,
  running: [],
  draining,
  lastSeen: 0,
});

const target: ProvisionTarget = { functionName: "f", version: "1", revisionId: "r", key: "f:1:r", count: 5 };

describe("provisioned reconciler", () => {
  it("spreads a target across workers", () => {
    const orders = new ProvisionedReconciler(1000).plan([target], [worker("a"), worker("b"), worker("c")], 0);
    expect(orders.map((order) => [order.workerId, order.request.count])).toEqual([
      ["a", 2],
      ["b", 2],
      ["c", 1],
    ]);
  });

  it("moves a lost or draining worker's share to the others and keeps what others hold", () => {
    const workers = [worker("a", { "f:1:r": 2 }), worker("b", { "f:1:r": 2 }), worker("c", { "f:1:r": 1 }, true)];
    const orders = new ProvisionedReconciler(1000).plan([target], workers, 0);
    expect(orders.map((order) => [order.workerId, order.request.count])).toEqual([["a", 3]]);
  });

  it("does not repeat an order until the worker had time to act on it", () => {
    const reconciler = new ProvisionedReconciler(1000);
    expect(reconciler.plan([target], [worker("a")], 0)).toHaveLength(1);
    expect(reconciler.plan([target], [worker("a")], 500)).toHaveLength(0);
    expect(reconciler.plan([target], [worker("a")], 1500)).toHaveLength(1);
    expect(reconciler.plan([target], [worker("a", { "f:1:r": 5 })], 1600)).toHaveLength(0);
  });

  it("lets go of environments of versions no longer provisioned", () => {
    const orders = new ProvisionedReconciler(1000).plan([], [worker("a", { "old:2:x": 3 })], 0);
    expect(orders).toEqual([{ workerId: "a", request: { functionName: "old", version: "2", revisionId: "x", count: 0 } }]);
  });

  it("counts what serving workers hold", () => {
    expect(ProvisionedReconciler.allocated("f:1:r", [worker("a", { "f:1:r": 2 }), worker("b", { "f:1:r": 3 }, true)])).toBe(2);
  });
});
