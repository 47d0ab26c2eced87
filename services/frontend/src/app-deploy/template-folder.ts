// The zip of a template's folder, as the deploy route takes it: unpacked within the package limits into a
// fresh temporary folder of its own (the deploy reads the template and its CodeUri folders from disk), which
// is removed once the deploy is over. The zip is untrusted: a path that would leave the folder refuses it.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { invalidParameter } from "@lambent/errors";
import { unpackZip } from "@lambent/bundler";

const TEMPLATE_NAMES = ["template.yaml", "template.yml"];

export interface TemplateFolder {
  templatePath: string;
  /** Removes the folder and everything in it. */
  remove(): Promise<void>;
}

/** Unpacks `zip` (its files only: no link is made) and finds template.yaml or template.yml at its root. */
export async function unpackTemplateFolder(zip: Uint8Array): Promise<TemplateFolder> {
  const files = unpackZip(zip, "Application folder");
  const name = TEMPLATE_NAMES.find((candidate) => files.has(candidate));
  if (name === undefined) throw invalidParameter("The zip must hold template.yaml (or template.yml) at its root, beside the folders its CodeUri properties name");
  const root = await mkdtemp(join(tmpdir(), "lambent-app-"));
  const remove = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    for (const [path, bytes] of files) {
      const target = resolve(root, path);
      // unpackZip refuses '..' and absolute paths; this holds whatever else a name could do (a drive letter, a NUL).
      const inside = relative(root, target);
      if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || resolve(root, inside) !== target) throw invalidParameter(`Application folder file '${path}' points outside the folder`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes, { flag: "wx" });
    }
  } catch (error) {
    await remove();
    if (error instanceof Error && "code" in error && (error.code === "EEXIST" || error.code === "ENOTDIR" || error.code === "EISDIR")) {
      throw invalidParameter(`The application folder's zip names a file twice, or a file and a folder alike: ${error.message.replace(root, ".")}`);
    }
    throw error;
  }
  return { templatePath: join(root, name), remove };
}
