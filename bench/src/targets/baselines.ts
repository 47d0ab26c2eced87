// Starting the baselines: the bare Node.js server and Cloudflare's workerd serving the same handler.
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_DIST, freePort, startServerProcess, stopChild, waitForHttp } from "../processes.js";

export interface RunningTarget {
  url: string;
  stop(): Promise<void>;
}

export async function startBareNode(): Promise<RunningTarget> {
  const { child, line } = await startServerProcess(process.execPath, [join(BENCH_DIST, "targets", "bare-node-server.js")], /"port"/);
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}/`, stop: () => stopChild(child) };
}

const WORKER_SCRIPT = `import { handler } from "./index.mjs";
export default {
  async fetch(request) {
    const text = await request.text();
    const result = await handler(text ? JSON.parse(text) : {});
    return new Response(JSON.stringify(result), { headers: { "content-type": "application/json" } });
  },
};
`;

export async function startWorkerd(): Promise<RunningTarget> {
  const require = createRequire(import.meta.url);
  // The workerd package's default export is the path of the binary it ships.
  const workerdBin = (require("workerd") as { default: string }).default;
  const directory = await mkdtemp(join(tmpdir(), "lambent-bench-workerd-"));
  const port = await freePort();
  await copyFile(fileURLToPath(new URL("../../fixtures/hello/index.mjs", import.meta.url)), join(directory, "index.mjs"));
  await writeFile(join(directory, "worker.mjs"), WORKER_SCRIPT);
  await writeFile(
    join(directory, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .helloWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const helloWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "index.mjs", esModule = embed "index.mjs"),
  ],
  compatibilityDate = "2024-09-01",
);
`,
  );
  const { child } = await startServerProcess(workerdBin, ["serve", join(directory, "config.capnp")]);
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(url);
  return {
    url,
    stop: async () => {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
