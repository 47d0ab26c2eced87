// The committed src/generated/ must be exactly what `npm run model` produces from model/ today.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), "lambent-model-check-"));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("src/generated/service-model.ts", () => {
  it("matches a fresh generation from the committed model (run `npm run model` to update it)", () => {
    const fresh = join(workDir, "service-model.ts");
    execFileSync(process.execPath, [join(packageDir, "scripts", "generate.mjs"), fresh], { stdio: "pipe" });
    const committed = readFileSync(join(packageDir, "src", "generated", "service-model.ts"), "utf8");
    expect(committed).toBe(readFileSync(fresh, "utf8"));
  });
});
