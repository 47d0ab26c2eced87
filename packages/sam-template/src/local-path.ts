// A local path a template names (CodeUri, Code, ContentUri, DefinitionUri), against the template's folder;
// held inside that folder when the template came from an upload, so it reads only the files it came with.
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ResolveError } from "./errors.js";

export interface TemplateFolder {
  /** The template's folder, absolute. */
  path: string;
  /** Refuse a path outside it (or an absolute one elsewhere): the template came from an untrusted upload. */
  confined: boolean;
}

export function localPath(uri: string, folder: TemplateFolder, property: string): string {
  const path = isAbsolute(uri) ? uri : resolve(folder.path, uri);
  if (folder.confined) {
    const inside = relative(folder.path, path);
    if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) throw new ResolveError(`'${uri}' is outside the template's folder: a deployed folder's template reads only the files the folder holds`, property);
  }
  return path;
}
