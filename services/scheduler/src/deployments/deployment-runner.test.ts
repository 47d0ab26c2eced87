import { describe, expect, it } from "vitest";
import { reportedFailure } from "./deployment-runner.js";

describe("reportedFailure", () => {
  it("reads a hook's answer of {status: Failed} as its report of failure, in any case", () => {
    expect(reportedFailure('{"status":"Failed"}')).toContain("it reported");
    expect(reportedFailure('{"Status":"FAILED","why":"smoke test"}')).toContain("smoke test");
  });

  it("lets any other answer go on", () => {
    for (const answer of ['{"status":"Succeeded"}', "null", '"Failed"', "[]", "not json", "", '{"status":1}']) expect(reportedFailure(answer)).toBeUndefined();
  });

  it("quotes at most 500 characters of what it reported", () => {
    expect(reportedFailure(JSON.stringify({ status: "failed", detail: "x".repeat(10_000) }))!.length).toBeLessThan(600);
  });
});
