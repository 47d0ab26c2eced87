// The committed gen/ must be exactly what `npm run proto` produces from the .proto files today.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const protoDir = fileURLToPath(new URL(".", import.meta.url));
const committedDir = join(protoDir, "gen");
const workDir = mkdtempSync(join(tmpdir(), "lambent-proto-check-"));
const freshDir = join(workDir, "gen");

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("proto/gen", () => {
  it("matches a fresh generation from the .proto files (run `npm run proto` to update it)", () => {
    execFileSync(process.execPath, [join(protoDir, "scripts", "generate.mjs"), freshDir], { stdio: "pipe" });

    const fresh = listFiles(freshDir);
    expect(fresh.length).toBeGreaterThan(0);
    expect(listFiles(committedDir)).toEqual(fresh);
    for (const file of fresh) {
      expect(readFileSync(join(committedDir, file), "utf8"), file).toBe(readFileSync(join(freshDir, file), "utf8"));
    }
  });

  // The .proto files share the package lambent.v1, so a gRPC server loading them together refuses a name
  // declared twice (it would not start at all): each message and service name must be unique across them.
  it("declares each message and service name once across the package's .proto files", () => {
    const protoSources = listFiles(join(protoDir, "lambent")).filter((file) => file.endsWith(".proto"));
    const declared = protoSources.flatMap((file) =>
      [...readFileSync(join(protoDir, "lambent", file), "utf8").matchAll(/^(?:message|service|enum)\s+(\w+)/gm)].map((match) => match[1]),
    );
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.filter((name, index) => declared.indexOf(name) !== index)).toEqual([]);
  });
});
