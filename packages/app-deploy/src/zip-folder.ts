// Packs a function's (or a layer's) folder into a deployment zip: every file below it, node_modules included, `.git` left out.
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";

/** Names skipped at any depth. */
const SKIPPED = new Set([".git"]);

/** A fixed timestamp for every entry, so the same files always give the same zip and CodeSha256. */
const ENTRY_TIME = new Date("2000-01-01T00:00:00Z");

export interface ZippedFolder {
  zip: Uint8Array;
  fileCount: number;
}

/**
 * Zips `folder` recursively with paths relative to it (forward slashes, sorted). Symbolic links are
 * followed, as npm's `.bin` entries and linked packages need; a link back into a folder already being
 * walked is skipped so a cycle cannot recurse forever, and a dangling link is skipped.
 */
export async function zipFolder(folder: string): Promise<ZippedFolder> {
  const files: Zippable = {};
  let fileCount = 0;

  async function walk(directory: string, prefix: string, ancestors: ReadonlySet<string>): Promise<void> {
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (SKIPPED.has(entry.name)) continue;
      const path = join(directory, entry.name);
      const zipPath = prefix + entry.name;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        if (target === undefined) continue; // A dangling link has nothing to pack.
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDirectory) {
        const real = await realpath(path);
        if (ancestors.has(real)) continue; // A link back up the tree: packing it would never end.
        await walk(path, `${zipPath}/`, new Set([...ancestors, real]));
      } else if (isFile) {
        files[zipPath] = [new Uint8Array(await readFile(path)), { mtime: ENTRY_TIME }];
        fileCount += 1;
      }
    }
  }

  await walk(folder, "", new Set([await realpath(folder)]));
  return { zip: zipSync(files), fileCount };
}

/**
 * A template's CodeUri or ContentUri as zip bytes: a zip file as it is, or a folder packed. `use` ends the
 * error for a folder with no files ("deploy", "publish").
 */
export async function zipFileOrFolder(source: { kind: "zip" | "folder"; path: string }, use: string): Promise<Uint8Array> {
  const found = await stat(source.path).catch(() => undefined);
  if (source.kind === "zip") {
    if (!found?.isFile()) throw new Error(`${source.path} is not a file`);
    return new Uint8Array(await readFile(source.path));
  }
  if (!found?.isDirectory()) throw new Error(`${source.path} is not a folder`);
  const { zip, fileCount } = await zipFolder(source.path);
  if (fileCount === 0) throw new Error(`${source.path} has no files to ${use}`);
  return zip;
}
