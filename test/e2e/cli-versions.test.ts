// The lambent CLI's release flow against a real cluster: publish versions, point an alias at them,
// move it, roll it back, and check each move by invoking through the alias.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "@lambent/testkit";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const FUNCTION = "cli-releases";
let cluster: TestCluster;
let folder: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

beforeAll(async () => {
  cluster = await startTestCluster();
  folder = await mkdtemp(join(tmpdir(), "lambent-cli-versions-"));
});
afterAll(async () => {
  await cluster?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function lambent(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl, LAMBENT_FUNCTION: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Writes a handler that answers which release it is. */
async function writeRelease(release: string): Promise<void> {
  await writeFile(join(folder, "index.js"), `exports.handler = async () => ({ release: ${JSON.stringify(release)} });\n`);
}

async function deploy(): Promise<void> {
  const result = await lambent("deploy", folder, "--name", FUNCTION);
  expect(result.code, result.stderr).toBe(0);
}

/** Publishes $LATEST and answers the new version number. */
async function publish(description: string): Promise<string> {
  const result = await lambent("publish", FUNCTION, "--description", description, "--json");
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { Version: string }).Version;
}

async function invoke(...qualifier: string[]): Promise<{ ExecutedVersion?: string; Payload: unknown }> {
  const result = await lambent("invoke", FUNCTION, ...qualifier, "--json");
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { ExecutedVersion?: string; Payload: unknown };
}

describe("lambent publish, alias and rollback", () => {
  it("publishes two versions, moves prod between them and rolls it back", async () => {
    await writeRelease("one");
    await deploy();
    expect(await publish("first")).toBe("1");
    await writeRelease("two");
    await deploy();
    expect(await publish("second")).toBe("2");

    const versions = await lambent("versions", FUNCTION, "--json");
    expect(versions.code, versions.stderr).toBe(0);
    const listed = (JSON.parse(versions.stdout) as { Versions: { Version: string; Description?: string }[] }).Versions;
    expect(listed.map((version) => version.Version)).toEqual(expect.arrayContaining(["$LATEST", "1", "2"]));
    expect(listed.find((version) => version.Version === "1")?.Description).toBe("first");
    const table = await lambent("versions", FUNCTION);
    expect(table.stdout).toMatch(/^VERSION\s+CODE SHA256/);

    const created = await lambent("alias", "set", FUNCTION, "prod", "1", "--description", "production");
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe("created alias prod: 1\n");
    expect(await invoke("--qualifier", "prod")).toMatchObject({ ExecutedVersion: "1", Payload: { release: "one" } });

    // The short form: the function from --function.
    const moved = await lambent("alias", "set", "prod", "2", "--function", FUNCTION);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toBe("prod: 1 → 2\n");
    expect(await invoke("--qualifier", "prod")).toMatchObject({ ExecutedVersion: "2", Payload: { release: "two" } });

    const rolledBack = await lambent("rollback", FUNCTION, "prod");
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toBe("prod: 2 → 1\n");
    expect(await invoke("--qualifier", "prod")).toMatchObject({ ExecutedVersion: "1", Payload: { release: "one" } });

    const alias = await lambent("alias", "get", FUNCTION, "prod", "--json");
    expect(alias.code, alias.stderr).toBe(0);
    expect(JSON.parse(alias.stdout)).toMatchObject({ Name: "prod", FunctionVersion: "1", PreviousVersion: "2", Description: "production" });

    // $LATEST and a version number are still reachable directly.
    expect((await invoke()).Payload).toEqual({ release: "two" });
    expect(await invoke("--qualifier", "2")).toMatchObject({ ExecutedVersion: "2", Payload: { release: "two" } });
  });

  it("sets a weighted alias, lists and deletes aliases, and deletes one version", async () => {
    const weighted = await lambent("alias", "set", FUNCTION, "canary", "1", "--weight", "2=0.5");
    expect(weighted.code, weighted.stderr).toBe(0);
    expect(weighted.stdout).toBe("created alias canary: 1, 2 at 50%\n");
    const canary = JSON.parse((await lambent("alias", "get", FUNCTION, "canary", "--json")).stdout) as Record<string, unknown>;
    expect(canary).toMatchObject({ FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } } });
    const executed = new Set<string | undefined>();
    for (let i = 0; i < 30; i += 1) executed.add((await invoke("--qualifier", "canary")).ExecutedVersion);
    // At 50% each, 30 calls all landing on one version has a chance of about 2 in a billion.
    expect([...executed].sort()).toEqual(["1", "2"]);

    const list = await lambent("alias", "list", FUNCTION, "--json");
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { Aliases: { Name: string }[] }).Aliases.map((entry) => entry.Name).sort()).toEqual(["canary", "prod"]);

    expect((await lambent("alias", "delete", FUNCTION, "canary")).code).toBe(0);
    const gone = await lambent("alias", "get", FUNCTION, "canary");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/ResourceNotFoundException/);

    // Version 1 is in use by prod, so it can't be deleted; an unused version can.
    const inUse = await lambent("delete", FUNCTION, "--qualifier", "1");
    expect(inUse.code).toBe(1);
    await writeRelease("three");
    await deploy();
    expect(await publish("third")).toBe("3");
    const deleted = await lambent("delete", FUNCTION, "--qualifier", "3");
    expect(deleted.code, deleted.stderr).toBe(0);
    const versions = JSON.parse((await lambent("versions", FUNCTION, "--json")).stdout) as { Versions: { Version: string }[] };
    expect(versions.Versions.map((version) => version.Version)).not.toContain("3");
    expect((await invoke("--qualifier", "prod")).Payload).toEqual({ release: "one" });
  });
});
