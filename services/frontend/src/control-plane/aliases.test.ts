import { describe, expect, it } from "vitest";
import type { AliasRecord } from "@lambent/registry/functions";
import { moveAlias, readRouting, validateAliasTarget } from "./aliases.js";

const invalid = (run: () => unknown) => expect(run).toThrow(expect.objectContaining({ name: "InvalidParameterValueException" }));

describe("readRouting", () => {
  it("distinguishes not given, cleared and one extra version", () => {
    expect(readRouting({})).toBeUndefined();
    expect(readRouting({ RoutingConfig: {} })).toBeNull();
    expect(readRouting({ RoutingConfig: { AdditionalVersionWeights: {} } })).toBeNull();
    expect(readRouting({ RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } })).toEqual({ version: "2", weight: 0.1 });
  });

  it("refuses more than one extra version and weights that are not numbers (the model bounds the rest)", () => {
    invalid(() => readRouting({ RoutingConfig: { AdditionalVersionWeights: { "2": 0.1, "3": 0.1 } } }));
    for (const weight of ["0.1", Number.NaN]) invalid(() => readRouting({ RoutingConfig: { AdditionalVersionWeights: { "2": weight } } }));
  });
});

describe("validateAliasTarget", () => {
  it("allows $LATEST alone and two distinct numbered versions", () => {
    expect(() => validateAliasTarget("$LATEST", undefined)).not.toThrow();
    expect(() => validateAliasTarget("1", { version: "2", weight: 0.5 })).not.toThrow();
  });

  it("refuses $LATEST with weights and the same version twice", () => {
    invalid(() => validateAliasTarget("$LATEST", { version: "2", weight: 0.5 }));
    invalid(() => validateAliasTarget("2", { version: "2", weight: 0.5 }));
  });
});

describe("moveAlias", () => {
  const current: AliasRecord = {
    functionName: "f",
    name: "prod",
    functionVersion: "1",
    description: "live",
    routing: { version: "2", weight: 0.1 },
    revisionId: "r1",
  };

  it("remembers the version it left and keeps what the change leaves out", () => {
    const moved = moveAlias(current, { functionVersion: "2", description: undefined, routing: null });
    expect(moved).toEqual({ functionName: "f", name: "prod", functionVersion: "2", description: "live", revisionId: "r1", previousVersion: "1" });
    const relabelled = moveAlias(moved, { functionVersion: undefined, description: "new", routing: undefined });
    expect(relabelled.previousVersion).toBe("1");
    expect(relabelled.description).toBe("new");
  });

  it("keeps routing when not given, so moving onto the weighted version must clear it", () => {
    invalid(() => moveAlias(current, { functionVersion: "2", description: undefined, routing: undefined }));
    expect(moveAlias(current, { functionVersion: "3", description: undefined, routing: undefined }).routing).toEqual({ version: "2", weight: 0.1 });
  });
});
