import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FunctionPlan, LayerPlan } from "@lambent/sam-template";
import { templateChanges, watchFolder, type FolderWatch } from "./dev-watch.js";

function fn(logicalId: string, code: FunctionPlan["code"]): FunctionPlan {
  return { logicalId, functionName: `app-${logicalId}`, code, role: "r", settings: { Handler: "index.handler", Runtime: "nodejs20.x" }, tags: {}, routes: [], schedules: [] };
}

describe("templateChanges", () => {
  const functions = [fn("Orders", { kind: "folder", path: "/app/orders" }), fn("Zipped", { kind: "zip", path: "/app/build/z.zip" }), fn("Inline", { kind: "inline", fileName: "index.js", source: "" })];
  const layers: LayerPlan[] = [{ logicalId: "Shared", layerName: "app-Shared", content: { kind: "folder", path: "/app/shared" }, description: "", retentionPolicy: "Retain" }];

  it("finds the functions whose folder or zip holds a changed path, and nothing else", () => {
    expect(templateChanges(["/app/orders/lib/x.js", "/app/README.md", "/app/orders-old/y.js"], "/app/template.yaml", functions, layers)).toEqual({ template: false, functions: [functions[0]] });
    expect(templateChanges(["/app/build/z.zip"], "/app/template.yaml", functions, layers)).toEqual({ template: false, functions: [functions[1]] });
  });

  it("asks for the whole template when the template or a layer's content changed", () => {
    expect(templateChanges(["/app/template.yaml"], "/app/template.yaml", functions, layers).template).toBe(true);
    expect(templateChanges(["/app/shared/nodejs/node_modules/a/index.js"], "/app/template.yaml", functions, layers).template).toBe(true);
  });
});

describe("watchFolder", () => {
  let folder: string | undefined;
  let watching: FolderWatch | undefined;
  afterEach(async () => {
    await watching?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it("hands over the paths written, beneath subfolders too, leaving .git out", async () => {
    folder = await mkdtemp(join(tmpdir(), "lambent-watch-"));
    await mkdir(join(folder, "src"), { recursive: true });
    await mkdir(join(folder, ".git"), { recursive: true });
    const batches: string[][] = [];
    const wanted = [join(folder, "src", "a.js"), join(folder, "b.js")];
    let delivered: () => void = () => undefined;
    const both = new Promise<void>((resolve) => (delivered = resolve));
    watching = watchFolder(folder, (paths) => {
      batches.push(paths);
      if (wanted.every((path) => batches.flat().includes(path))) delivered();
      return Promise.resolve();
    });
    await writeFile(join(folder, ".git", "index"), "x");
    await writeFile(join(folder, "src", "a.js"), "a");
    await writeFile(join(folder, "b.js"), "b");
    await both;
    expect(batches.flat().some((path) => path.includes(".git"))).toBe(false);
  });
});
