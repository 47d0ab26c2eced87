// The compare-and-set helpers over a real nats-server: creating, updating, racing writers, deleted keys,
// and giving up.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { CompareAndSetConflictError, createIfAbsent, updateByRevision, writeAtRevision } from "./compare-and-set.js";
import { ObservedWrites } from "./observed-writes.js";

interface Tally {
  count: number;
}

const decoder = new TextDecoder();
const tally = { decode: (_key: string, value: Uint8Array): Tally => JSON.parse(decoder.decode(value)) as Tally };
const increment = (current: Tally | undefined): Tally => ({ count: (current?.count ?? 0) + 1 });

let dir: string;
let server: RunningNatsServer;
let nc: NatsConnection;
let kv: KV;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compare-and-set-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
  kv = await new Kvm(nc).create("compare_and_set", { history: 1 });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function read(key: string): Promise<Tally | undefined> {
  const entry = await kv.get(key);
  return entry?.operation === "PUT" ? tally.decode(key, entry.value) : undefined;
}

describe("updateByRevision", () => {
  it("creates an absent key, then changes the value it holds", async () => {
    const created = await updateByRevision(kv, "fresh", tally, increment);
    expect(created).toMatchObject({ previous: undefined, written: { count: 1 } });
    expect(created.revision).toBeGreaterThan(0);
    const updated = await updateByRevision(kv, "fresh", tally, increment);
    expect(updated).toMatchObject({ previous: { count: 1 }, written: { count: 2 } });
    expect(updated.revision).toBeGreaterThan(created.revision);
    expect(await read("fresh")).toEqual({ count: 2 });
  });

  it("writes nothing when the change answers undefined, and reports the revision it read", async () => {
    const { revision } = await updateByRevision(kv, "declined", tally, increment);
    const declined = await updateByRevision(kv, "declined", tally, () => undefined);
    expect(declined).toEqual({ previous: { count: 1 }, written: undefined, revision });
    expect(await updateByRevision(kv, "never-written", tally, () => undefined)).toEqual({ previous: undefined, written: undefined, revision: 0 });
    expect(await kv.get("never-written")).toBeNull();
  });

  it("runs the change again on the newer value when another writer got there first, losing no write", async () => {
    const writers = Array.from({ length: 12 }, () => updateByRevision(kv, "raced", tally, increment));
    const results = await Promise.all(writers);
    expect(await read("raced")).toEqual({ count: 12 });
    expect(results.map((result) => result.written?.count).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
  });

  it("reads a deleted or purged key as absent and writes over its marker", async () => {
    await updateByRevision(kv, "deleted", tally, increment);
    await kv.delete("deleted");
    const afterDelete = await updateByRevision(kv, "deleted", tally, increment);
    expect(afterDelete).toMatchObject({ previous: undefined, written: { count: 1 } });
    await kv.purge("deleted");
    expect(await updateByRevision(kv, "deleted", tally, increment)).toMatchObject({ previous: undefined, written: { count: 1 } });
    expect(await read("deleted")).toEqual({ count: 1 });
  });

  it("gives up with CompareAndSetConflictError when the key changes under every attempt", async () => {
    let rounds = 0;
    const meddling = updateByRevision(kv, "contended", { ...tally, attempts: 3 }, async (current) => {
      rounds += 1;
      await kv.put("contended", JSON.stringify({ count: 100 + rounds }));
      return increment(current);
    });
    await expect(meddling).rejects.toBeInstanceOf(CompareAndSetConflictError);
    await expect(meddling).rejects.toMatchObject({ name: "CompareAndSetConflictError", key: "contended", attempts: 3 });
    expect(rounds).toBe(3);
    expect(await read("contended")).toEqual({ count: 103 });
  });

  it("passes on what the change or the decoder throws, having written nothing", async () => {
    await updateByRevision(kv, "refused", tally, increment);
    await expect(
      updateByRevision(kv, "refused", tally, () => {
        throw new Error("not allowed");
      }),
    ).rejects.toThrow("not allowed");
    await kv.put("garbled", "not json");
    await expect(updateByRevision(kv, "garbled", tally, increment)).rejects.toThrow(SyntaxError);
    expect(await read("refused")).toEqual({ count: 1 });
  });

  it("encodes with the given encoder", async () => {
    await updateByRevision(kv, "encoded", { ...tally, encode: (value: Tally) => `{"count":${value.count * 10}}` }, increment);
    expect(await read("encoded")).toEqual({ count: 10 });
  });

  it("writes through ObservedWrites, whose observer hears of each write at its revision", async () => {
    const heard: { key: string; value: Tally | undefined; revision: number }[] = [];
    const writes = new ObservedWrites(kv, {
      written: (key, value, revision) => heard.push({ key, value: value && tally.decode(key, value), revision }),
    });
    const first = await updateByRevision(writes, "observed", tally, increment);
    const second = await updateByRevision(writes, "observed", tally, increment);
    expect(heard).toEqual([
      { key: "observed", value: { count: 1 }, revision: first.revision },
      { key: "observed", value: { count: 2 }, revision: second.revision },
    ]);
  });
});

describe("writeAtRevision", () => {
  it("creates at revision 0, follows the revision it is given, and refuses a stale one", async () => {
    const created = await writeAtRevision(kv, "held", "1", 0);
    expect(created).toBeGreaterThan(0);
    expect(await writeAtRevision(kv, "held", "2", 0)).toBeUndefined();
    const updated = await writeAtRevision(kv, "held", "2", created!);
    expect(updated).toBeGreaterThan(created!);
    expect(await writeAtRevision(kv, "held", "3", created!)).toBeUndefined();
    expect(decoder.decode((await kv.get("held"))!.value)).toBe("2");
  });

  it("throws what is not a lost race", async () => {
    await expect(writeAtRevision(kv, "not a key", "1", 0)).rejects.toThrow();
  });
});

describe("createIfAbsent", () => {
  it("writes a key that is absent or deleted, and leaves one that holds a value", async () => {
    expect(await createIfAbsent(kv, "taken", "first")).toBeGreaterThan(0);
    expect(await createIfAbsent(kv, "taken", "second")).toBeUndefined();
    await kv.delete("taken");
    expect(await createIfAbsent(kv, "taken", "third")).toBeGreaterThan(0);
    expect(decoder.decode((await kv.get("taken"))!.value)).toBe("third");
  });

  it("lets exactly one of several concurrent creators win", async () => {
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, index) => createIfAbsent(kv, "contested", String(index))));
    expect(outcomes.filter((revision) => revision !== undefined)).toHaveLength(1);
  });
});
