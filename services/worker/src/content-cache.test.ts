import { describe, expect, it } from "vitest";
import { ContentCache } from "./content-cache.js";

describe("ContentCache", () => {
  it("loads once for concurrent misses, then answers hits synchronously", async () => {
    let loads = 0;
    const cache = new ContentCache<string>({ load: async (name) => (loads++, `v:${name}`), sizeOf: (v) => v.length, maxBytes: 100 });
    const [a, b] = await Promise.all([cache.get("x"), cache.get("x")]);
    expect([a, b, loads]).toEqual(["v:x", "v:x", 1]);
    expect(cache.get("x")).toBe("v:x");
  });

  it("evicts the least recently used entry past the byte cap, and does not cache misses", async () => {
    const cache = new ContentCache<string>({ load: async (name) => (name === "none" ? undefined : name.repeat(4)), sizeOf: (v) => v.length, maxBytes: 8 });
    await cache.get("a");
    await cache.get("b");
    cache.get("a");
    await cache.get("c");
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBe("aaaa");
    expect(cache.get("b")).toBeInstanceOf(Promise);
    expect(await cache.get("none")).toBeUndefined();
  });
});
