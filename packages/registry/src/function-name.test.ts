import { describe, expect, it } from "vitest";
import { functionArn, parseFunctionReference } from "./function-name.js";

describe("function references", () => {
  it("accepts every form Lambda accepts", () => {
    expect(parseFunctionReference("hello")).toEqual({ functionName: "hello", qualifier: undefined });
    expect(parseFunctionReference("hello:prod")).toEqual({ functionName: "hello", qualifier: "prod" });
    expect(parseFunctionReference("123456789012:function:hello:3")).toEqual({ functionName: "hello", qualifier: "3" });
    expect(parseFunctionReference("arn:aws:lambda:us-east-1:123456789012:function:hello")).toEqual({
      functionName: "hello",
      qualifier: undefined,
    });
    expect(parseFunctionReference("hello", "$LATEST")).toEqual({ functionName: "hello", qualifier: "$LATEST" });
  });

  it("rejects bad names and mismatched qualifiers", () => {
    expect(() => parseFunctionReference("bad name")).toThrow(/functionName/);
    expect(() => parseFunctionReference("a".repeat(65))).toThrow();
    expect(() => parseFunctionReference("a:b:c")).toThrow();
    expect(() => parseFunctionReference("hello:1", "2")).toThrow(/qualifier/);
    expect(() => parseFunctionReference("hello", "bad qualifier")).toThrow(/Qualifier/);
  });

  it("formats ARNs", () => {
    expect(functionArn({ region: "us-east-1", accountId: "000000000000" }, "f", "prod")).toBe(
      "arn:aws:lambda:us-east-1:000000000000:function:f:prod",
    );
  });
});
