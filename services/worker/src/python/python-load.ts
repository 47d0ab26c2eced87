// A Python function's module loaded into its environment's isolate in two steps: the interpreter restored
// from the process's snapshot (`start`, which a spare does ahead of any cold start), then bound to the
// function (`bind`): its facts, its package's files written to /var/task, the handler's module imported by
// lambda_runtime.py. The host awaits each within the init timeout.
import ivm from "isolated-vm";
import type { PackageTree } from "../host/package-files.js";
import type { FunctionError } from "../limits.js";

/** The package's files as `[path, bytes]` pairs, for the interpreter's in-memory file system. */
export function packageEntries(pkg: PackageTree | undefined): [string, Uint8Array][] {
  if (!pkg) return [];
  const entries: [string, Uint8Array][] = [];
  for (const [directory, names] of pkg.directories) {
    for (const name of names) {
      const path = directory === "" ? name : `${directory}/${name}`;
      const bytes = pkg.files.has(path) ? pkg.files.get(path) : undefined;
      if (bytes) entries.push([path, bytes]);
    }
  }
  return entries;
}

/** Restores the interpreter in a booted Python runtime (`start`); Lambda's error shape when it cannot start, else null. */
export async function startPython(runtime: ivm.Reference, assets: ivm.ExternalCopy, timeoutMs: number): Promise<FunctionError | null> {
  const start = runtime.getSync("start", { reference: true }) as ivm.Reference;
  try {
    return (await start.apply(undefined, [assets.copyInto()], { timeout: timeoutMs, result: { promise: true, copy: true } })) as FunctionError | null;
  } finally {
    start.release();
  }
}

/**
 * Binds a started interpreter to one function (`bind`): its facts (`info`, as boot takes them), its
 * package at /var/task, its handler's module imported. Lambda's error shape when the handler cannot be
 * loaded, else null.
 */
export async function bindPython(runtime: ivm.Reference, info: object, pkg: PackageTree | undefined, timeoutMs: number): Promise<FunctionError | null> {
  return callWithPackage(runtime, "bind", info, pkg, timeoutMs);
}

/** As bindPython, for an interpreter restored from the function's own snapshot: its module is imported already. */
export async function resumePython(runtime: ivm.Reference, info: object, pkg: PackageTree | undefined, timeoutMs: number): Promise<FunctionError | null> {
  return callWithPackage(runtime, "resume", info, pkg, timeoutMs);
}

async function callWithPackage(runtime: ivm.Reference, entry: "bind" | "resume", info: object, pkg: PackageTree | undefined, timeoutMs: number): Promise<FunctionError | null> {
  const bind = runtime.getSync(entry, { reference: true }) as ivm.Reference;
  const args = [new ivm.ExternalCopy(info).copyInto({ release: true }), new ivm.ExternalCopy(packageEntries(pkg)).copyInto({ release: true })];
  try {
    return (await bind.apply(undefined, args, { timeout: timeoutMs, result: { copy: true } })) as FunctionError | null;
  } finally {
    bind.release();
  }
}
