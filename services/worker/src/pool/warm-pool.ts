// Warm environments by environment key. A call takes an idle environment of its key (the most recently
// used one) or makes a new one; a finished call returns it. Idle environments are reaped after the idle
// timeout, and the least recently used idle one is evicted when a new one needs its slot or memory.
// Provisioned environments are made ahead of traffic and wait among the idle ones, but are never reaped
// or evicted: they stay until their count is lowered or the pool closes.
// Busy environments reserve their full memory size; idle ones are charged what they actually hold.
// Memory held ahead of cold starts (Python spares) counts too, and is the first given back for a new one.
import { LambdaError } from "@lambent/errors";

/** What the pool needs of an environment (the isolate-backed Environment, or a stand-in in tests). */
export interface PooledEnvironment {
  readonly key: string;
  /** The function's memory size: what a busy environment may grow to. */
  readonly memoryMb: number;
  /** What the environment holds while idle (its measured heap), so thousands of small ones fit. */
  readonly idleMemoryMb: number;
  /** performance.now() milliseconds of the last finished call. */
  lastUsed: number;
  dispose(): void;
}

export interface WarmPoolOptions {
  maxEnvironments: number;
  /** Memory all environments together may be capped at, in MB. */
  memoryMb: number;
  idleTimeoutMs: number;
  /** Called when an idle environment is reaped, evicted, let go or closed, for logs and metrics. */
  onDiscard?: (environment: PooledEnvironment, reason: DiscardReason) => void;
  /** Called when a provisioned environment ends without being let go (its call timed out, ran out of memory or exited). */
  onProvisionedLost?: (key: string) => void;
  /** Memory held ahead of cold starts, counted beside the environments and dropped before any is evicted. */
  spareMemory?: SpareMemory | undefined;
}

/** Memory held ahead of cold starts (python-spares.ts). */
export interface SpareMemory {
  heldMb(): number;
  drop(): void;
}

export type DiscardReason = "idle" | "evicted" | "unprovisioned" | "closed";

export interface PoolStats {
  environments: number;
  busy: number;
  /** Memory the busy environments (and those being created) may grow to, in MB. */
  busyMemoryMb: number;
  idle: Record<string, number>;
  /** Provisioned environments, busy or idle, per key. */
  provisioned: Record<string, number>;
}

export interface Acquired<E> {
  environment: E;
  /** True when the environment was created for this call. */
  cold: boolean;
}

export class WarmPool<E extends PooledEnvironment> {
  private readonly idleByKey = new Map<string, E[]>();
  /** Idle environments, least recently used first (Map iteration order is insertion order). */
  private readonly idleOrder = new Set<E>();
  /** Slots (and memory) held by busy environments and by ones being created. */
  private busyCount = 0;
  private reservedMemoryMb = 0;
  private idleMemoryMb = 0;
  /** What each idle environment was charged when it went idle, so exactly that is given back. */
  private readonly idleCharge = new Map<E, number>();
  /** Environments made ahead of traffic, busy or idle: never reaped, never evicted. */
  private readonly provisioned = new Set<E>();
  private reaper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {
    const every = Math.max(250, Math.min(options.idleTimeoutMs / 2, 30_000));
    this.reaper = setInterval(() => this.reapIdle(performance.now()), every);
    this.reaper.unref();
  }

  /** An idle environment for the key, busy now; undefined when none is idle (no waiting either way). */
  takeWarm(key: string): E | undefined {
    const warm = this.takeIdle(key);
    if (!warm) return undefined;
    this.busyCount++;
    this.reservedMemoryMb += warm.memoryMb;
    return warm;
  }

  /** An idle environment for the key, else a new one from `create` once a slot (and the memory) is free. */
  async acquire(key: string, memoryMb: number, create: () => Promise<E>): Promise<Acquired<E>> {
    const warm = this.takeIdle(key);
    if (warm) {
      this.busyCount++;
      this.reservedMemoryMb += warm.memoryMb;
      return { environment: warm, cold: false };
    }
    if (!this.makeRoom(memoryMb)) {
      throw new LambdaError("TooManyRequestsException", "Rate Exceeded.", { Reason: "ConcurrentInvocationLimitExceeded" });
    }
    return { environment: await this.createReserved(memoryMb, create), cold: true };
  }

  /**
   * Makes one provisioned environment and leaves it idle for calls of its key to take. Resolves to
   * undefined when its slot or memory cannot be had without evicting another provisioned environment,
   * or when the pool closed while it was being made.
   */
  async provision(memoryMb: number, create: () => Promise<E>): Promise<E | undefined> {
    if (this.closed || !this.makeRoom(memoryMb)) return undefined;
    const environment = await this.createReserved(memoryMb, create);
    if (!this.release(environment, true)) return undefined;
    this.provisioned.add(environment);
    return environment;
  }

  /** Provisioned environments of the key, busy or idle. */
  provisionedCount(key: string): number {
    let count = 0;
    for (const environment of this.provisioned) if (environment.key === key) count++;
    return count;
  }

  /**
   * Lets `count` provisioned environments of the key go: idle ones are disposed first; a busy one stops
   * being provisioned and is an ordinary warm environment once its call ends. Returns how many went.
   */
  unprovision(key: string, count: number): number {
    let left = count;
    for (const environment of this.provisioned) {
      if (left === 0) break;
      if (environment.key !== key || !this.idleOrder.has(environment)) continue;
      this.provisioned.delete(environment);
      this.discardIdle(environment, "unprovisioned");
      left--;
    }
    for (const environment of this.provisioned) {
      if (left === 0) break;
      if (environment.key !== key) continue;
      this.provisioned.delete(environment);
      left--;
    }
    return count - left;
  }

  /** Ends a call: the environment waits for the next one, or is disposed when it must not be reused. */
  release(environment: E, reusable: boolean): boolean {
    this.busyCount--;
    this.reservedMemoryMb -= environment.memoryMb;
    if (!reusable || this.closed) {
      environment.dispose();
      if (this.provisioned.delete(environment) && !this.closed) this.options.onProvisionedLost?.(environment.key);
      return false;
    }
    let stack = this.idleByKey.get(environment.key);
    if (!stack) {
      stack = [];
      this.idleByKey.set(environment.key, stack);
    }
    stack.push(environment);
    this.idleOrder.add(environment);
    // Not capped at the memory size: /tmp lives in worker memory too and may be larger than the heap cap.
    const charge = environment.idleMemoryMb;
    this.idleCharge.set(environment, charge);
    this.idleMemoryMb += charge;
    return true;
  }

  stats(): PoolStats {
    const idle: Record<string, number> = {};
    let idleCount = 0;
    for (const [key, stack] of this.idleByKey) {
      idle[key] = stack.length;
      idleCount += stack.length;
    }
    const provisioned: Record<string, number> = {};
    for (const environment of this.provisioned) provisioned[environment.key] = (provisioned[environment.key] ?? 0) + 1;
    return { environments: this.busyCount + idleCount, busy: this.busyCount, busyMemoryMb: this.reservedMemoryMb, idle, provisioned };
  }

  reapIdle(now: number): void {
    for (const environment of this.idleOrder) {
      if (this.provisioned.has(environment)) continue;
      if (now - environment.lastUsed < this.options.idleTimeoutMs) return;
      this.discardIdle(environment, "idle");
    }
  }

  /** Disposes every idle environment; busy ones are disposed as they are released. */
  close(): void {
    this.closed = true;
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
    for (const environment of this.idleOrder) this.discardIdle(environment, "closed");
    this.provisioned.clear();
  }

  /** Holds a slot and the memory while `create` runs, and gives them back if it fails. */
  private async createReserved(memoryMb: number, create: () => Promise<E>): Promise<E> {
    this.busyCount++;
    this.reservedMemoryMb += memoryMb;
    try {
      return await create();
    } catch (error) {
      this.busyCount--;
      this.reservedMemoryMb -= memoryMb;
      throw error;
    }
  }

  private takeIdle(key: string): E | undefined {
    const stack = this.idleByKey.get(key);
    const environment = stack?.pop();
    if (!environment) return undefined;
    if (stack!.length === 0) this.idleByKey.delete(key);
    this.uncharge(environment);
    return environment;
  }

  /** Whether `memoryMb` more fits beside the environments and the spares, with nothing evicted or dropped. */
  hasRoomFor(memoryMb: number): boolean {
    return this.reservedMemoryMb + this.idleMemoryMb + (this.options.spareMemory?.heldMb() ?? 0) + memoryMb <= this.options.memoryMb;
  }

  /** Drops the spares, then evicts idle environments (least recently used first, never provisioned ones) until a new one fits. */
  private makeRoom(memoryMb: number): boolean {
    const fits = (): boolean =>
      this.busyCount + this.idleOrder.size < this.options.maxEnvironments &&
      this.reservedMemoryMb + this.idleMemoryMb + (this.options.spareMemory?.heldMb() ?? 0) + memoryMb <= this.options.memoryMb;
    if (!fits()) this.options.spareMemory?.drop();
    for (const environment of this.idleOrder) {
      if (fits()) return true;
      if (!this.provisioned.has(environment)) this.discardIdle(environment, "evicted");
    }
    return fits();
  }

  private uncharge(environment: E): void {
    this.idleOrder.delete(environment);
    this.idleMemoryMb -= this.idleCharge.get(environment) ?? 0;
    this.idleCharge.delete(environment);
  }

  private discardIdle(environment: E, reason: DiscardReason): void {
    this.uncharge(environment);
    const stack = this.idleByKey.get(environment.key);
    if (stack) {
      const index = stack.indexOf(environment);
      if (index >= 0) stack.splice(index, 1);
      if (stack.length === 0) this.idleByKey.delete(environment.key);
    }
    environment.dispose();
    this.options.onDiscard?.(environment, reason);
  }
}
