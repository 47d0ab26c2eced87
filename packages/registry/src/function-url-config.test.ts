import { describe, expect, it } from "vitest";
import { decodeFunctionUrlConfig, functionUrlConfigKey, newUrlId, parseFunctionUrlConfigKey, URL_ID_PATTERN, type FunctionUrlConfig } from "./function-url-config.js";

const config: FunctionUrlConfig = {
  functionName: "hello",
  qualifier: "$LATEST",
  urlId: "abcdefghijklmnopqrstuvwxyz012345",
  authType: "NONE",
  invokeMode: "BUFFERED",
  creationTime: 1,
  lastModified: 2,
};
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe("function URL configs", () => {
  it("keys $LATEST as LATEST and parses keys back", () => {
    expect(functionUrlConfigKey("hello", "$LATEST")).toBe("url.hello.LATEST");
    expect(parseFunctionUrlConfigKey("url.hello.LATEST")).toEqual({ functionName: "hello", qualifier: "$LATEST" });
    expect(parseFunctionUrlConfigKey("url.hello.live")).toEqual({ functionName: "hello", qualifier: "live" });
    expect(parseFunctionUrlConfigKey("alias.hello.live")).toBeUndefined();
  });

  it("makes url ids of 32 lowercase alphanumerics, different each time", () => {
    const ids = new Set(Array.from({ length: 50 }, newUrlId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(URL_ID_PATTERN);
  });

  it("decodes a config and refuses one that is malformed or under another key", () => {
    expect(decodeFunctionUrlConfig("url.hello.LATEST", encode(config))).toEqual(config);
    expect(() => decodeFunctionUrlConfig("url.hello.LATEST", encode({ ...config, urlId: "short" }))).toThrow(/malformed/);
    expect(() => decodeFunctionUrlConfig("url.other.LATEST", encode(config))).toThrow(/is for hello/);
  });
});
