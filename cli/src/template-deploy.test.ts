import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "./command.js";
import { findTemplate, takeParameterOverrides } from "./template-deploy.js";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "lambent-template-"));
  // A template, and a folder beside it without one.
  await mkdir(join(folder, "app"));
  await writeFile(join(folder, "template.yml"), "Resources: {}\n");
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("takeParameterOverrides", () => {
  it("takes the pairs after the flag, in one value or many, and leaves the other arguments", () => {
    expect(takeParameterOverrides(["app", "--parameter-overrides", "A=1", "B=x=y", "--stack-name", "s"])).toEqual({ args: ["app", "--stack-name", "s"], pairs: ["A=1", "B=x=y"] });
    expect(takeParameterOverrides(["--parameter-overrides", "A=1 B=2", "app"])).toEqual({ args: ["app"], pairs: ["A=1", "B=2"] });
    expect(takeParameterOverrides(["--parameter-overrides=ParameterKey=A,ParameterValue=1"]).pairs).toEqual(["ParameterKey=A,ParameterValue=1"]);
    expect(takeParameterOverrides(["--parameter-overrides", "Title=a b"]).pairs).toEqual(["Title=a b"]);
    expect(() => takeParameterOverrides(["--parameter-overrides", "app"])).toThrow(UsageError);
  });
});

describe("findTemplate", () => {
  it("takes a file, or template.yaml or template.yml in a folder, and nothing else", async () => {
    expect(await findTemplate(folder)).toBe(join(folder, "template.yml"));
    expect(await findTemplate(join(folder, "template.yml"))).toBe(join(folder, "template.yml"));
    expect(await findTemplate(join(folder, "app"))).toBeUndefined();
    expect(await findTemplate(join(folder, "missing"))).toBeUndefined();
  });
});
