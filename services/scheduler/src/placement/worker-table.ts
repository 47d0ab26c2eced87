// Live workers, their capacity and warm environments, fed by heartbeats and by our own placements.
import type { WorkerHeartbeat } from "@lambent/protocol";

export interface WorkerState {
  workerId: string;
  maxEnvironments: number;
  /** Calls running there, as far as this scheduler knows. */
  busy: number;
  /** Idle warm environments per environment key. */
  idle: Map<string, number>;
  draining: boolean;
  lastSeen: number;
}

export class WorkerTable {
  private readonly workers = new Map<string, WorkerState>();

  /** A heartbeat is the worker's own truth: it replaces what we had. */
  heartbeat(beat: WorkerHeartbeat, now: number): void {
    this.workers.set(beat.workerId, {
      workerId: beat.workerId,
      maxEnvironments: beat.maxEnvironments,
      busy: beat.busy,
      idle: new Map(Object.entries(beat.idle)),
      draining: beat.draining,
      lastSeen: now,
    });
  }

  remove(workerId: string): boolean {
    return this.workers.delete(workerId);
  }

  /** Workers not heard from since `deadline`. */
  silentSince(deadline: number): string[] {
    return [...this.workers.values()].filter((worker) => worker.lastSeen < deadline).map((worker) => worker.workerId);
  }

  get size(): number {
    return this.workers.size;
  }

  /**
   * Picks a worker for an environment key: one with an idle warm environment for it when any exists,
   * otherwise the one with the most free room. Marks the choice busy.
   */
  place(environmentKey: string): WorkerState | undefined {
    let warm: WorkerState | undefined;
    let roomiest: WorkerState | undefined;
    for (const worker of this.workers.values()) {
      if (worker.draining) continue;
      if ((worker.idle.get(environmentKey) ?? 0) > 0 && (!warm || worker.busy < warm.busy)) warm = worker;
      if (!roomiest || freeRoom(worker) > freeRoom(roomiest)) roomiest = worker;
    }
    const chosen = warm ?? roomiest;
    if (!chosen) return undefined;
    if (warm) decrementIdle(chosen, environmentKey);
    chosen.busy += 1;
    return chosen;
  }

  /** A call ended on a worker; its environment is idle again unless it was discarded. */
  released(workerId: string, idleEnvironment: string | undefined): void {
    const worker = this.workers.get(workerId);
    if (!worker) return;
    if (worker.busy > 0) worker.busy -= 1;
    if (idleEnvironment !== undefined) worker.idle.set(idleEnvironment, (worker.idle.get(idleEnvironment) ?? 0) + 1);
  }
}

function freeRoom(worker: WorkerState): number {
  return worker.maxEnvironments - worker.busy;
}

function decrementIdle(worker: WorkerState, key: string): void {
  const count = worker.idle.get(key) ?? 0;
  if (count <= 1) worker.idle.delete(key);
  else worker.idle.set(key, count - 1);
}
