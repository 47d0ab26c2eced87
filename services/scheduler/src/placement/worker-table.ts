// Live workers, their capacity, warm and provisioned environments and running calls, fed by heartbeats
// (every scheduler hears them, so a standby is ready to lead) and by the leader's own placements.
import type { RunningLease, WorkerHeartbeat } from "@lambent/protocol";

export interface WorkerState {
  workerId: string;
  /** The node (LAMBENT_NODE_ID) the worker runs on, as it reports it. */
  node: string | undefined;
  /** Environments alive there (busy or idle), as last reported. */
  environments: number;
  /** Memory the worker offers to environments, in MB. */
  memoryMb: number;
  maxEnvironments: number;
  /** Calls running there, as far as this scheduler knows. */
  busy: number;
  /** Memory those calls may grow to, in MB. */
  busyMemoryMb: number;
  /** Idle warm environments per environment key. */
  idle: Map<string, number>;
  /** Provisioned environments (busy or idle) per environment key, as last reported. */
  provisioned: Record<string, number>;
  /** Calls running under a lease, as last reported. */
  running: RunningLease[];
  draining: boolean;
  lastSeen: number;
}

export class WorkerTable {
  private readonly workers = new Map<string, WorkerState>();
  /**
   * Environment key → the workers with an idle environment of it. A warm call is placed by looking at
   * these alone, not at every worker: with hundreds of workers, a scan per call was most of the leader's
   * CPU per admission.
   */
  private readonly warm = new Map<string, Set<WorkerState>>();

  /** A heartbeat is the worker's own truth: it replaces what we had. */
  heartbeat(beat: WorkerHeartbeat, now: number): WorkerState {
    const previous = this.workers.get(beat.workerId);
    if (previous) this.unindex(previous);
    const state: WorkerState = {
      workerId: beat.workerId,
      node: beat.node,
      environments: beat.environments,
      memoryMb: beat.memoryMb,
      maxEnvironments: beat.maxEnvironments,
      busy: beat.busy,
      busyMemoryMb: beat.busyMemoryMb,
      idle: new Map(Object.entries(beat.idle)),
      provisioned: beat.provisioned,
      running: beat.running,
      draining: beat.draining,
      lastSeen: now,
    };
    this.workers.set(beat.workerId, state);
    for (const [key, count] of state.idle) if (count > 0) this.index(state, key);
    return state;
  }

  get(workerId: string): WorkerState | undefined {
    return this.workers.get(workerId);
  }

  remove(workerId: string): boolean {
    const worker = this.workers.get(workerId);
    if (worker) this.unindex(worker);
    return this.workers.delete(workerId);
  }

  /** Workers not heard from since `deadline`. */
  silentSince(deadline: number): string[] {
    return [...this.workers.values()].filter((worker) => worker.lastSeen < deadline).map((worker) => worker.workerId);
  }

  all(): IterableIterator<WorkerState> {
    return this.workers.values();
  }

  get size(): number {
    return this.workers.size;
  }

  /**
   * Picks a worker for a call: one with an idle warm environment for its key when any exists, otherwise
   * the one with room for the most more environments of this memory size. Marks the choice busy.
   * Undefined when no worker has room.
   */
  place(environmentKey: string, memoryMb: number): WorkerState | undefined {
    let warm: WorkerState | undefined;
    for (const worker of this.warm.get(environmentKey) ?? []) {
      if (worker.draining || worker.busy >= worker.maxEnvironments) continue;
      if (!warm || worker.busy < warm.busy) warm = worker;
    }
    const chosen = warm ?? this.roomiest(memoryMb);
    if (!chosen) return undefined;
    if (warm) this.decrementIdle(chosen, environmentKey);
    chosen.busy += 1;
    chosen.busyMemoryMb += memoryMb;
    return chosen;
  }

  /** The worker with room for the most more environments of `memoryMb`; undefined when none has room. */
  private roomiest(memoryMb: number): WorkerState | undefined {
    let roomiest: WorkerState | undefined;
    let roomiestFits = 0;
    for (const worker of this.workers.values()) {
      if (worker.draining) continue;
      const fits = roomFor(worker, memoryMb);
      if (fits > roomiestFits) {
        roomiest = worker;
        roomiestFits = fits;
      }
    }
    return roomiest;
  }

  /** A call on a kept slot ended: the slot stays busy, its environment is idle again. */
  environmentIdle(workerId: string, environmentKey: string): void {
    const worker = this.workers.get(workerId);
    if (worker) this.incrementIdle(worker, environmentKey);
  }

  /** A call ended on a worker; its environment is idle again unless it was discarded. */
  released(workerId: string, memoryMb: number, idleEnvironment: string | undefined): void {
    const worker = this.workers.get(workerId);
    if (!worker) return;
    if (worker.busy > 0) worker.busy -= 1;
    worker.busyMemoryMb = Math.max(0, worker.busyMemoryMb - memoryMb);
    if (idleEnvironment !== undefined) this.incrementIdle(worker, idleEnvironment);
  }

  private incrementIdle(worker: WorkerState, key: string): void {
    worker.idle.set(key, (worker.idle.get(key) ?? 0) + 1);
    this.index(worker, key);
  }

  private decrementIdle(worker: WorkerState, key: string): void {
    const count = worker.idle.get(key) ?? 0;
    if (count > 1) {
      worker.idle.set(key, count - 1);
      return;
    }
    worker.idle.delete(key);
    const holders = this.warm.get(key);
    holders?.delete(worker);
    if (holders?.size === 0) this.warm.delete(key);
  }

  private index(worker: WorkerState, key: string): void {
    let holders = this.warm.get(key);
    if (!holders) this.warm.set(key, (holders = new Set()));
    holders.add(worker);
  }

  private unindex(worker: WorkerState): void {
    for (const key of worker.idle.keys()) {
      const holders = this.warm.get(key);
      holders?.delete(worker);
      if (holders?.size === 0) this.warm.delete(key);
    }
  }
}

/** How many more environments of `memoryMb` the worker can run at once. */
export function roomFor(worker: WorkerState, memoryMb: number): number {
  const bySlots = worker.maxEnvironments - worker.busy;
  const byMemory = Math.floor((worker.memoryMb - worker.busyMemoryMb) / memoryMb);
  return Math.max(0, Math.min(bySlots, byMemory));
}
