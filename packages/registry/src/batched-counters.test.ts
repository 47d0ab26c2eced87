// BatchedCounters over a real nats-server: counts wait in memory, one write per key per flush, and
// several counters over one key add up.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { BatchedCounters } from "./batched-counters.js";

interface Hits {
  hits: number;
  misses: number;
}

const empty = (): Hits => ({ hits: 0, misses: 0 });
const decoder = new TextDecoder();
const decode = (value: Uint8Array): Hits => ({ ...empty(), ...(JSON.parse(decoder.decode(value)) as Partial<Hits>) });

let dir: string;
let server: RunningNatsServer;
let nc: NatsConnection;
let kv: KV;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "batched-counters-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
  kv = await new Kvm(nc).create("batched_counters", { history: 1 });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function counters(options: { intervalMs?: number; onWriteFailed?: (key: string, delta: Hits, error: unknown) => void } = {}) {
  return new BatchedCounters<Hits>({ kv, empty, decode, intervalMs: options.intervalMs ?? 60_000, onWriteFailed: options.onWriteFailed ?? (() => undefined) });
}

async function stored(key: string): Promise<{ value: Hits; revision: number } | undefined> {
  const entry = await kv.get(key);
  return entry?.operation === "PUT" ? { value: decode(entry.value), revision: entry.revision } : undefined;
}

describe("BatchedCounters", () => {
  it("keeps counts in memory until a flush, then writes each key once", async () => {
    const book = counters();
    book.add("pages.a", (delta) => (delta.hits += 1));
    book.add("pages.a", (delta) => (delta.hits += 2));
    book.add("pages.a", (delta) => (delta.misses += 1));
    book.add("pages.b", (delta) => (delta.misses += 5));
    expect(await kv.get("pages.a")).toBeNull();
    await book.flush();
    expect((await stored("pages.a"))?.value).toEqual({ hits: 3, misses: 1 });
    expect((await stored("pages.b"))?.value).toEqual({ hits: 0, misses: 5 });
    const { revision } = (await stored("pages.a"))!;
    book.add("pages.a", (delta) => (delta.hits += 1));
    await book.flush();
    expect(await stored("pages.a")).toEqual({ value: { hits: 4, misses: 1 }, revision: revision + 2 });
  });

  it("flushes on its own an interval after the first count of a batch", async () => {
    const book = counters({ intervalMs: 20 });
    book.add("timed", (delta) => (delta.hits += 1));
    await vi.waitFor(async () => expect((await stored("timed"))?.value).toEqual({ hits: 1, misses: 0 }), { timeout: 5000, interval: 20 });
  });

  it("adds to what other writers counted into the same key", async () => {
    const books = Array.from({ length: 4 }, () => counters());
    for (const [index, book] of books.entries()) book.add("shared", (delta) => (delta.hits += index + 1));
    await Promise.all(books.map((book) => book.flush()));
    expect((await stored("shared"))?.value).toEqual({ hits: 10, misses: 0 });
  });

  it("reports a delta it could not write and drops it", async () => {
    const failed: { key: string; delta: Hits }[] = [];
    const book = counters({ onWriteFailed: (key, delta) => failed.push({ key, delta }) });
    book.add("not a key", (delta) => (delta.hits += 1));
    book.add("after-failure", (delta) => (delta.misses += 1));
    await book.flush();
    expect(failed).toEqual([{ key: "not a key", delta: { hits: 1, misses: 0 } }]);
    expect((await stored("after-failure"))?.value).toEqual({ hits: 0, misses: 1 });
    await book.flush();
    expect(failed).toHaveLength(1);
  });
});
