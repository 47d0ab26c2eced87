// Runs the README's quick start as a new user types it: `npm start`, then every shell block the README
// marks `<!-- ci:run -->` (or `<!-- ci:run requires=<command> -->`, skipped when that command is not
// installed), each block in one shell, in order, from the repository's root. Fails on the first failure.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/<!-- ci:run(?: requires=([\w-]+))? -->\n```sh\n([\s\S]*?)```/g)].map((match) => ({ requires: match[1], script: match[2] }));
if (blocks.length === 0) fail("the README marks no block with <!-- ci:run -->");

const has = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

const dataDir = mkdtempSync(join(tmpdir(), "lambent-quickstart-"));
console.log("$ npm start");
const cluster = spawn("npm", ["start"], { cwd: root, env: { ...process.env, LAMBENT_DATA_DIR: dataDir }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
let output = "";
cluster.stdout.on("data", (chunk) => (output += chunk));
cluster.stderr.on("data", (chunk) => (output += chunk));
const exited = new Promise((resolve) => cluster.on("exit", resolve));

try {
  await waitFor(() => output.includes("Lambent is running"), 300_000, "npm start did not report a running cluster");
  for (const { requires, script } of blocks) {
    if (requires && !has(requires)) {
      console.log(`(skipping a block that needs ${requires}, which is not installed)`);
      continue;
    }
    const run = spawnSync("bash", ["-euo", "pipefail", "-x", "-c", script], { cwd: root, stdio: "inherit", env: process.env });
    if (run.status !== 0) fail(`a README quick-start block failed (exit ${run.status}):\n${script}`);
  }
  console.log("README quick start: every block ran.");
} finally {
  try {
    process.kill(-cluster.pid, "SIGINT");
  } catch {
    // Already gone.
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  rmSync(dataDir, { recursive: true, force: true });
}

function fail(message) {
  console.error(`${message}\n--- npm start output ---\n${output.slice(-5000)}`);
  process.exit(1);
}

async function waitFor(check, timeoutMs, message) {
  const giveUpAt = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > giveUpAt || cluster.exitCode !== null) fail(message);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
