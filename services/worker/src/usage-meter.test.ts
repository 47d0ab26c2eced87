// UsageMeter over a real nats-server: two meters (two workers) counting into the same hours add up exactly,
// each call lands in the UTC hour its clock says, and the running totals still sum every call.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { Buckets, Streams } from "@lambent/protocol";
import { decodeUsage, openUsageBucket, usageHourKey, usageKey, type UsageCounters } from "@lambent/registry/usage";
import { createLogger } from "@lambent/telemetry";
import type { InvocationLog } from "./log-buffer.js";
import { UsageMeter } from "./usage-meter.js";

let dir: string;
let server: RunningNatsServer;
let nc: NatsConnection;
let functions: KV;
let hours: KV;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "usage-meter-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
  functions = await new Kvm(nc).create(Buckets.functions, { history: 1 });
  hours = await openUsageBucket(nc, { retentionDays: 90, replicas: 1, applyRetention: false });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const call = (functionName: string, billedDurationMs: number, memorySizeMb = 128): InvocationLog => ({
  functionName,
  version: "$LATEST",
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: "stream",
  requestId: "id",
  lines: [],
  billing: { billedDurationMs, memorySizeMb },
});

async function stored(kv: KV, key: string): Promise<UsageCounters | undefined> {
  const entry = await kv.get(key);
  return entry?.operation === "PUT" ? decodeUsage(entry.value) : undefined;
}

describe("UsageMeter", () => {
  it("adds two workers' calls into the hour each call finished in", async () => {
    const warnings: string[] = [];
    const logger = createLogger({ level: "warn", service: "usage-meter-test", write: (line) => warnings.push(line) });
    const tenPast = Date.UTC(2026, 11, 7, 10, 10);
    let clockA = tenPast;
    let clockB = tenPast + 20 * 60_000;
    const a = new UsageMeter(functions, hours, logger, 60_000, () => clockA);
    const b = new UsageMeter(functions, hours, logger, 60_000, () => clockB);
    a.write(call("hourly", 10));
    b.write(call("hourly", 20));
    b.write(call("hourly", 30, 256));
    clockA = Date.UTC(2026, 11, 7, 11, 0);
    clockB = Date.UTC(2026, 11, 7, 11, 59, 59);
    a.write(call("hourly", 5));
    b.write(call("hourly", 7));
    a.write({ ...call("hourly", 0), billing: undefined });
    await Promise.all([a.flush(), b.flush()]);

    expect(await stored(hours, usageHourKey("hourly", "$LATEST", tenPast))).toEqual({
      requests: 3,
      billedDurationMs: 60,
      megabyteMilliseconds: 128 * 10 + 128 * 20 + 256 * 30,
    });
    expect(await stored(hours, "20261207.11.hourly.LATEST")).toEqual({ requests: 2, billedDurationMs: 12, megabyteMilliseconds: 128 * 12 });
    expect(await stored(hours, "20261207.12.hourly.LATEST")).toBeUndefined();
    expect(await stored(functions, usageKey("hourly", "$LATEST"))).toEqual({ requests: 5, billedDurationMs: 72, megabyteMilliseconds: 128 * 42 + 256 * 30 });

    // A second flush adds to what is stored; nothing pending writes nothing.
    a.write(call("hourly", 1));
    await Promise.all([a.flush(), b.flush()]);
    expect((await stored(hours, "20261207.11.hourly.LATEST"))?.requests).toBe(3);
    expect(warnings).toEqual([]);
  });

  it("keeps the hours as long as the retention says, and follows a changed retention where asked to", async () => {
    const jsm = await jetstreamManager(nc);
    const stream = Streams.keyValue(Buckets.usage);
    expect((await jsm.streams.info(stream)).config.max_age).toBe(90 * 86_400 * 1e9);
    // A worker opening it leaves an existing bucket's retention alone; a frontend applies its own.
    await openUsageBucket(nc, { retentionDays: 7, replicas: 1, applyRetention: false });
    expect((await jsm.streams.info(stream)).config.max_age).toBe(90 * 86_400 * 1e9);
    await openUsageBucket(nc, { retentionDays: 30, replicas: 1, applyRetention: true });
    expect((await jsm.streams.info(stream)).config.max_age).toBe(30 * 86_400 * 1e9);
  });
});
