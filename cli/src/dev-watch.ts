// `lambent dev`'s watch: a folder watched recursively, its changes gathered until none has come for a
// moment (debounced) and handed over one batch at a time, a batch that arrives meanwhile waiting for the
// one being handled; and which of a template's parts a batch of changed paths touches.
import { watch } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { FunctionPlan, LayerPlan } from "@lambent/sam-template";

/** How long after the last change a batch waits: an editor's save is several writes in a few milliseconds. */
export const DEBOUNCE_MS = 100;
/** Folders whose changes never touch a deploy. */
const IGNORED = new Set([".git", ".aws-sam"]);

export interface FolderWatch {
  /** Stops watching; resolves once the batch being handled, if any, is done. */
  close(): Promise<void>;
}

/** Watches `folder`; `onBatch` gets the absolute paths changed, never two batches at once. */
export function watchFolder(folder: string, onBatch: (paths: string[]) => Promise<void>): FolderWatch {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const flush = (): void => {
    timer = undefined;
    if (running !== undefined || pending.size === 0) return;
    const batch = [...pending].sort();
    pending = new Set();
    running = onBatch(batch).finally(() => {
      running = undefined;
      if (pending.size > 0 && timer === undefined) flush();
    });
  };
  const watcher = watch(folder, { recursive: true }, (_event, filename) => {
    if (filename === null) return;
    const path = resolve(folder, filename);
    if (relative(folder, path).split(sep).some((segment) => IGNORED.has(segment))) return;
    pending.add(path);
    clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  });
  return {
    async close() {
      watcher.close();
      clearTimeout(timer);
      await running;
    },
  };
}

/** What a batch of changes asks for: the whole template deployed again, or only some functions' code. */
export interface TemplateChanges {
  /** The template itself or a layer's content changed: a deploy of the whole template. */
  template: boolean;
  /** Functions whose code folder or zip holds a changed path. */
  functions: FunctionPlan[];
}

export function templateChanges(paths: readonly string[], templatePath: string, functions: readonly FunctionPlan[], layers: readonly LayerPlan[]): TemplateChanges {
  const template = paths.some((path) => path === templatePath || layers.some((layer) => holds(layer.content, path)));
  const changed = functions.filter((fn) => fn.code.kind !== "inline" && paths.some((path) => holds(fn.code as { kind: "folder" | "zip"; path: string }, path)));
  return { template, functions: changed };
}

function holds(source: { kind: "folder" | "zip"; path: string }, path: string): boolean {
  if (source.kind === "zip") return path === source.path;
  const inside = relative(source.path, path);
  return inside === "" || (!inside.startsWith("..") && !isAbsolute(inside));
}
