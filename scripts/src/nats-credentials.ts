// `node scripts/dist/nats-credentials.js --out <dir> --workers <id,id,…> [--operator]`: fresh NATS
// credentials for a cluster in one command. Writes the `authorization` block nats-server includes
// (`auth.conf`: public keys and permissions, no secret) and one NKey seed file per service identity
// (`frontend.nk`, `scheduler.nk`, `worker-<id>.nk`, and `operator.nk` with --operator), readable by
// the owner only. Each worker node's seed works only with LAMBENT_WORKER_ID=<id>. deploy/README.md
// shows how to turn them into Kubernetes Secrets and how to rotate them.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createNatsCredentials, natsAuthorizationBlock } from "@lambent/nats-auth";

const USAGE = "usage: node scripts/dist/nats-credentials.js --out <dir> --workers <worker id,worker id,…> [--operator]";

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let values: { out?: string; workers?: string; operator?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { out: { type: "string" }, workers: { type: "string" }, operator: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  }));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.out) fail("--out is required: the directory to write the files to");
if (!values.workers) fail("--workers is required: the LAMBENT_WORKER_ID of each worker node");
const out = resolve(values.out);
const workerIds = values.workers.split(",").map((id) => id.trim()).filter(Boolean);
let credentials;
try {
  credentials = createNatsCredentials(workerIds, { operator: values.operator ?? false });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

await mkdir(out, { recursive: true, mode: 0o700 });
const secret = { mode: 0o600 } as const;
await writeFile(join(out, "auth.conf"), natsAuthorizationBlock(credentials), secret);
await writeFile(join(out, "frontend.nk"), `${credentials.frontend.seed}\n`, secret);
await writeFile(join(out, "scheduler.nk"), `${credentials.scheduler.seed}\n`, secret);
for (const [workerId, credential] of credentials.workers) await writeFile(join(out, `worker-${workerId}.nk`), `${credential.seed}\n`, secret);
if (credentials.operator) await writeFile(join(out, "operator.nk"), `${credentials.operator.seed}\n`, secret);

console.log(`Wrote to ${out}:
  auth.conf        include it in every nats-server's config (public keys and permissions)
  frontend.nk      LAMBENT_NATS_NKEY_SEED_FILE of every frontend
  scheduler.nk     LAMBENT_NATS_NKEY_SEED_FILE of every scheduler
${workerIds.map((id) => `  worker-${id}.nk`.padEnd(19) + `LAMBENT_NATS_NKEY_SEED_FILE of the worker with LAMBENT_WORKER_ID=${id}`).join("\n")}${
  credentials.operator ? "\n  operator.nk      every permission, for the nats CLI (`nats --nkey operator.nk`); keep it off the cluster" : ""
}`);
