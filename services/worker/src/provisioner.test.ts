import { afterEach, describe, expect, it } from "vitest";
import type { ProvisionRequest } from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import { Provisioner } from "./provisioner.js";
import { WarmPool, type PooledEnvironment } from "./pool/warm-pool.js";
import { functionRecord } from "./testing/fixtures.js";

class FakeEnvironment implements PooledEnvironment {
  lastUsed = 0;
  disposed = false;
  readonly idleMemoryMb = 2;
  constructor(
    readonly key: string,
    readonly memoryMb: number,
  ) {}
  dispose(): void {
    this.disposed = true;
  }
}

const pools: WarmPool<FakeEnvironment>[] = [];
afterEach(() => pools.splice(0).forEach((p) => p.close()));

const request = (count: number, overrides: Partial<ProvisionRequest> = {}): ProvisionRequest => ({
  functionName: "fn",
  version: "$LATEST",
  revisionId: "rev-1",
  count,
  ...overrides,
});
const KEY = "fn:$LATEST:rev-1";

function setup(options: { maxEnvironments?: number; fail?: boolean; missing?: boolean } = {}) {
  const warnings: string[] = [];
  const started: FakeEnvironment[] = [];
  let changes = 0;
  const record = functionRecord();
  const pool: WarmPool<FakeEnvironment> = new WarmPool<FakeEnvironment>({
    maxEnvironments: options.maxEnvironments ?? 100,
    memoryMb: 100_000,
    idleTimeoutMs: 60_000,
    onProvisionedLost: (key) => provisioner.replace(key),
  });
  pools.push(pool);
  const provisioner: Provisioner<FakeEnvironment> = new Provisioner<FakeEnvironment>({
    pool,
    registry: { getRevision: async () => (options.missing ? undefined : record) },
    start: async (key, found) => {
      if (options.fail) throw new Error("module failed to load");
      const environment = new FakeEnvironment(key, found.memorySize);
      started.push(environment);
      return environment;
    },
    logger: createLogger({ service: "worker-test", level: "warn", write: (line) => void warnings.push((JSON.parse(line) as { msg: string }).msg) }),
    onChange: () => void changes++,
  });
  return { pool, provisioner, started, warnings, changes: () => changes };
}

describe("Provisioner", () => {
  it("makes the count asked for, and overlapping requests for one key never make more", async () => {
    const { pool, provisioner, started, changes } = setup();
    await Promise.all([provisioner.request(request(3)), provisioner.request(request(3)), provisioner.request(request(2))]);
    expect(started).toHaveLength(3);
    expect(pool.provisionedCount(KEY)).toBe(2);
    await provisioner.request(request(2));
    expect(started).toHaveLength(3);
    expect(changes()).toBeGreaterThan(0);
    expect(pool.stats()).toMatchObject({ environments: 2, idle: { [KEY]: 2 }, provisioned: { [KEY]: 2 } });
  });

  it("lets extras go when the count is lowered, down to none", async () => {
    const { pool, provisioner, started } = setup();
    await provisioner.request(request(4));
    await provisioner.request(request(1));
    expect(started.filter((environment) => environment.disposed)).toHaveLength(3);
    await provisioner.request(request(0));
    expect(started.every((environment) => environment.disposed)).toBe(true);
    expect(pool.stats()).toMatchObject({ environments: 0, provisioned: {} });
  });

  it("makes what fits and warns about the rest", async () => {
    const { pool, provisioner, warnings } = setup({ maxEnvironments: 2 });
    await provisioner.request(request(5));
    expect(pool.provisionedCount(KEY)).toBe(2);
    expect(warnings).toEqual(["cannot provision environments: no room on this worker"]);
  });

  it("makes none and warns when the revision is unknown or its code fails to start", async () => {
    const missing = setup({ missing: true });
    await missing.provisioner.request(request(2));
    expect(missing.pool.stats().environments).toBe(0);
    expect(missing.warnings).toEqual(["cannot provision environments: function revision not found"]);

    const failing = setup({ fail: true });
    await failing.provisioner.request(request(2));
    expect(failing.pool.stats()).toMatchObject({ environments: 0, busy: 0, provisioned: {} });
    expect(failing.warnings).toEqual(["cannot provision environments: the function failed to start"]);
  });

  it("replaces a provisioned environment its call lost", async () => {
    const { pool, provisioner, started } = setup();
    await provisioner.request(request(2));
    const { environment } = await pool.acquire(KEY, 128, async () => new FakeEnvironment(KEY, 128));
    pool.release(environment, false);
    expect(pool.provisionedCount(KEY)).toBe(1);
    await provisioner.request(request(2));
    expect(started).toHaveLength(3);
    expect(pool.provisionedCount(KEY)).toBe(2);
  });

  it("takes no requests once closed", async () => {
    const { pool, provisioner } = setup();
    await provisioner.close();
    await provisioner.request(request(2));
    expect(pool.stats().environments).toBe(0);
  });
});
