// The isolate runtime (built from sandbox/ into dist/sandbox.js), read once per process. Its V8 code
// cache is produced by the first isolate and reused by every later one.
import { readFileSync } from "node:fs";
import ivm from "isolated-vm";

const SANDBOX_FILE = new URL("../../dist/sandbox.js", import.meta.url);
const SANDBOX_FILENAME = "file:///var/runtime/index.js";

let source: string | undefined;
let compileCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

export function sandboxSource(): string {
  if (source === undefined) {
    try {
      source = readFileSync(SANDBOX_FILE, "utf8");
    } catch (error) {
      throw new Error(`The isolate runtime is not built (run the worker's build script): ${String(error)}`);
    }
  }
  return source;
}

/** What compile calls return beside the script when code caching was asked for. */
export type CompiledScript = ivm.Script & ivm.CachedDataResult & { cachedDataRejected?: boolean };

/**
 * Compiles the runtime once in a throwaway isolate, so the process's first environment finds the code
 * cache made (without it, that cold start paid 20–50 ms more). Called when a sandbox process starts.
 */
export function prepareSandboxCache(): void {
  if (compileCache) return;
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    compileSandbox(isolate).release();
  } finally {
    isolate.dispose();
  }
}

/** Compiles the runtime for one isolate, using (or producing) the shared code cache. */
export function compileSandbox(isolate: ivm.Isolate): ivm.Script {
  const code = sandboxSource();
  if (compileCache) {
    const script: CompiledScript = isolate.compileScriptSync(code, { filename: SANDBOX_FILENAME, cachedData: compileCache });
    if (!script.cachedDataRejected) return script;
  }
  const script: CompiledScript = isolate.compileScriptSync(code, { filename: SANDBOX_FILENAME, produceCachedData: true });
  if (script.cachedData) compileCache = script.cachedData;
  return script;
}
