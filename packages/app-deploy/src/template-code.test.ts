import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import type { FunctionPlan } from "@lambent/sam-template";
import { buildPackages } from "./template-code.js";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "lambent-template-"));
  await mkdir(join(folder, "app", "src"), { recursive: true });
  await writeFile(join(folder, "template.yml"), "Resources: {}\n");
  await writeFile(join(folder, "app", "src", "good.mjs"), "export const handler = async () => 1;\n");
  await writeFile(join(folder, "app", "broken.cjs"), "exports.handler = async () => { return 1 +; };\n");
  await mkdir(join(folder, "py", "greeter"), { recursive: true });
  await writeFile(join(folder, "py", "greeter", "app.py"), "def lambda_handler(event, context):\n    return event\n");
  await writeFile(join(folder, "bundle.zip"), zipSync({ "main.js": new TextEncoder().encode("exports.run = () => 1;") }));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function fn(logicalId: string, code: FunctionPlan["code"], handler: string, runtime = "nodejs20.x"): FunctionPlan {
  return { logicalId, functionName: logicalId, code, role: "r", settings: { Handler: handler, Runtime: runtime }, tags: {}, routes: [], schedules: [] };
}

describe("buildPackages", () => {
  it("zips folders, reads zips and packs inline code, each holding its handler's module", async () => {
    const { packages, problems } = await buildPackages([
      fn("Folder", { kind: "folder", path: join(folder, "app") }, "src/good.handler"),
      fn("Zip", { kind: "zip", path: join(folder, "bundle.zip") }, "main.run"),
      fn("Inline", { kind: "inline", fileName: "index.js", source: "exports.handler = async () => 1;" }, "index.handler"),
    ]);
    expect(problems).toEqual([]);
    expect([...packages.keys()]).toEqual(["Folder", "Zip", "Inline"]);
  });

  it("finds a Python handler's module by its dotted path, as a .py file", async () => {
    const { packages, problems } = await buildPackages([
      fn("Package", { kind: "folder", path: join(folder, "py") }, "greeter.app.lambda_handler", "python3.12"),
      fn("Inline", { kind: "inline", fileName: "index.py", source: "def handler(event, context):\n    return 1\n" }, "index.handler", "python3.12"),
      fn("NoModule", { kind: "folder", path: join(folder, "py") }, "app.lambda_handler", "python3.12"),
    ]);
    expect([...packages.keys()]).toEqual(["Package", "Inline"]);
    expect(problems).toEqual([{ where: "NoModule", property: "CodeUri", message: `the handler app.lambda_handler needs app.py in ${join(folder, "py")}, which has no such file` }]);
  });

  it("names each function whose code is missing, lacks its handler's module or does not compile", async () => {
    const { problems } = await buildPackages([
      fn("Missing", { kind: "folder", path: join(folder, "nowhere") }, "index.handler"),
      fn("NoModule", { kind: "folder", path: join(folder, "app") }, "index.handler"),
      fn("Broken", { kind: "folder", path: join(folder, "app") }, "broken.handler"),
      fn("NotZip", { kind: "zip", path: join(folder, "template.yml") }, "main.run"),
    ]);
    expect(problems).toEqual([
      { where: "Missing", property: "CodeUri", message: `${join(folder, "nowhere")} is not a folder` },
      { where: "NoModule", property: "CodeUri", message: `the handler index.handler needs index.js (or .mjs, .cjs, .ts) in ${join(folder, "app")}, which has no such file` },
      { where: "Broken", property: "CodeUri", message: expect.stringMatching(/broken\.cjs:1: SyntaxError: Unexpected token/) },
      { where: "NotZip", property: "CodeUri", message: expect.stringMatching(/^is not a zip file/) },
    ]);
  });
});
