import { describe, expect, it } from "vitest";
import { UsageError } from "../command.js";
import { parseEnvironment, parseSettings } from "./deploy.js";

describe("parseEnvironment", () => {
  it("splits at the first '=' and keeps empty values", () => {
    expect(parseEnvironment(["A=1", "URL=http://x/?a=b", "EMPTY="])).toEqual({ A: "1", URL: "http://x/?a=b", EMPTY: "" });
  });

  it("rejects a key without '=', an empty key and a repeated key", () => {
    expect(() => parseEnvironment(["K"])).toThrow(UsageError);
    expect(() => parseEnvironment(["K"])).toThrow(/KEY=VALUE/);
    expect(() => parseEnvironment(["=v"])).toThrow(/no key/);
    expect(() => parseEnvironment(["A=1", "A=2"])).toThrow(/twice/);
  });
});

describe("parseSettings", () => {
  it("maps only the flags that were given to Lambda's fields", () => {
    expect(parseSettings({})).toEqual({});
    expect(parseSettings({ handler: "app.main", memory: "256", timeout: "10", env: ["A=1"], description: "d", runtime: "nodejs20.x" })).toEqual({
      Handler: "app.main",
      MemorySize: 256,
      Timeout: 10,
      Environment: { Variables: { A: "1" } },
      Description: "d",
      Runtime: "nodejs20.x",
    });
  });

  it("rejects memory and timeout that are not whole numbers", () => {
    expect(() => parseSettings({ memory: "lots" })).toThrow(/--memory/);
    expect(() => parseSettings({ timeout: "1.5" })).toThrow(/--timeout/);
  });
});
