// Partial batch responses read as Lambda reads them: what counts as full success, what as full failure.
import { describe, expect, it } from "vitest";
import { parseBatchItemFailures } from "./batch-response.js";

const known = new Set(["m1", "m2", "m3"]);
const parse = (answer: string) => parseBatchItemFailures(new TextEncoder().encode(answer), known);

describe("parseBatchItemFailures", () => {
  it("reads no answer, null, an object without the list, or an empty list as success", () => {
    for (const answer of ["", "null", "{}", '{"batchItemFailures":null}', '{"batchItemFailures":[]}', '"done"', "42"]) {
      expect(parse(answer)).toEqual({ kind: "none" });
    }
  });

  it("lists the identifiers that failed, once each", () => {
    expect(parse('{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"},{"itemIdentifier":"m2"}]}')).toEqual({ kind: "some", identifiers: ["m2", "m3"] });
  });

  it("fails the whole batch on a list it cannot use", () => {
    for (const answer of [
      '{"batchItemFailures":{}}',
      '{"batchItemFailures":[{"itemIdentifier":""}]}',
      '{"batchItemFailures":[{"itemIdentifier":null}]}',
      '{"batchItemFailures":[{"id":"m1"}]}',
      '{"batchItemFailures":[{"itemIdentifier":"m9"}]}',
      '{"batchItemFailures":["m1"]}',
      "{not json",
    ]) {
      expect(parse(answer).kind, answer).toBe("all");
    }
  });
});
