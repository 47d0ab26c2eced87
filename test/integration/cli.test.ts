// The lambent CLI against a real cluster: deploy a folder, invoke, list, get, delete.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "@lambent/testkit";
import { runCli, type CliResult } from "../fixtures/cli.js";

let cluster: TestCluster;
let folder: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  folder = await mkdtemp(join(tmpdir(), "lambent-cli-fn-"));
  await mkdir(join(folder, "lib"));
  await writeFile(join(folder, "index.js"), `const { greet } = require("./lib/greet");\nexports.handler = async (event) => ({ text: greet(event.name), mode: process.env.MODE });\n`);
  await writeFile(join(folder, "lib", "greet.js"), `exports.greet = (name) => "hi " + (name || "there");\n`);
});
afterAll(async () => {
  await cluster?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
}

describe("lambent CLI", () => {
  it("deploys a folder, invokes it, and updates it in place", async () => {
    const created = await lambent("deploy", folder, "--name", "cli-fn", "--env", "MODE=first", "--memory", "256");
    expect(created.code, created.stderr).toBe(0);
    const invoked = await lambent("invoke", "cli-fn", "--payload", '{"name":"Ada"}', "--json");
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(invoked.stdout)).toMatchObject({ StatusCode: 200, Payload: { text: "hi Ada", mode: "first" } });
    const updated = await lambent("deploy", folder, "--name", "cli-fn", "--env", "MODE=second");
    expect(updated.code, updated.stderr).toBe(0);
    const again = await lambent("invoke", "cli-fn", "--json");
    expect(JSON.parse(again.stdout).Payload).toMatchObject({ mode: "second" });
  });

  it("lists, gets and deletes", async () => {
    await lambent("deploy", folder, "--name", "cli-other");
    const list = await lambent("list", "--json");
    const names = (JSON.parse(list.stdout) as { Functions: { FunctionName: string }[] }).Functions.map((fn) => fn.FunctionName);
    expect(names).toContain("cli-other");
    const got = await lambent("get", "cli-other", "--json");
    expect(JSON.parse(got.stdout).Configuration.FunctionName).toBe("cli-other");
    expect((await lambent("delete", "cli-other")).code).toBe(0);
    const missing = await lambent("get", "cli-other");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);
  });

  it("shows the log tail and fails with exit 1 on a function error", async () => {
    const broken = await mkdtemp(join(tmpdir(), "lambent-cli-broken-"));
    await writeFile(join(broken, "index.js"), `exports.handler = async () => { console.log("before"); throw new Error("nope"); };\n`);
    expect((await lambent("deploy", broken, "--name", "cli-broken")).code).toBe(0);
    const result = await lambent("invoke", "cli-broken", "--log");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/"errorMessage":"nope"/);
    expect(result.stderr).toMatch(/before/);
    await rm(broken, { recursive: true, force: true });
  });
});
