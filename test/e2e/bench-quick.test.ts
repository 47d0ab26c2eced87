// The benchmark's quick mode runs every scenario, so bench/ never rots. No timing is asserted.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

const run = promisify(execFile);
let outDir: string | undefined;
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

it("runs every scenario in quick mode and writes JSON and Markdown", async () => {
  outDir = await mkdtemp(join(tmpdir(), "lambent-bench-test-"));
  const script = new URL("../../bench/dist/run.js", import.meta.url).pathname;
  await run(process.execPath, ["--no-node-snapshot", script, "--quick", "--out", outDir], { timeout: 240_000 });
  const files = await readdir(outDir);
  const json = files.find((file) => file.endsWith("-quick.json"));
  expect(json).toBeDefined();
  expect(files).toContain("latest-quick.md");
  const results = JSON.parse(await readFile(join(outDir, json!), "utf8"));
  const targets = new Set(results.syncInvoke.map((row: { target: string }) => row.target));
  expect([...targets].sort()).toEqual(["bare-node", "lambent-grpc", "lambent-http", "workerd"]);
  for (const row of results.syncInvoke) {
    expect(row.result.requestsPerSecond.median, `${row.target} at ${row.concurrency}`).toBeGreaterThan(0);
    // workerd is a peer we only measure: on a loaded machine its requests can time out, which the report shows.
    if (row.target !== "workerd") expect(row.result.errors.median, `${row.target} errors`).toBe(0);
  }
  expect(results.schedulerHop).toHaveLength(2);
  expect(results.coldStart.small.init.p50).toBeGreaterThan(0);
  expect(results.density[0].warmEnvironments).toBe(20);
  expect(results.machine.cores).toBeGreaterThan(0);
  expect(results.machineLoad.duringRun.busyCores).toBeGreaterThan(0);
  for (const row of results.separateNodes) expect(row.result.errors.median, `separate nodes at ${row.concurrency}`).toBe(0);
  expect(results.packageColdStart.firstCall.p50).toBeGreaterThan(0);
  for (const row of results.functionCalls) expect(row.viaCall.errors.median, `function calls at ${row.concurrency}`).toBe(0);
  for (const row of results.expressWorkflows) {
    expect(row.result.requestsPerSecond.median, `express ${row.machine}`).toBeGreaterThan(0);
    expect(row.result.errors.median, `express ${row.machine} errors`).toBe(0);
  }
}, 300_000);

it("runs the leader benchmark in quick mode: the simulated workers' calls are admitted by a real scheduler", async () => {
  const leaderOut = await mkdtemp(join(tmpdir(), "lambent-bench-leader-test-"));
  try {
    const script = new URL("../../bench/dist/leader-scale.js", import.meta.url).pathname;
    await run(process.execPath, [script, "--quick", "--out", leaderOut], { timeout: 120_000 });
    const json = (await readdir(leaderOut)).find((file) => file.startsWith("leader-") && file.endsWith("-quick.json"));
    expect(json).toBeDefined();
    const { points } = JSON.parse(await readFile(join(leaderOut, json!), "utf8")) as { points: { admittedPerSecond: number; refused: number; leaderCores: number }[] };
    expect(points).toHaveLength(1);
    expect(points[0]!.admittedPerSecond).toBeGreaterThan(0);
    expect(points[0]!.refused).toBe(0);
    expect(points[0]!.leaderCores).toBeGreaterThan(0);
  } finally {
    await rm(leaderOut, { recursive: true, force: true });
  }
}, 150_000);
