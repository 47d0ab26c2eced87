// The workers a caller can send calls straight to, as their heartbeats and answers tell it: where each
// runs (its node and, on the caller's own node, its Unix socket), which warm environments it has with
// slots it keeps for their functions, and when it was last heard. Workers that leave, crash or fall
// silent are forgotten, and the caller is told so it can fail the calls it sent there.
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { Subjects, parseHeartbeat, parseJson, parseWorkerGone, type WorkerGone, type WorkerHeartbeat } from "@lambent/protocol";

export interface KnownWorker {
  workerId: string;
  node: string | undefined;
  socket: string | undefined;
  draining: boolean;
  lastSeen: number;
}

export interface WorkerDirectoryOptions {
  nc: NatsConnection;
  /** This caller's node: workers there are reached by their socket. */
  nodeId: string;
  /** A worker not heard from for this long is gone. */
  workerTimeoutMs: number;
  /** Told of every worker that has gone (left, crashed, fell silent). */
  onGone(gone: WorkerGone): void;
  now?: () => number;
}

/** The most workers remembered per environment key: enough to spread calls, bounded for any key count. */
const ROUTES_PER_KEY = 16;
const MAX_KEYS = 100_000;

export class WorkerDirectory {
  private readonly workers = new Map<string, KnownWorker>();
  /** Environment key → workers with a warm environment of it and a kept slot of its function. */
  private readonly routes = new Map<string, string[]>();
  private subscriptions: Subscription[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: WorkerDirectoryOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    const { nc } = this.options;
    this.subscriptions = [
      nc.subscribe(Subjects.workerHeartbeat, {
        callback: (_error, msg) => {
          const beat = parseHeartbeat(parseJson(msg.data));
          if (beat) this.heard(beat);
        },
      }),
      nc.subscribe(Subjects.workerGone, {
        callback: (_error, msg) => {
          const gone = parseWorkerGone(parseJson(msg.data));
          if (gone) this.gone(gone);
        },
      }),
    ];
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.floor(this.options.workerTimeoutMs / 2)));
    this.sweeper.unref();
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    clearInterval(this.sweeper);
  }

  worker(workerId: string): KnownWorker | undefined {
    return this.workers.get(workerId);
  }

  /** True when the worker runs on this caller's node and listens on a socket. */
  isLocal(worker: KnownWorker): boolean {
    return worker.socket !== undefined && worker.node === this.options.nodeId;
  }

  /** The worker answered a call of `key`: its environment is warm and it keeps a slot for the function. */
  learn(key: string, workerId: string): void {
    const list = this.routes.get(key);
    if (list) {
      if (!list.includes(workerId)) {
        list.push(workerId);
        if (list.length > ROUTES_PER_KEY) list.shift();
      }
      return;
    }
    if (this.routes.size >= MAX_KEYS) this.routes.clear();
    this.routes.set(key, [workerId]);
  }

  /** The worker declined a call of `key` (no free kept slot): not a route until it says otherwise. */
  forget(key: string, workerId: string): void {
    const list = this.routes.get(key);
    if (!list) return;
    const index = list.indexOf(workerId);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.routes.delete(key);
  }

  /**
   * The worker to send a call of `key` to: one with a route that is not draining, on this node when one
   * is, and of those the one this caller has fewest calls waiting on. Undefined: ask the scheduler.
   */
  pick(key: string, load: (workerId: string) => number): string | undefined {
    const list = this.routes.get(key);
    if (!list) return undefined;
    let best: string | undefined;
    let bestScore = Infinity;
    for (const workerId of list) {
      const worker = this.workers.get(workerId);
      if (!worker || worker.draining) continue;
      // Local workers first: a remote one only wins when no local one is known.
      const score = load(workerId) + (this.isLocal(worker) ? 0 : 1_000_000);
      if (score < bestScore) {
        best = workerId;
        bestScore = score;
      }
    }
    return best;
  }

  private heard(beat: WorkerHeartbeat): void {
    this.workers.set(beat.workerId, { workerId: beat.workerId, node: beat.node, socket: beat.socket, draining: beat.draining, lastSeen: this.now() });
    if (beat.draining) return;
    // Warm environments whose function the worker keeps a slot for are routes.
    const keptFunctions = new Set<string>();
    for (const lease of beat.running) if (lease.kept) keptFunctions.add(lease.functionName);
    if (keptFunctions.size === 0) return;
    for (const key of Object.keys(beat.idle)) {
      if (keptFunctions.has(key.slice(0, key.indexOf(":")))) this.learn(key, beat.workerId);
    }
  }

  private gone(gone: WorkerGone): void {
    // Told even of a worker not heard from yet: calls may have gone to it through an answer's route.
    this.workers.delete(gone.workerId);
    this.options.onGone(gone);
  }

  private sweep(): void {
    const deadline = this.now() - this.options.workerTimeoutMs;
    for (const worker of this.workers.values()) {
      if (worker.lastSeen < deadline) this.gone({ workerId: worker.workerId, reason: "silent" });
    }
  }
}
