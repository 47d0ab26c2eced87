import { afterEach, describe, expect, it } from "vitest";
import { WarmPool, type PooledEnvironment, type WarmPoolOptions } from "./warm-pool.js";

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
function pool(options: Partial<WarmPoolOptions> = {}): WarmPool<FakeEnvironment> {
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
    expect(p.stats()).toEqual({ environments: 2, busy: 2, busyMemoryMb: 256, idle: {}, provisioned: {} });
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
    expect(p.stats()).toEqual({ environments: 1, busy: 0, busyMemoryMb: 0, idle: { b: 1 }, provisioned: {} });
  });

  it("gives the slot back when creation fails", async () => {
    const p = pool({ maxEnvironments: 1 });
    await expect(p.acquire("a", 128, async () => Promise.reject(new Error("init")))).rejects.toThrow("init");
    expect(p.stats().environments).toBe(0);
    expect((await p.acquire("a", 128, make("a"))).cold).toBe(true);
  });
});

describe("WarmPool provisioned environments", () => {
  it("waits idle for calls of its key, which take it warm", async () => {
    const p = pool();
    const made = await Promise.all([p.provision(128, make("p")), p.provision(128, make("p"))]);
    expect(p.stats()).toEqual({ environments: 2, busy: 0, busyMemoryMb: 0, idle: { p: 2 }, provisioned: { p: 2 } });
    const call = await p.acquire("p", 128, make("p"));
    expect(call.cold).toBe(false);
    expect(made).toContain(call.environment);
    expect(p.stats()).toMatchObject({ busy: 1, busyMemoryMb: 128, idle: { p: 1 }, provisioned: { p: 2 } });
    expect(p.release(call.environment, true)).toBe(true);
    expect(p.stats()).toMatchObject({ busy: 0, idle: { p: 2 }, provisioned: { p: 2 } });
  });

  it("is never reaped for idleness", async () => {
    const p = pool({ idleTimeoutMs: 1000 });
    const provisioned = await p.provision(128, make("p"));
    const ordinary = (await p.acquire("o", 128, make("o"))).environment;
    p.release(ordinary, true);
    p.reapIdle(1_000_000);
    expect(provisioned?.disposed).toBe(false);
    expect(ordinary.disposed).toBe(true);
    expect(p.stats()).toMatchObject({ environments: 1, idle: { p: 1 }, provisioned: { p: 1 } });
  });

  it("is never evicted to make room for another: ordinary idle ones go instead, else the call is refused", async () => {
    const p = pool({ maxEnvironments: 3 });
    const first = await p.provision(128, make("p"));
    const ordinary = (await p.acquire("o", 128, make("o"))).environment;
    p.release(ordinary, true);
    const second = await p.provision(128, make("p"));
    await p.acquire("x", 128, make("x"));
    expect(ordinary.disposed).toBe(true);
    await expect(p.acquire("y", 128, make("y"))).rejects.toMatchObject({ name: "TooManyRequestsException" });
    expect([first?.disposed, second?.disposed]).toEqual([false, false]);
    expect(p.stats().provisioned).toEqual({ p: 2 });
  });

  it("makes only what fits the slots and the memory", async () => {
    const bySlots = pool({ maxEnvironments: 2 });
    const slots = await Promise.all([1, 2, 3].map(() => bySlots.provision(128, make("p"))));
    expect(slots.filter((environment) => environment !== undefined)).toHaveLength(2);
    expect(bySlots.provisionedCount("p")).toBe(2);
    expect(await bySlots.provision(128, make("q"))).toBeUndefined();

    const byMemory = pool({ memoryMb: 1024 });
    const memory = await Promise.all([1, 2, 3].map(() => byMemory.provision(512, make("p", 512))));
    expect(memory.filter((environment) => environment !== undefined)).toHaveLength(2);
    expect(byMemory.stats()).toMatchObject({ environments: 2, provisioned: { p: 2 } });
  });

  it("lets idle ones go first when the count is lowered; a busy one becomes ordinary when its call ends", async () => {
    const p = pool({ idleTimeoutMs: 1000 });
    const made = await Promise.all([1, 2, 3].map(() => p.provision(128, make("p"))));
    const busy = (await p.acquire("p", 128, make("p"))).environment;
    expect(p.unprovision("p", 2)).toBe(2);
    expect(busy.disposed).toBe(false);
    expect(made.filter((environment) => environment?.disposed)).toHaveLength(2);
    expect(p.stats()).toMatchObject({ environments: 1, busy: 1, idle: {}, provisioned: { p: 1 } });

    expect(p.unprovision("p", 5)).toBe(1);
    expect(p.stats().provisioned).toEqual({});
    busy.lastUsed = 0;
    p.release(busy, true);
    expect(p.stats().idle).toEqual({ p: 1 });
    p.reapIdle(5000);
    expect(busy.disposed).toBe(true);
  });

  it("reports a provisioned environment lost to its call, but not one let go or closed", async () => {
    const lost: string[] = [];
    const p = pool({ onProvisionedLost: (key) => lost.push(key) });
    await Promise.all([1, 2, 3].map(() => p.provision(128, make("p"))));
    const crashed = (await p.acquire("p", 128, make("p"))).environment;
    expect(p.release(crashed, false)).toBe(false);
    expect(crashed.disposed).toBe(true);
    expect(lost).toEqual(["p"]);
    expect(p.provisionedCount("p")).toBe(2);
    p.unprovision("p", 1);
    const busy = (await p.acquire("p", 128, make("p"))).environment;
    p.close();
    p.release(busy, true);
    expect(busy.disposed).toBe(true);
    expect(lost).toEqual(["p"]);
    expect(p.stats()).toEqual({ environments: 0, busy: 0, busyMemoryMb: 0, idle: {}, provisioned: {} });
  });

  it("gives the slot back when creation fails, and makes nothing once closed", async () => {
    const p = pool({ maxEnvironments: 1 });
    await expect(p.provision(128, async () => Promise.reject(new Error("init")))).rejects.toThrow("init");
    expect(p.stats().environments).toBe(0);
    p.close();
    expect(await p.provision(128, make("p"))).toBeUndefined();
  });

  it("disposes one whose creation ends after the pool closed", async () => {
    const p = pool();
    let finish: (environment: FakeEnvironment) => void = () => undefined;
    const pending = p.provision(128, () => new Promise<FakeEnvironment>((resolve) => (finish = resolve)));
    p.close();
    const late = new FakeEnvironment("p");
    finish(late);
    expect(await pending).toBeUndefined();
    expect(late.disposed).toBe(true);
    expect(p.stats().environments).toBe(0);
  });
});
