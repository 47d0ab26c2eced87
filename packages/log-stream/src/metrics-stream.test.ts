// The metrics history over a real nats-server: writers' minutes published on flush and summed per minute
// by the reader, zeros where nothing ran, and durations read back as bucket percentiles.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { eventually } from "@lambent/testkit";
import { MINUTE_MS, durationPercentile } from "./metric-minutes.js";
import { MAX_SERIES_PER_FUNCTION, MetricsRecorder, ensureMetricsStream, readMetricsHistories, readMetricsHistory } from "./metrics-stream.js";

let dir: string;
let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "metrics-stream-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the metrics history", () => {
  it("reads zeros for every minute before the stream exists", async () => {
    const now = Date.now();
    const minutes = await readMetricsHistory(nc, "nothing-yet", new Date(now - 3 * MINUTE_MS), new Date(now));
    expect(minutes).toHaveLength(4);
    expect(minutes.every((minute) => minute.invocations === 0 && minute.throttles === 0)).toBe(true);
  });

  it("sums two writers' records of the same minutes and keeps the highest concurrency", async () => {
    await ensureMetricsStream(nc, 1);
    await ensureMetricsStream(nc, 1);
    // Two writers' clocks in the same two minutes, the first a minute before now.
    const thisMinute = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    let clock = thisMinute - MINUTE_MS;
    const worker = new MetricsRecorder(nc, undefined, () => clock);
    const scheduler = new MetricsRecorder(nc, undefined, () => clock);
    worker.ran("orders", 3, false);
    worker.ran("orders", 40, true);
    scheduler.throttled("orders");
    scheduler.concurrency("orders", 2);
    worker.flush();
    scheduler.flush();
    clock = thisMinute;
    worker.ran("orders", 700, false);
    scheduler.concurrency("orders", 5);
    scheduler.concurrency("orders", 1);
    scheduler.concurrency("other", 0);
    worker.ran("other", 1, false);
    worker.flush();
    scheduler.stop();

    await eventually(async () => {
      const [previous, current] = await readMetricsHistory(nc, "orders", new Date(thisMinute - MINUTE_MS), new Date(thisMinute));
      expect(previous).toMatchObject({ minute: thisMinute - MINUTE_MS, invocations: 2, errors: 1, throttles: 1, concurrency: 2 });
      expect(current).toMatchObject({ minute: thisMinute, invocations: 1, errors: 0, throttles: 0, concurrency: 5 });
      expect(durationPercentile(previous!.durationBuckets, 0.5)).toBe(5);
      expect(durationPercentile(previous!.durationBuckets, 0.99)).toBe(50);
      expect(durationPercentile(current!.durationBuckets, 0.5)).toBe(1000);
      return true;
    }, { deadline: 10_000, message: "the two writers' minutes were never read back" });
    const [, other] = await readMetricsHistory(nc, "other", new Date(thisMinute - MINUTE_MS), new Date(thisMinute));
    expect(other).toMatchObject({ invocations: 1, concurrency: 0 });

    // Several functions in one read, by one shared consumer or (past a record count) one each: each
    // function its own minutes, and zeros for one that never ran.
    for (const sharedReadMaxRecords of [1_000, 1]) {
      const many = await readMetricsHistories(nc, ["orders", "other", "idle"], new Date(thisMinute - MINUTE_MS), new Date(thisMinute), sharedReadMaxRecords);
      expect([...many.keys()]).toEqual(["orders", "other", "idle"]);
      expect(many.get("orders")!.map((minute) => minute.invocations)).toEqual([2, 1]);
      expect(many.get("orders")![1]!.concurrency).toBe(5);
      expect(many.get("other")!.map((minute) => minute.invocations)).toEqual([0, 1]);
      expect(many.get("idle")!.map((minute) => minute.invocations)).toEqual([0, 0]);
    }
  });

  it("keeps version series of calls through an alias apart, in the totals too, and caps them", async () => {
    await ensureMetricsStream(nc, 1);
    const thisMinute = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    const errors: unknown[] = [];
    const worker = new MetricsRecorder(nc, (error) => errors.push(error), () => thisMinute);
    const scheduler = new MetricsRecorder(nc, undefined, () => thisMinute);
    // Through the alias live: version 1 fails once in three, version 2 every time; then version 2 by its
    // number, and an unqualified call.
    worker.ran("canary", 5, false, "live", "1");
    worker.ran("canary", 5, false, "live", "1");
    worker.ran("canary", 5, true, "live", "1");
    worker.ran("canary", 5, true, "live", "2");
    worker.ran("canary", 5, true, "live", "2");
    worker.ran("canary", 5, false, "2", "2");
    worker.ran("canary", 5, true);
    scheduler.throttled("canary", "live", "2");
    worker.flush();
    scheduler.flush();

    const since = new Date(thisMinute);
    const read = async (dimensions?: { qualifier?: string; executedVersion?: string }) => (await readMetricsHistory(nc, "canary", since, since, dimensions))[0]!;
    await eventually(async () => {
      expect(await read()).toMatchObject({ invocations: 7, errors: 4, throttles: 1 });
      return true;
    }, { deadline: 10_000, message: "the totals were never read back" });
    expect(await read({ qualifier: "live" })).toMatchObject({ invocations: 5, errors: 3, throttles: 1 });
    expect(await read({ qualifier: "live", executedVersion: "1" })).toMatchObject({ invocations: 3, errors: 1, throttles: 0 });
    expect(await read({ qualifier: "live", executedVersion: "2" })).toMatchObject({ invocations: 2, errors: 2, throttles: 1 });
    expect(await read({ executedVersion: "2" })).toMatchObject({ invocations: 3, errors: 2, throttles: 1 });
    expect(await read({ qualifier: "$LATEST" })).toMatchObject({ invocations: 0, errors: 0 });
    expect(durationPercentile((await read({ qualifier: "live", executedVersion: "1" })).durationBuckets, 0.5)).toBe(5);
    // Several functions at once read totals only, as before.
    expect((await readMetricsHistories(nc, ["canary", "idle"], since, since)).get("canary")![0]).toMatchObject({ invocations: 7, errors: 4 });
    expect(errors).toEqual([]);

    // Past the cap, a call counts in the totals only, and the flush says how many did.
    const capped = new MetricsRecorder(nc, (error) => errors.push(error), () => thisMinute);
    for (let version = 1; version <= MAX_SERIES_PER_FUNCTION + 2; version += 1) capped.ran("capped", 1, false, String(version), String(version));
    capped.flush();
    await eventually(async () => {
      expect((await readMetricsHistory(nc, "capped", since, since))[0]!.invocations).toBe(MAX_SERIES_PER_FUNCTION + 2);
      return true;
    }, { deadline: 10_000, message: "the capped function's totals were never read back" });
    expect((await readMetricsHistory(nc, "capped", since, since, { executedVersion: String(MAX_SERIES_PER_FUNCTION) }))[0]!.invocations).toBe(1);
    expect((await readMetricsHistory(nc, "capped", since, since, { executedVersion: String(MAX_SERIES_PER_FUNCTION + 1) }))[0]!.invocations).toBe(0);
    expect(String(errors[0])).toContain("2 calls counted in their functions' totals only");
  });
});
