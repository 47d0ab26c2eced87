// A KV key's previous value on a real nats-server: from what the runner loaded and read, from the
// bucket's history when it keeps more than one revision, and unknown when neither can tell.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { KvPreviousValues } from "./kv-previous-values.js";

let server: RunningNatsServer;
let dir: string;
let nc: NatsConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kv-previous-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const text = (value: { kind: string; value?: Uint8Array }) => (value.kind === "value" ? new TextDecoder().decode(value.value) : value.kind);

async function previousValues(bucket: string, options: { keys?: string; maxBytes?: number } = {}) {
  const js = jetstream(nc);
  const kv = await new Kvm(nc).open(bucket);
  const values = new KvPreviousValues({
    js,
    jsm: await jetstreamManager(nc),
    kv,
    source: { type: "keyValue", bucket, ...(options.keys ? { keys: options.keys } : {}) },
    maxBytes: options.maxBytes ?? 1024 * 1024,
  });
  await values.load();
  return values;
}

describe("KV previous values", () => {
  it("know loaded and read values, and that a key absent at load had none", async () => {
    const kv = await new Kvm(nc).create("prev_one", { history: 1 });
    await kv.put("items.a", "a1");
    await kv.put("items.gone", "g1");
    await kv.delete("items.gone");
    await kv.put("other.x", "x1");
    const values = await previousValues("prev_one", { keys: "items.>" });

    const a2 = await kv.put("items.a", "a2");
    expect(text(await values.before("items.a", a2))).toBe("a1");
    values.remember("items.a", a2, new TextEncoder().encode("a2"));
    const a3 = await kv.put("items.a", "a3");
    expect(text(await values.before("items.a", a3))).toBe("a2");
    expect(text(await values.before("items.gone", await kv.put("items.gone", "g2")))).toBe("absent");
    expect(text(await values.before("items.new", await kv.put("items.new", "n1")))).toBe("absent");
    // A change the load already saw (it was pending when the runner started): in a one-revision bucket, unknown.
    expect(text(await values.before("items.a", 1))).toBe("unknown");
  });

  it("forget the oldest keys past the bound, and then no longer take a missing key for a new one", async () => {
    const kv = await new Kvm(nc).create("prev_bound", { history: 1 });
    // Room for two of these keys (128 bytes each beyond key and value), not three.
    const values = await previousValues("prev_bound", { maxBytes: 2 * (128 + 2 * 2 + 2) });
    for (const key of ["k1", "k2", "k3"]) values.remember(key, await kv.put(key, key), new TextEncoder().encode(key));
    expect(text(await values.before("k3", 1_000))).toBe("k3");
    expect(text(await values.before("k1", 1_000))).toBe("unknown");
    expect(text(await values.before("k9", 1_000))).toBe("unknown");
  });

  it("read the bucket's history when it keeps more than one revision", async () => {
    const kv = await new Kvm(nc).create("prev_history", { history: 5 });
    const first = await kv.put("k", "v1");
    const second = await kv.put("k", "v2");
    const values = await previousValues("prev_history");
    // Both changes were written before the load, so only the history can tell what came before each.
    expect(text(await values.before("k", second))).toBe("v1");
    expect(text(await values.before("k", first))).toBe("absent");
    await kv.delete("k");
    const third = await kv.put("k", "v3");
    const fresh = await previousValues("prev_history");
    expect(text(await fresh.before("k", third))).toBe("absent");
  });
});
