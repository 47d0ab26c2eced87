// EventInvokeConfigStore and the registry view's cache of it over a real nats-server: keys, compare-and-set
// updates, listing order, deletes, the view's snapshot at start and its watch afterwards.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useFunctionsBucket } from "./testing/functions-bucket.js";
import { functionRecord } from "./testing/function-records.js";
import { eventually } from "@lambent/testkit";
import { EnvironmentCipher } from "./environment-cipher.js";
import { LATEST } from "./function-record.js";
import { FunctionStore } from "./function-store.js";
import { RegistryView } from "./registry-view.js";
import {
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  compareQualifierOrder,
  decodeEventInvokeConfig,
  emptyEventInvokeConfig,
  eventInvokeConfigKey,
  parseEventInvokeConfigKey,
  type EventInvokeConfig,
} from "./event-invoke-config.js";

const bucket = useFunctionsBucket("registry-eventconfig-test");
const cipher = new EnvironmentCipher([randomBytes(32)]);
const store = (): FunctionStore => new FunctionStore(bucket.kv, cipher);
const encoder = new TextEncoder();

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

function config(functionName: string, qualifier: string, fields: Partial<EventInvokeConfig> = {}): EventInvokeConfig {
  return { ...emptyEventInvokeConfig(functionName, qualifier, 1_700_000_000_000), ...fields };
}


describe("keys and decoding", () => {
  it("spells $LATEST as LATEST in the key and reads it back", () => {
    expect(eventInvokeConfigKey("fn", LATEST)).toBe("eventconfig.fn.LATEST");
    expect(eventInvokeConfigKey("fn", "3")).toBe("eventconfig.fn.3");
    expect(parseEventInvokeConfigKey("eventconfig.fn.LATEST")).toEqual({ functionName: "fn", qualifier: LATEST });
    expect(parseEventInvokeConfigKey("eventconfig.fn.prod")).toEqual({ functionName: "fn", qualifier: "prod" });
    expect(parseEventInvokeConfigKey("fn.fn.LATEST")).toBeUndefined();
  });

  it("has Lambda's defaults", () => {
    expect(DEFAULT_MAXIMUM_RETRY_ATTEMPTS).toBe(2);
    expect(DEFAULT_MAXIMUM_EVENT_AGE_SECONDS).toBe(21_600);
  });

  it("orders $LATEST, then versions by number, then aliases by name", () => {
    expect(["prod", "10", LATEST, "2", "beta"].sort(compareQualifierOrder)).toEqual([LATEST, "2", "10", "beta", "prod"]);
  });

  it("refuses malformed values and values stored under another key", () => {
    const key = eventInvokeConfigKey("fn", LATEST);
    const good = config("fn", LATEST, { onFailure: "arn:aws:sqs:us-east-1:000000000000:dlq" });
    expect(decodeEventInvokeConfig(key, encoder.encode(JSON.stringify(good)))).toEqual(good);
    for (const bad of [{ ...good, maximumRetryAttempts: 3 }, { ...good, maximumEventAgeInSeconds: 59 }, { ...good, onSuccess: 1 }, null]) {
      expect(() => decodeEventInvokeConfig(key, encoder.encode(JSON.stringify(bad)))).toThrow();
    }
    expect(() => decodeEventInvokeConfig(eventInvokeConfigKey("other", LATEST), encoder.encode(JSON.stringify(good)))).toThrow(/is for fn/);
  });
});

describe("EventInvokeConfigStore", () => {
  it("puts, replaces, reads and deletes one qualifier's config", async () => {
    const configs = store().eventInvokeConfigs;
    expect(await configs.get("stored", LATEST)).toBeUndefined();
    await configs.put(config("stored", LATEST, { maximumRetryAttempts: 0, onSuccess: "arn:aws:sns:us-east-1:000000000000:ok" }));
    expect(await configs.get("stored", LATEST)).toMatchObject({ maximumRetryAttempts: 0, onSuccess: "arn:aws:sns:us-east-1:000000000000:ok" });
    expect((await bucket.kv.get("eventconfig.stored.LATEST"))?.operation).toBe("PUT");
    await configs.put(config("stored", LATEST, { maximumEventAgeInSeconds: 60 }));
    const replaced = await configs.get("stored", LATEST);
    expect(replaced).toMatchObject({ maximumEventAgeInSeconds: 60 });
    expect(replaced?.maximumRetryAttempts).toBeUndefined();
    expect(replaced?.onSuccess).toBeUndefined();
    expect(await configs.delete("stored", LATEST)).toBe(true);
    expect(await configs.delete("stored", LATEST)).toBe(false);
    expect(await configs.get("stored", LATEST)).toBeUndefined();
    // A qualifier whose config was deleted can have one again.
    await configs.put(config("stored", LATEST, { maximumRetryAttempts: 1 }));
    expect(await configs.get("stored", LATEST)).toMatchObject({ maximumRetryAttempts: 1 });
  });

  it("loses no concurrent read-modify-write", async () => {
    const configs = store().eventInvokeConfigs;
    await configs.put(config("merged", "prod"));
    const destinations = {
      onSuccess: "arn:aws:sns:us-east-1:000000000000:ok",
      onFailure: "arn:aws:sqs:us-east-1:000000000000:failed",
    };
    await Promise.all([
      configs.update("merged", "prod", (current) => ({ ...current!, maximumRetryAttempts: 0 })),
      configs.update("merged", "prod", (current) => ({ ...current!, maximumEventAgeInSeconds: 120 })),
      configs.update("merged", "prod", (current) => ({ ...current!, onSuccess: destinations.onSuccess })),
      configs.update("merged", "prod", (current) => ({ ...current!, onFailure: destinations.onFailure })),
    ]);
    expect(await configs.get("merged", "prod")).toMatchObject({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 120, ...destinations });
  });

  it("refuses an update that would move the config to another qualifier", async () => {
    await expect(store().eventInvokeConfigs.update("moved", LATEST, () => config("moved", "1"))).rejects.toThrow(/may not move/);
  });

  it("lists a function's configs in qualifier order, and no other function's", async () => {
    const configs = store().eventInvokeConfigs;
    for (const qualifier of ["prod", "10", LATEST, "2"]) await configs.put(config("listed", qualifier));
    await configs.put(config("listed-too", LATEST));
    expect((await configs.list("listed")).map((item) => item.qualifier)).toEqual([LATEST, "2", "10", "prod"]);
    await configs.deleteAll("listed");
    expect(await configs.list("listed")).toEqual([]);
    expect(await configs.list("listed-too")).toHaveLength(1);
  });

  it("go with their function", async () => {
    const functions = store();
    await functions.create(functionRecord("doomed"));
    await functions.eventInvokeConfigs.put(config("doomed", LATEST));
    await functions.eventInvokeConfigs.put(config("doomed", "prod"));
    await functions.deleteFunction("doomed");
    expect(await functions.eventInvokeConfigs.list("doomed")).toEqual([]);
  });
});

describe("RegistryView event invoke configs", () => {
  it("has every existing config when start resolves, then follows changes", async () => {
    const configs = store().eventInvokeConfigs;
    await configs.put(config("cached", LATEST, { maximumRetryAttempts: 1 }));
    await configs.put(config("cached", "prod", { maximumRetryAttempts: 0 }));
    const view = new RegistryView(bucket.kv, cipher);
    await view.start();
    try {
      expect(view.cachedEventInvokeConfig("cached", LATEST)?.maximumRetryAttempts).toBe(1);
      expect(view.cachedEventInvokeConfig("cached", "prod")?.maximumRetryAttempts).toBe(0);
      expect(view.cachedEventInvokeConfig("cached", "1")).toBeUndefined();

      await configs.update("cached", LATEST, (current) => ({ ...current!, maximumEventAgeInSeconds: 90 }));
      await viewFollows(() => expect(view.cachedEventInvokeConfig("cached", LATEST)?.maximumEventAgeInSeconds).toBe(90));
      await configs.delete("cached", "prod");
      await viewFollows(() => expect(view.cachedEventInvokeConfig("cached", "prod")).toBeUndefined());
      await configs.deleteAll("cached");
      await viewFollows(() => expect(view.cachedEventInvokeConfig("cached", LATEST)).toBeUndefined());
    } finally {
      view.stop();
    }
  });

  it("reads the writes of a store it observes at once", async () => {
    const view = new RegistryView(bucket.kv, cipher);
    const observed = new FunctionStore(bucket.kv, cipher, view);
    // Not started: only the observed writes can fill the cache.
    await observed.eventInvokeConfigs.put(config("observed", "3", { onFailure: "arn:aws:sqs:us-east-1:000000000000:dlq" }));
    expect(view.cachedEventInvokeConfig("observed", "3")?.onFailure).toBe("arn:aws:sqs:us-east-1:000000000000:dlq");
    await observed.eventInvokeConfigs.delete("observed", "3");
    expect(view.cachedEventInvokeConfig("observed", "3")).toBeUndefined();
  });

  it("caches a malformed config as none", async () => {
    const view = new RegistryView(bucket.kv, cipher);
    await view.start();
    try {
      await store().eventInvokeConfigs.put(config("garbled", LATEST, { maximumRetryAttempts: 0 }));
      await viewFollows(() => expect(view.cachedEventInvokeConfig("garbled", LATEST)?.maximumRetryAttempts).toBe(0));
      await bucket.kv.put(eventInvokeConfigKey("garbled", LATEST), JSON.stringify({ nonsense: true }));
      await viewFollows(() => expect(view.cachedEventInvokeConfig("garbled", LATEST)).toBeUndefined());
    } finally {
      view.stop();
    }
  });
});
