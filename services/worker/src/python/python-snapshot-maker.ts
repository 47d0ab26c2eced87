// Makes one function's snapshot (function-snapshots.ts) in a throwaway isolate of its own, so no
// environment's interpreter is touched: the interpreter restored from the process's base snapshot, the
// function's package written and its module imported (its log goes nowhere, its fetches fail, it draws
// fresh entropy), then its memory taken. Pyodide refuses when the module holds a JavaScript object it
// cannot name by a path from the global object; the promise then rejects.
import { randomBytes } from "node:crypto";
import ivm from "isolated-vm";
import { makeBlankIsolate } from "../pool/spare-isolates.js";
import type { PackageTree } from "../host/package-files.js";
import { runPyodideGlue } from "./pyodide-assets.js";
import { packageEntries } from "./python-load.js";
import { preparePython } from "./python-snapshot.js";

const MAKE_TIMEOUT_MS = 60_000;

/** `info` is the environment info boot takes (the function's facts and variables). */
export async function makeFunctionSnapshot(info: object, pkg: PackageTree | undefined, memoryMb: number): Promise<Uint8Array> {
  const assets = await preparePython();
  const { isolate, context } = makeBlankIsolate(memoryMb);
  try {
    runPyodideGlue(isolate, context);
    const boot = context.global.getSync("__lambentBoot", { reference: true }) as ivm.Reference;
    const hostCall = new ivm.Reference((op: unknown, args: unknown) => {
      if (op === "random") return [0, new Uint8Array(randomBytes(Math.min(65_536, Number((args as unknown[])[0]) || 0)))];
      return op === "log" ? [0, true] : [0, null];
    });
    const runtime = boot.applySync(undefined, [hostCall, new ivm.ExternalCopy(info).copyInto()], { result: { reference: true } }) as ivm.Reference;
    const make = runtime.getSync("makeFunctionSnapshot", { reference: true }) as ivm.Reference;
    const files = new ivm.ExternalCopy(packageEntries(pkg)).copyInto({ release: true });
    const snapshot = (await make.apply(undefined, [assets.copyInto(), files], { timeout: MAKE_TIMEOUT_MS, result: { promise: true, copy: true } })) as unknown;
    if (!(snapshot instanceof Uint8Array)) throw new Error("Pyodide made no snapshot");
    return snapshot;
  } finally {
    isolate.dispose();
  }
}
