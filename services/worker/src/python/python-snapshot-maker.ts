// Makes one function's snapshot (function-snapshots.ts) in a throwaway isolate of its own, so no
// environment's interpreter is touched: the interpreter restored from the process's base snapshot, the
// function's package written and its module imported (its log goes nowhere, its fetches fail, it draws
// fresh entropy), then its memory taken. Pyodide refuses when the module holds a JavaScript object it
// cannot name by a path from the global object; the promise then rejects.
import ivm from "isolated-vm";
import { makeBlankIsolate } from "../pool/spare-isolates.js";
import type { PackageTree } from "../host/package-files.js";
import { runPyodideGlue } from "./pyodide-assets.js";
import { packageEntries } from "./python-load.js";
import { preparePython } from "./python-snapshot.js";
import { standInCall } from "./python-spares.js";

/**
 * The import ran within the cold start's 10 s init deadline; the restore before it takes under a second.
 * An import that runs on far longer here (a function that behaves differently when snapshotted) is cut
 * off, with its snapshot refused, rather than holding a core.
 */
const MAKE_TIMEOUT_MS = 15_000;

/** `info` is the environment info boot takes (the function's facts and variables). */
export async function makeFunctionSnapshot(info: object, pkg: PackageTree | undefined, memoryMb: number): Promise<Uint8Array> {
  const assets = await preparePython();
  const { isolate, context } = makeBlankIsolate(memoryMb);
  try {
    runPyodideGlue(isolate, context);
    const boot = context.global.getSync("__lambentBoot", { reference: true }) as ivm.Reference;
    // The import may draw entropy, log (to nowhere) and report its memory; anything else it asks of the host
    // (a fetch, another function) would be answered in the function's own environments, whose module
    // state the snapshot stands for: none is made.
    let refused: unknown;
    const hostCall = new ivm.Reference((op: unknown, args: unknown) => {
      if (op !== "random" && op !== "wasm" && op !== "log") refused ??= op;
      return standInCall(op, args, () => undefined);
    });
    const runtime = boot.applySync(undefined, [hostCall, new ivm.ExternalCopy(info).copyInto()], { result: { reference: true } }) as ivm.Reference;
    const make = runtime.getSync("makeFunctionSnapshot", { reference: true }) as ivm.Reference;
    const files = new ivm.ExternalCopy(packageEntries(pkg)).copyInto({ release: true });
    const snapshot = (await make.apply(undefined, [assets.copyInto(), files], { timeout: MAKE_TIMEOUT_MS, result: { promise: true, copy: true } })) as unknown;
    if (refused !== undefined) throw new Error(`the module's import asked the host for ${String(refused)}`);
    if (!(snapshot instanceof Uint8Array)) throw new Error("Pyodide made no snapshot");
    return snapshot;
  } finally {
    isolate.dispose();
  }
}
