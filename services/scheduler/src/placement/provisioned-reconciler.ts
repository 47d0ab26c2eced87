// Provisioned concurrency: how many initialised environments each version should have, spread across the
// workers. The reconciler compares that with what workers report in heartbeats and tells each worker
// the count it should hold; a worker that is lost or draining no longer counts, so its share moves to
// the others. An order is repeated only when a worker still disagrees after `resendAfterMs`.
import type { ProvisionRequest } from "@lambent/protocol";
import type { WorkerState } from "./worker-table.js";

/** Environments one version should have ready, across the cluster. */
export interface ProvisionTarget {
  functionName: string;
  version: string;
  revisionId: string;
  /** environmentKey(functionName, version, revisionId) */
  key: string;
  count: number;
}

export interface ProvisionOrder {
  workerId: string;
  request: ProvisionRequest;
}

export class ProvisionedReconciler {
  private readonly sent = new Map<string, { count: number; at: number }>();

  constructor(private readonly resendAfterMs: number) {}

  /** The orders that bring the workers to the targets. */
  plan(targets: ProvisionTarget[], workers: Iterable<WorkerState>, now: number): ProvisionOrder[] {
    const serving = [...workers].filter((worker) => !worker.draining).sort((a, b) => a.workerId.localeCompare(b.workerId));
    const orders: ProvisionOrder[] = [];
    const wanted = new Set<string>();
    for (const target of targets) {
      wanted.add(target.key);
      const shares = spread(target, serving);
      for (const worker of serving) this.order(orders, worker, target, shares.get(worker.workerId) ?? 0, now);
    }
    // Environments of versions no longer provisioned (config deleted, alias moved) are let go.
    for (const worker of serving) {
      for (const key of Object.keys(worker.provisioned)) {
        if (wanted.has(key)) continue;
        const target = targetOfKey(key);
        if (target) this.order(orders, worker, target, 0, now);
      }
    }
    return orders;
  }

  /** Provisioned environments of a key alive on serving workers. */
  static allocated(key: string, workers: Iterable<WorkerState>): number {
    let total = 0;
    for (const worker of workers) if (!worker.draining) total += worker.provisioned[key] ?? 0;
    return total;
  }

  private order(orders: ProvisionOrder[], worker: WorkerState, target: ProvisionTarget, count: number, now: number): void {
    const sentKey = `${worker.workerId}\u0000${target.key}`;
    if ((worker.provisioned[target.key] ?? 0) === count) {
      this.sent.delete(sentKey);
      return;
    }
    const last = this.sent.get(sentKey);
    if (last && last.count === count && now - last.at < this.resendAfterMs) return;
    this.sent.set(sentKey, { count, at: now });
    orders.push({
      workerId: worker.workerId,
      request: { functionName: target.functionName, version: target.version, revisionId: target.revisionId, count },
    });
  }
}

/**
 * Each serving worker's share of a target: keep what workers already hold where possible (no churn),
 * take the surplus from the fullest, give the shortfall to the emptiest.
 */
function spread(target: ProvisionTarget, serving: WorkerState[]): Map<string, number> {
  const shares = new Map(serving.map((worker) => [worker.workerId, worker.provisioned[target.key] ?? 0]));
  let total = 0;
  for (const share of shares.values()) total += share;
  while (total !== target.count && shares.size > 0) {
    const entries = [...shares.entries()];
    const [workerId, share] =
      total > target.count ? entries.reduce((a, b) => (b[1] > a[1] ? b : a)) : entries.reduce((a, b) => (b[1] < a[1] ? b : a));
    const step = total > target.count ? -1 : 1;
    shares.set(workerId, share + step);
    total += step;
  }
  return shares;
}

/** An environment key back to its parts (function names and versions never contain ':'). */
function targetOfKey(key: string): ProvisionTarget | undefined {
  const [functionName, version, revisionId, ...rest] = key.split(":");
  if (!functionName || !version || !revisionId || rest.length > 0) return undefined;
  return { functionName, version, revisionId, key, count: 0 };
}
