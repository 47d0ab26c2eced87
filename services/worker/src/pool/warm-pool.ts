// Warm environments by environment key. A call takes an idle environment of its key (the most recently
// used one) or makes a new one; a finished call returns it. Idle environments are reaped after the idle
// timeout, and the least recently used idle one is evicted when a new one needs its slot or memory.
// Busy environments reserve their full memory size; idle ones are charged what they actually hold.
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
  /** Called when an environment is reaped or evicted, for logs and metrics. */
  onDiscard?: (environment: PooledEnvironment, reason: "idle" | "evicted" | "closed") => void;
}

export interface PoolStats {
  environments: number;
  busy: number;
  idle: Record<string, number>;
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
  private reaper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {
    const every = Math.max(250, Math.min(options.idleTimeoutMs / 2, 30_000));
    this.reaper = setInterval(() => this.reapIdle(performance.now()), every);
    this.reaper.unref();
  }

  /** An idle environment for the key, else a new one from `create` once a slot (and the memory) is free. */
  async acquire(key: string, memoryMb: number, create: () => Promise<E>): Promise<Acquired<E>> {
    const warm = this.takeIdle(key);
    if (warm) {
      this.busyCount++;
      this.reservedMemoryMb += warm.memoryMb;
      return { environment: warm, cold: false };
    }
    this.makeRoom(memoryMb);
    this.busyCount++;
    this.reservedMemoryMb += memoryMb;
    try {
      return { environment: await create(), cold: true };
    } catch (error) {
      this.busyCount--;
      this.reservedMemoryMb -= memoryMb;
      throw error;
    }
  }

  /** Ends a call: the environment waits for the next one, or is disposed when it must not be reused. */
  release(environment: E, reusable: boolean): boolean {
    this.busyCount--;
    this.reservedMemoryMb -= environment.memoryMb;
    if (!reusable || this.closed) {
      environment.dispose();
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
    return { environments: this.busyCount + idleCount, busy: this.busyCount, idle };
  }

  reapIdle(now: number): void {
    for (const environment of this.idleOrder) {
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
  }

  private takeIdle(key: string): E | undefined {
    const stack = this.idleByKey.get(key);
    const environment = stack?.pop();
    if (!environment) return undefined;
    if (stack!.length === 0) this.idleByKey.delete(key);
    this.uncharge(environment);
    return environment;
  }

  private makeRoom(memoryMb: number): void {
    const fits = (): boolean =>
      this.busyCount + this.idleOrder.size < this.options.maxEnvironments &&
      this.reservedMemoryMb + this.idleMemoryMb + memoryMb <= this.options.memoryMb;
    for (const environment of this.idleOrder) {
      if (fits()) return;
      this.discardIdle(environment, "evicted");
    }
    if (!fits()) {
      throw new LambdaError("TooManyRequestsException", "Rate Exceeded.", { Reason: "ConcurrentInvocationLimitExceeded" });
    }
  }

  private uncharge(environment: E): void {
    this.idleOrder.delete(environment);
    this.idleMemoryMb -= this.idleCharge.get(environment) ?? 0;
    this.idleCharge.delete(environment);
  }

  private discardIdle(environment: E, reason: "idle" | "evicted" | "closed"): void {
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
