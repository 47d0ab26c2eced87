import { afterEach, describe, expect, it } from "vitest";
import { WarmPool, type PooledEnvironment } from "./warm-pool.js";

class FakeEnvironment implements PooledEnvironment {
  lastUsed = 0;
  disposed = false;
  constructor(
    readonly key: string,
    readonly memoryMb = 128,
    readonly idleMemoryMb = memoryMb,
  ) {}
  dispose(): void {
    this.disposed = true;
  }
}

const pools: WarmPool<FakeEnvironment>[] = [];
function pool(options: Partial<{ maxEnvironments: number; memoryMb: number; idleTimeoutMs: number }> = {}): WarmPool<FakeEnvironment> {
  const created = new WarmPool<FakeEnvironment>({ maxEnvironments: 10, memoryMb: 100_000, idleTimeoutMs: 60_000, ...options });
  pools.push(created);
  return created;
}
afterEach(() => pools.splice(0).forEach((p) => p.close()));

const make = (key: string, memoryMb?: number, idleMemoryMb?: number) => async () => new FakeEnvironment(key, memoryMb, idleMemoryMb);

describe("WarmPool", () => {
  it("reuses an idle environment of the same key and creates one for a busy key", async () => {
    const p = pool();
    const first = await p.acquire("a", 128, make("a"));
    expect(first.cold).toBe(true);
    const second = await p.acquire("a", 128, make("a"));
    expect(second.environment).not.toBe(first.environment);
    expect(p.stats()).toEqual({ environments: 2, busy: 2, idle: {} });
    p.release(first.environment, true);
    const third = await p.acquire("a", 128, make("a"));
    expect(third).toEqual({ environment: first.environment, cold: false });
  });

  it("disposes an environment released as not reusable", async () => {
    const p = pool();
    const { environment } = await p.acquire("a", 128, make("a"));
    expect(p.release(environment, false)).toBe(false);
    expect(environment.disposed).toBe(true);
    expect(p.stats().environments).toBe(0);
  });

  it("evicts the least recently used idle environment when full, and refuses when all are busy", async () => {
    const p = pool({ maxEnvironments: 2 });
    const a = (await p.acquire("a", 128, make("a"))).environment;
    const b = (await p.acquire("b", 128, make("b"))).environment;
    p.release(a, true);
    p.release(b, true);
    const c = (await p.acquire("c", 128, make("c"))).environment;
    expect(a.disposed).toBe(true);
    expect(b.disposed).toBe(false);
    expect(p.stats().idle).toEqual({ b: 1 });
    await p.acquire("d", 128, make("d"));
    await expect(p.acquire("e", 128, make("e"))).rejects.toMatchObject({ name: "TooManyRequestsException" });
    expect(c.disposed).toBe(false);
  });

  it("evicts to stay within the memory budget", async () => {
    const p = pool({ memoryMb: 1024 });
    const big = (await p.acquire("big", 768, make("big", 768))).environment;
    p.release(big, true);
    await p.acquire("other", 512, make("other", 512));
    expect(big.disposed).toBe(true);
  });

  it("charges idle environments what they hold, not their memory size", async () => {
    const p = pool({ memoryMb: 1024, maxEnvironments: 1000 });
    const small: FakeEnvironment[] = [];
    for (let i = 0; i < 100; i++) {
      const environment = (await p.acquire(`k${i}`, 128, make(`k${i}`, 128, 2))).environment;
      p.release(environment, true);
      small.push(environment);
    }
    // 100 idle environments of 2 MB each leave room for a busy 128 MB one without evicting any.
    await p.acquire("busy", 128, make("busy"));
    expect(small.every((environment) => !environment.disposed)).toBe(true);
    expect(p.stats().environments).toBe(101);
  });

  it("reaps environments idle longer than the idle timeout", async () => {
    const p = pool({ idleTimeoutMs: 1000 });
    const old = (await p.acquire("a", 128, make("a"))).environment;
    const fresh = (await p.acquire("b", 128, make("b"))).environment;
    old.lastUsed = 0;
    fresh.lastUsed = 5000;
    p.release(old, true);
    p.release(fresh, true);
    p.reapIdle(5500);
    expect(old.disposed).toBe(true);
    expect(fresh.disposed).toBe(false);
    expect(p.stats()).toEqual({ environments: 1, busy: 0, idle: { b: 1 } });
  });

  it("gives the slot back when creation fails", async () => {
    const p = pool({ maxEnvironments: 1 });
    await expect(p.acquire("a", 128, async () => Promise.reject(new Error("init")))).rejects.toThrow("init");
    expect(p.stats().environments).toBe(0);
    expect((await p.acquire("a", 128, make("a"))).cold).toBe(true);
  });
});
