// FunctionStore and RegistryView over a real nats-server: environment variables sealed in KV, plain
// to callers, and records from before encryption still read.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useFunctionsBucket } from "./testing/functions-bucket.js";
import { functionRecord } from "./testing/function-records.js";
import { eventually } from "@lambent/testkit";
import { EnvironmentCipher, EnvironmentCipherError } from "./environment-cipher.js";
import { LATEST, type StoredFunctionVersionRecord } from "./function-record.js";
import { FunctionStore, functionKey } from "./function-store.js";
import { RegistryView } from "./registry-view.js";

const bucket = useFunctionsBucket("registry-test");
const cipher = new EnvironmentCipher([randomBytes(32)]);
const store = (): FunctionStore => new FunctionStore(bucket.kv, cipher);

/** Resolves once `assertion` passes: the view follows KV through a watch, which offers the test no event. */
function viewFollows(assertion: () => void): Promise<boolean> {
  return eventually(
    () => {
      assertion();
      return true;
    },
    { deadline: 30_000, message: "the registry view never followed the change" },
  );
}

const SECRET = "s3cr3t-value-that-must-not-leak";

async function raw(functionName: string): Promise<string> {
  const entry = await bucket.kv.get(functionKey(functionName, LATEST));
  return entry!.string();
}

describe("FunctionStore", () => {
  it("stores the environment sealed and reads it back in plaintext", async () => {
    await store().create(functionRecord("sealed", { environment: { DB_PASSWORD: SECRET } }));
    const stored = JSON.parse(await raw("sealed")) as StoredFunctionVersionRecord;
    expect(stored.environment).toBeUndefined();
    expect(stored.sealedEnvironment).toMatchObject({ alg: "AES-256-GCM", keyId: cipher.keyId });
    expect(await raw("sealed")).not.toContain(SECRET);
    expect(await raw("sealed")).not.toContain("DB_PASSWORD");
    expect((await store().require("sealed")).record.environment).toEqual({ DB_PASSWORD: SECRET });
  });

  it("reseals on update, with a fresh IV", async () => {
    await store().create(functionRecord("resealed", { environment: { A: SECRET } }));
    const before = JSON.parse(await raw("resealed")) as StoredFunctionVersionRecord;
    const updated = await store().update("resealed", LATEST, (current) => ({ ...current, environment: { ...current.environment, B: "two" } }));
    expect(updated.environment).toEqual({ A: SECRET, B: "two" });
    const after = JSON.parse(await raw("resealed")) as StoredFunctionVersionRecord;
    expect(after.sealedEnvironment!.iv).not.toBe(before.sealedEnvironment!.iv);
    expect((await store().require("resealed")).record.environment).toEqual({ A: SECRET, B: "two" });
  });

  it("reads records written before encryption existed, and seals them on the next update", async () => {
    await bucket.kv.put(functionKey("legacy", LATEST), JSON.stringify(functionRecord("legacy", { environment: { OLD: SECRET } })));
    expect((await store().require("legacy")).record.environment).toEqual({ OLD: SECRET });
    await store().update("legacy", LATEST, (current) => ({ ...current, revisionId: "r2" }));
    expect(await raw("legacy")).not.toContain(SECRET);
    expect((await store().require("legacy")).record).toMatchObject({ revisionId: "r2", environment: { OLD: SECRET } });
  });

  it("keeps an empty environment plain", async () => {
    await store().create(functionRecord("empty", { environment: {} }));
    expect((JSON.parse(await raw("empty")) as StoredFunctionVersionRecord).environment).toEqual({});
    expect((await store().require("empty")).record.environment).toEqual({});
  });

  it("fails clearly when read with another key", async () => {
    await store().create(functionRecord("other-key", { environment: { A: SECRET } }));
    const stranger = new FunctionStore(bucket.kv, new EnvironmentCipher([randomBytes(32)]));
    await expect(stranger.get("other-key")).rejects.toThrow(EnvironmentCipherError);
    await expect(stranger.get("other-key")).rejects.toThrow(/other-key:\$LATEST were sealed with key/);
  });

  it("refuses a sealed environment moved into another function's record", async () => {
    await store().create(functionRecord("victim", { environment: { TOKEN: SECRET } }));
    await store().create(functionRecord("thief", { environment: { TOKEN: "mine" } }));
    const victim = JSON.parse(await raw("victim")) as StoredFunctionVersionRecord;
    const thief = JSON.parse(await raw("thief")) as StoredFunctionVersionRecord;
    await bucket.kv.put(functionKey("thief", LATEST), JSON.stringify({ ...thief, sealedEnvironment: victim.sealedEnvironment }));
    await expect(store().get("thief")).rejects.toThrow(/thief:\$LATEST failed authentication/);
    // A whole record copied under another key is refused too.
    await bucket.kv.put(functionKey("thief", LATEST), JSON.stringify(victim));
    await expect(store().get("thief")).rejects.toThrow(/record under fn\.thief\.LATEST is for victim/);
  });
});

describe("RegistryView", () => {
  it("caches records decrypted, and drops ones it cannot decrypt", async () => {
    const view = new RegistryView(bucket.kv, cipher);
    await view.start();
    try {
      await store().create(functionRecord("viewed", { environment: { A: SECRET } }));
      await viewFollows(() => expect(view.cached("viewed")?.environment).toEqual({ A: SECRET }));

      const stored = JSON.parse(await raw("viewed")) as StoredFunctionVersionRecord;
      const tampered = { ...stored.sealedEnvironment!, data: Buffer.from("garbage").toString("base64") };
      await bucket.kv.put(functionKey("viewed", LATEST), JSON.stringify({ ...stored, revisionId: "r9", sealedEnvironment: tampered }));
      await viewFollows(() => expect(view.cached("viewed")).toBeUndefined());
      await expect(view.get("viewed")).rejects.toThrow(/viewed:\$LATEST failed authentication/);
    } finally {
      view.stop();
    }
  });
});

describe("RegistryView ordering", () => {
  it("reads the writes of a store it observes at once, and never takes an older revision over a newer one", async () => {
    const view = new RegistryView(bucket.kv, cipher);
    const observed = new FunctionStore(bucket.kv, cipher, view);
    // Not started: no watch, so only the observed writes can fill the cache.
    await observed.create(functionRecord("ordered", { environment: { V: "one" } }));
    expect(view.cached("ordered")?.environment).toEqual({ V: "one" });
    const oldBytes = (await bucket.kv.get(functionKey("ordered", LATEST)))!;
    await observed.update("ordered", LATEST, (current) => ({ ...current, environment: { V: "two" } }));
    expect(view.cached("ordered")?.environment).toEqual({ V: "two" });
    // A late delivery of the first revision (as a watch or a slow read may bring it) is ignored.
    view.written(functionKey("ordered", LATEST), oldBytes.value, oldBytes.revision);
    expect(view.cached("ordered")?.environment).toEqual({ V: "two" });
    await observed.deleteFunction("ordered");
    expect(view.cached("ordered")).toBeUndefined();
  });
});

describe("version numbers", () => {
  /** Claims one number the way a publisher does: read, compare-and-set, retry on a lost race. */
  async function claim(functionName: string): Promise<number> {
    for (;;) {
      const claimed = await store().claimVersionNumber(functionName, await store().readVersionCounter(functionName));
      if (claimed !== undefined) return claimed;
    }
  }

  it("hands out 1, 2, … and never the same number twice, even to concurrent publishers", async () => {
    await store().create(functionRecord("numbered", { environment: {} }));
    expect(await claim("numbered")).toBe(1);
    const numbers = await Promise.all(Array.from({ length: 8 }, () => claim("numbered")));
    expect([...numbers].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("refuses a claim made from a stale read", async () => {
    await store().create(functionRecord("stale-counter", { environment: {} }));
    const seen = await store().readVersionCounter("stale-counter");
    expect(await store().claimVersionNumber("stale-counter", seen)).toBe(1);
    expect(await store().claimVersionNumber("stale-counter", seen)).toBeUndefined();
  });

  it("does not reuse a deleted version's number, and starts over when the whole function goes", async () => {
    await store().create(functionRecord("renumbered", { environment: {} }));
    expect(await claim("renumbered")).toBe(1);
    await store().create({ ...functionRecord("renumbered", { environment: {} }), version: "1" });
    expect(await store().listVersions("renumbered")).toEqual([LATEST, "1"]);
    expect(await store().deleteVersion("renumbered", "1")).toBe(true);
    expect(await store().deleteVersion("renumbered", "1")).toBe(false);
    expect(await claim("renumbered")).toBe(2);
    await store().aliases.create({ functionName: "renumbered", name: "prod", functionVersion: LATEST, description: "", revisionId: "a" });
    await store().deleteFunction("renumbered");
    expect(await store().aliases.get("renumbered", "prod")).toBeUndefined();
    await store().create(functionRecord("renumbered", { environment: {} }));
    expect(await claim("renumbered")).toBe(1);
  });
});

describe("aliases", () => {
  it("are created once, updated by compare-and-set, listed by name and followed by the view", async () => {
    const aliases = store().aliases;
    const view = new RegistryView(bucket.kv, cipher);
    await view.start();
    try {
      const prod = { functionName: "aliased", name: "prod", functionVersion: "1", description: "", revisionId: "a1" };
      expect(await aliases.create(prod)).toBe(true);
      expect(await aliases.create(prod)).toBe(false);
      await aliases.create({ ...prod, name: "beta" });
      await viewFollows(() => expect(view.cachedAlias("aliased", "prod")?.functionVersion).toBe("1"));
      // Concurrent read-modify-writes each see the other's result: no update is lost.
      await Promise.all(
        ["x", "y", "z"].map((mark) =>
          aliases.update("aliased", "prod", (current) => ({ ...current, description: current.description + mark })),
        ),
      );
      expect((await aliases.get("aliased", "prod"))!.alias.description.split("").sort().join("")).toBe("xyz");
      expect((await aliases.list("aliased")).map((alias) => alias.name)).toEqual(["beta", "prod"]);
      await aliases.delete("aliased", "prod");
      await viewFollows(() => expect(view.cachedAlias("aliased", "prod")).toBeUndefined());
      expect(await view.getAlias("aliased", "beta")).toMatchObject({ name: "beta" });
    } finally {
      view.stop();
    }
  });
});
