// Regenerates the gRPC API's TypeScript with buf and ts-proto, as buf.gen.yaml says.
// Usage: node scripts/generate.mjs [outDir]   (outDir defaults to gen/; tests pass a temp dir)
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const protoDir = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = resolve(process.argv[2] ?? join(protoDir, "gen"));

const require = createRequire(import.meta.url);
const buf = require.resolve("@bufbuild/buf/bin/buf");
// buf.gen.yaml names the plugin by command; the ts-proto package folder holds that executable.
const tsProtoDir = dirname(require.resolve("ts-proto/package.json"));

// buf writes the plugin's `out` (gen/) under a staging folder, which then replaces outDir whole,
// so files of deleted protos do not linger.
const staging = mkdtempSync(join(tmpdir(), "lambent-proto-"));
try {
  const result = spawnSync(buf, ["generate", "--template", "buf.gen.yaml", "--output", staging], {
    cwd: protoDir,
    stdio: "inherit",
    env: { ...process.env, PATH: `${tsProtoDir}${delimiter}${process.env.PATH ?? ""}` },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.exitCode = result.status ?? 1;
  } else {
    rmSync(outDir, { recursive: true, force: true });
    cpSync(join(staging, "gen"), outDir, { recursive: true });
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
