import { describe, expect, it } from "vitest";
import { compareVersions } from "@lambent/registry/functions";
import { paginate } from "./pagination.js";

describe("paginate", () => {
  const versions = ["$LATEST", "1", "2", "10", "11"];
  const page = (marker?: string) => paginate(versions, (v) => v, compareVersions, { maxItems: 2, ...(marker ? { marker } : {}) });

  it("walks every item once, in order", () => {
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const next = page(marker);
      seen.push(...next.items);
      marker = next.nextMarker;
    } while (marker !== undefined);
    expect(seen).toEqual(versions);
  });

  it("resumes after an item deleted between pages", () => {
    const first = page();
    const rest = paginate(["$LATEST", "1", "10", "11"], (v) => v, compareVersions, { maxItems: 2, marker: first.nextMarker! });
    expect(rest.items).toEqual(["10", "11"]);
  });

  it("refuses a bad MaxItems or marker", () => {
    expect(() => paginate(versions, (v) => v, compareVersions, { maxItems: 0 })).toThrow(/MaxItems/);
    expect(() => paginate(versions, (v) => v, compareVersions, { marker: Buffer.from("a b").toString("base64url") })).toThrow(/Marker/);
  });
});
