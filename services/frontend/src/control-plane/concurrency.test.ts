import { describe, expect, it } from "vitest";
import { compareQualifiers } from "./concurrency.js";
import { allocatedOf } from "./provisioned-status.js";

describe("compareQualifiers", () => {
  it("orders version numbers numerically, then aliases by name", () => {
    expect(["prod", "10", "beta", "2", "1"].sort(compareQualifiers)).toEqual(["1", "2", "10", "beta", "prod"]);
  });
});

describe("allocatedOf", () => {
  it("reads a ProvisionedStatus and counts anything else as nothing allocated", () => {
    expect(allocatedOf({ allocated: 3 })).toBe(3);
    for (const answer of [null, "3", [], {}, { allocated: "3" }, { allocated: -1 }, { allocated: 1.5 }]) expect(allocatedOf(answer)).toBe(0);
  });
});
