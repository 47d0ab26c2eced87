import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { zipFolder } from "./zip-folder.js";

describe("zipFolder", () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "lambent-zip-"));
    await writeFile(join(folder, "index.mjs"), "export const handler = async () => 1;\n");
    await mkdir(join(folder, "node_modules", "dep", "lib"), { recursive: true });
    await writeFile(join(folder, "node_modules", "dep", "package.json"), '{"name":"dep"}');
    await writeFile(join(folder, "node_modules", "dep", "lib", "deep.js"), "module.exports = 2;");
    await mkdir(join(folder, ".git", "objects"), { recursive: true });
    await writeFile(join(folder, ".git", "HEAD"), "ref: refs/heads/main\n");
    await mkdir(join(folder, "node_modules", "sub", ".git"), { recursive: true });
    await writeFile(join(folder, "node_modules", "sub", ".git", "config"), "");
    await writeFile(join(folder, "node_modules", "sub", "index.js"), "");
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("keeps nested files and node_modules, skips .git at any depth", async () => {
    const { zip, fileCount } = await zipFolder(folder);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([
      "index.mjs",
      "node_modules/dep/lib/deep.js",
      "node_modules/dep/package.json",
      "node_modules/sub/index.js",
    ]);
    expect(fileCount).toBe(4);
    expect(strFromU8(files["node_modules/dep/lib/deep.js"]!)).toBe("module.exports = 2;");
    expect(strFromU8(files["index.mjs"]!)).toBe("export const handler = async () => 1;\n");
  });

  it("gives the same bytes for the same files", async () => {
    const first = await zipFolder(folder);
    const second = await zipFolder(folder);
    expect(Buffer.from(second.zip).equals(Buffer.from(first.zip))).toBe(true);
  });

  it("follows links to files, skips dangling links and links back up the tree", async () => {
    await mkdir(join(folder, "node_modules", ".bin"));
    await symlink("../dep/lib/deep.js", join(folder, "node_modules", ".bin", "deep"));
    await symlink("../missing", join(folder, "node_modules", ".bin", "gone"));
    await symlink("..", join(folder, "node_modules", "dep", "loop"));
    const files = unzipSync((await zipFolder(folder)).zip);
    expect(strFromU8(files["node_modules/.bin/deep"]!)).toBe("module.exports = 2;");
    expect(files["node_modules/.bin/gone"]).toBeUndefined();
    expect(Object.keys(files).some((path) => path.includes("loop/loop"))).toBe(false);
  });
});
