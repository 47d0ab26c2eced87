import { describe, expect, it } from "vitest";
import { DEFAULT_ENDPOINT, UsageError, parseCommandArgs, parsePositiveInteger, resolveEndpoint, type CliIo } from "./command.js";

const io = (env: Record<string, string> = {}): CliIo => ({ stdout: { write: () => true }, stderr: { write: () => true }, env, cwd: "/" });
const OPTIONS = { name: { type: "string" }, env: { type: "string", multiple: true }, log: { type: "boolean" } } as const;

describe("parseCommandArgs", () => {
  it("reads options, positionals and the common flags", () => {
    const parsed = parseCommandArgs(["fn", "--name", "n", "--env", "A=1", "--env", "B=2", "--log", "--json"], OPTIONS, io(), 1);
    expect(parsed.positionals).toEqual(["fn"]);
    expect(parsed.values).toMatchObject({ name: "n", env: ["A=1", "B=2"], log: true });
    expect(parsed.common).toEqual({ endpoint: DEFAULT_ENDPOINT, json: true, help: false });
  });

  it("rejects unknown options, missing values, missing and extra positionals", () => {
    expect(() => parseCommandArgs(["fn", "--nope"], OPTIONS, io(), 1)).toThrow(UsageError);
    expect(() => parseCommandArgs(["fn", "--name"], OPTIONS, io(), 1)).toThrow(UsageError);
    expect(() => parseCommandArgs([], OPTIONS, io(), 1)).toThrow(/missing argument/);
    expect(() => parseCommandArgs(["a", "b"], OPTIONS, io(), 1)).toThrow(/unexpected argument 'b'/);
  });

  it("does not insist on positionals when help is asked for", () => {
    expect(parseCommandArgs(["--help"], OPTIONS, io(), 1).common.help).toBe(true);
    expect(parseCommandArgs(["-h"], OPTIONS, io(), 1).common.help).toBe(true);
  });
});

describe("resolveEndpoint", () => {
  it("prefers the flag, then LAMBENT_ENDPOINT, then the default, without a trailing slash", () => {
    expect(resolveEndpoint("http://a:1/", { LAMBENT_ENDPOINT: "http://b:2" })).toBe("http://a:1");
    expect(resolveEndpoint(undefined, { LAMBENT_ENDPOINT: "http://b:2" })).toBe("http://b:2");
    expect(resolveEndpoint(undefined, { LAMBENT_ENDPOINT: "" })).toBe(DEFAULT_ENDPOINT);
    expect(resolveEndpoint(undefined, {})).toBe(DEFAULT_ENDPOINT);
  });

  it("rejects what is not an http(s) URL", () => {
    expect(() => resolveEndpoint("not a url", {})).toThrow(UsageError);
    expect(() => resolveEndpoint("ftp://host", {})).toThrow(/http or https/);
  });
});

describe("parsePositiveInteger", () => {
  it("accepts whole positive numbers and rejects the rest", () => {
    expect(parsePositiveInteger("memory", "256")).toBe(256);
    expect(parsePositiveInteger("memory", undefined)).toBeUndefined();
    for (const bad of ["0", "-1", "1.5", "12MB", ""]) expect(() => parsePositiveInteger("memory", bad)).toThrow(/--memory/);
  });
});
