// Pyodide's parts as the worker hands them to isolates, prepared once per sandbox process: the
// interpreter's wasm compiled here once (a compiled WebAssembly.Module crosses into an isolate through
// isolated-vm's ExternalCopy as V8's compiled module, so no isolate compiles the 10 MB binary again),
// its emscripten glue compiled with a V8 code cache shared by every isolate, the standard library's zip,
// and a memory snapshot of an initialised interpreter with the Lambda runtime module imported
// (python-snapshot.ts). What every Python environment copies in is one ExternalCopy made once.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import ivm from "isolated-vm";
import type { CompiledScript } from "../pool/sandbox-script.js";

const require = createRequire(import.meta.url);
/** V8's WebAssembly in the worker's own isolate (the worker's TypeScript libraries do not declare it). */
const wasmApi = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
const GLUE_FILENAME = "file:///var/runtime/pyodide.asm.js";

/** Pyodide's files, read and compiled once. */
export interface PyodideFiles {
  /** The compiled WebAssembly.Module. */
  module: object;
  stdlib: Uint8Array;
  /** The build id a snapshot carries: one made by another build of the wasm is refused. */
  buildId: string;
  lockInfo: unknown;
  /** The glue, wrapped so it runs as in a web worker (no Node `process`, `require`), leaving its factory on a global. */
  glue: string;
}

let files: PyodideFiles | undefined;
let glueCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

function pyodideFile(name: string): string {
  return require.resolve(`pyodide/${name}`);
}

export function pyodideFiles(): PyodideFiles {
  if (files) return files;
  const wasm = readFileSync(pyodideFile("pyodide.asm.wasm"));
  const loader = readFileSync(pyodideFile("pyodide.mjs"), "utf8");
  const buildId = /BUILD_ID:"([0-9a-f]+)"/.exec(loader)?.[1];
  if (!buildId) throw new Error("Pyodide's build id was not found in its loader");
  const lock = JSON.parse(readFileSync(pyodideFile("pyodide-lock.json"), "utf8")) as { info?: unknown };
  const asm = readFileSync(pyodideFile("pyodide.asm.js"), "utf8");
  // The glue picks its environment by the globals it sees: these parameters shadow the runtime's Node-like
  // ones (it would `require("fs")`) and make it a web worker that never loads a script.
  const glue =
    `(function (process, require, module, exports, __filename, __dirname, importScripts, self) {\n${asm}\n` +
    `Object.defineProperty(globalThis, "__lambentPyodide", { value: _createPyodideModule, configurable: true });\n})(` +
    `undefined, undefined, undefined, undefined, undefined, undefined, function importScripts() { throw new TypeError("no scripts here"); }, { location: { href: ${JSON.stringify(GLUE_FILENAME)} } });`;
  files = { module: new wasmApi.Module(wasm), stdlib: new Uint8Array(readFileSync(pyodideFile("python_stdlib.zip"))), buildId, lockInfo: lock.info ?? {}, glue };
  return files;
}

/** Evaluates the glue in a context (before the runtime boots, which takes its factory), with the shared code cache. */
export function runPyodideGlue(isolate: ivm.Isolate, context: ivm.Context): void {
  const { glue } = pyodideFiles();
  let script: CompiledScript | undefined;
  if (glueCache) {
    script = isolate.compileScriptSync(glue, { filename: GLUE_FILENAME, cachedData: glueCache });
    if (script.cachedDataRejected) {
      script.release();
      script = undefined;
    }
  }
  if (!script) {
    script = isolate.compileScriptSync(glue, { filename: GLUE_FILENAME, produceCachedData: true });
    if (script.cachedData) glueCache = script.cachedData;
  }
  script.runSync(context);
  script.release();
}

/**
 * Compiles the glue once in a throwaway isolate, so the process's first Python environment finds its code
 * cache made (without it, that cold start compiles 1.2 MB of JavaScript from scratch).
 */
export function prepareGlueCache(): void {
  if (glueCache) return;
  const { glue } = pyodideFiles();
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  try {
    const script: CompiledScript = isolate.compileScriptSync(glue, { filename: GLUE_FILENAME, produceCachedData: true });
    if (script.cachedData) glueCache = script.cachedData;
    script.release();
  } finally {
    isolate.dispose();
  }
}

/** Everything an interpreter starts from, copied once into an ExternalCopy each environment copies in. */
export function pyodideAssets(snapshot: Uint8Array | undefined): ivm.ExternalCopy {
  const { module, stdlib, buildId, lockInfo } = pyodideFiles();
  return new ivm.ExternalCopy(snapshot ? { module, stdlib, buildId, lockInfo, snapshot } : { module, stdlib, buildId, lockInfo });
}
