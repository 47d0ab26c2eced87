import { describe, expect, it } from "vitest";
import { aliasUsesVersion, chooseAliasVersion, isValidAliasName, isVersionNumber, type AliasRecord } from "./alias-record.js";

const alias = (routing?: AliasRecord["routing"]): AliasRecord => ({
  functionName: "f",
  name: "prod",
  functionVersion: "1",
  description: "",
  revisionId: "r",
  ...(routing ? { routing } : {}),
});

describe("chooseAliasVersion", () => {
  it("always picks the alias's version without routing", () => {
    expect(chooseAliasVersion(alias(), () => 0)).toBe("1");
  });

  it("picks the extra version exactly when the draw falls below its weight", () => {
    const weighted = alias({ version: "2", weight: 0.1 });
    expect(chooseAliasVersion(weighted, () => 0)).toBe("2");
    expect(chooseAliasVersion(weighted, () => 0.0999)).toBe("2");
    expect(chooseAliasVersion(weighted, () => 0.1)).toBe("1");
    expect(chooseAliasVersion(weighted, () => 0.9999)).toBe("1");
  });

  it("splits evenly spread draws by the weight", () => {
    const weighted = alias({ version: "2", weight: 0.25 });
    let draw = 0;
    const picks = Array.from({ length: 1000 }, () => chooseAliasVersion(weighted, () => (draw++ % 1000) / 1000));
    expect(picks.filter((version) => version === "2")).toHaveLength(250);
  });
});

describe("names", () => {
  it("tells version numbers from alias names", () => {
    expect(isVersionNumber("1")).toBe(true);
    expect(isVersionNumber("42")).toBe(true);
    expect(isVersionNumber("0")).toBe(false);
    expect(isVersionNumber("$LATEST")).toBe(false);
    expect(isVersionNumber("prod")).toBe(false);
    expect(isValidAliasName("prod")).toBe(true);
    expect(isValidAliasName("v2-canary_1")).toBe(true);
    expect(isValidAliasName("12")).toBe(false);
    expect(isValidAliasName("$LATEST")).toBe(false);
    expect(isValidAliasName("a".repeat(128))).toBe(true);
    expect(isValidAliasName("a".repeat(129))).toBe(false);
    expect(isValidAliasName("")).toBe(false);
  });

  it("says which versions an alias routes to", () => {
    const weighted = alias({ version: "2", weight: 0.5 });
    expect(aliasUsesVersion(weighted, "1")).toBe(true);
    expect(aliasUsesVersion(weighted, "2")).toBe(true);
    expect(aliasUsesVersion(weighted, "3")).toBe(false);
  });
});
