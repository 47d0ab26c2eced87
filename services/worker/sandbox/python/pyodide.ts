// Pyodide's interpreter started inside the isolate from what the host hands over, in place of Pyodide's
// own loader (which fetches its files or reads them from Node's fs, neither of which an isolate has):
// the compiled WebAssembly.Module (compiled once per worker process), the standard library's zip, and
// either a memory snapshot of an initialised interpreter to restore, or an order to make one. The
// emscripten glue (pyodide.asm.js) was evaluated before boot by the host, which left its factory on the
// global `__lambentPyodide`; it is taken from there and the global deleted before function code runs.
// The interpreter's wasm memory is made by the runtime's capped WebAssembly.Memory, like any other.
import runtimeSource from "./lambda_runtime.py";
import httpSource from "./lambent_http.py";

/** What the host copies in for one interpreter (see src/python/pyodide-assets.ts). */
export interface PyodideAssets {
  module: object;
  stdlib: Uint8Array;
  /** Pyodide's build id, which a snapshot must carry. */
  buildId: string;
  /** The `info` part of Pyodide's lock file (no packages: none can be fetched). */
  lockInfo: unknown;
  /** A snapshot to restore; absent, the interpreter boots in full (and `makeSnapshot` asks for one). */
  snapshot?: Uint8Array;
  makeSnapshot?: boolean;
}

/** The parts of Pyodide's public API the runtime uses. */
export interface Pyodide {
  pyimport(name: string): PyModule;
  makeMemorySnapshot(): Uint8Array;
  runPython(code: string): unknown;
  FS: EmscriptenFS;
}

export interface PyModule {
  /** The function's facts and variables as JSON text: a JavaScript object reaches Python as a proxy. */
  setup(writeLine: (line: string) => void, functionJson: string, environmentJson: string, handler: string): string | undefined;
  setup_for_snapshot(functionJson: string, environmentJson: string, handler: string): string | undefined;
  resume(writeLine: (line: string) => void, functionJson: string, environmentJson: string): void;
  invoke(eventJson: string, requestId: string, deadlineMs: number, invokedFunctionArn: string, clientContext: string | undefined): unknown;
}

interface EmscriptenFS {
  mkdirTree(path: string): void;
  writeFile(path: string, data: Uint8Array | string): void;
  chdir(path: string): void;
}

interface EmscriptenModule {
  FS: EmscriptenFS;
  ENV: Record<string, string>;
  API: PyodideApi;
  _py_version_major(): number;
  _py_version_minor(): number;
}

interface PyodideApi {
  config: Record<string, unknown>;
  lockFilePromise?: Promise<unknown>;
  packageIndexReady?: Promise<unknown>;
  sitePackages?: string;
  restoreSnapshot(snapshot: Uint8Array): unknown;
  finalizeBootstrap(snapshotConfig: unknown): Pyodide;
  initializeStreams(stdin: undefined, stdout: (line: string) => void, stderr: (line: string) => void): void;
  sys: { path: { insert(index: number, path: string): void } };
  _pyodide: { set_excepthook(): void };
}

type Factory = (settings: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The runtime's (capped) WebAssembly.Instance, as boot installed it; lib ES2022 does not declare WebAssembly. */
const instantiate = (module: object, imports: object): object => {
  const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (module: object, imports: object) => object } }).WebAssembly;
  return new wasm.Instance(module, imports);
};

const RUNTIME_DIR = "/var/runtime";
const TASK_ROOT = "/var/task";
const HOME = "/home/sbx_user1051";

let factory: Factory | undefined;

/** Takes the glue's factory off the global, where the host left it; before boot, so function code never sees it. */
export function takePyodideFactory(): void {
  const global = globalThis as Record<string, unknown>;
  const found = global["__lambentPyodide"];
  delete global["__lambentPyodide"];
  if (typeof found === "function") factory = found as Factory;
}

/** Unpacks a function's package at /var/task (empty until the interpreter is bound to a function). */
export function writePackage(pyodide: Pyodide, files: [string, Uint8Array][]): void {
  for (const [path, bytes] of files) {
    const slash = path.lastIndexOf("/");
    if (slash > 0) pyodide.FS.mkdirTree(`${TASK_ROOT}/${path.slice(0, slash)}`);
    pyodide.FS.writeFile(`${TASK_ROOT}/${path}`, bytes);
  }
}

/**
 * Starts an interpreter: the snapshot restored (or a full boot), /var/task empty, the Lambda runtime
 * module importable from /var/runtime. `output` takes what C code writes to stdout and stderr.
 */
export async function startPyodide(assets: PyodideAssets, output: (line: string) => void): Promise<Pyodide> {
  if (!factory) throw new Error("Pyodide's glue was not loaded into this isolate");
  const config: Record<string, unknown> = {
    indexURL: `${RUNTIME_DIR}/`,
    jsglobals: globalThis,
    args: [],
    env: { HOME, PYTHONINSPECT: "1", PYTHONDONTWRITEBYTECODE: "1" },
    packages: [],
    _makeSnapshot: assets.makeSnapshot === true,
    enableRunUntilComplete: false,
    checkAPIVersion: true,
    BUILD_ID: assets.buildId,
    lockFileURL: "",
    packageCacheDir: RUNTIME_DIR,
    fullStdLib: false,
  };
  const api = { config, lockFilePromise: Promise.resolve({ info: assets.lockInfo, packages: {} }) } as unknown as PyodideApi;
  const settings: Record<string, unknown> = {
    noImageDecoding: true,
    noAudioDecoding: true,
    noWasmDecoding: false,
    // emscripten runs these last to first.
    preRun: [
      (module: EmscriptenModule) => module.FS.mkdirTree(TASK_ROOT),
      (module: EmscriptenModule) => {
        module.FS.mkdirTree(RUNTIME_DIR);
        module.FS.writeFile(`${RUNTIME_DIR}/lambda_runtime.py`, runtimeSource);
        module.FS.writeFile(`${RUNTIME_DIR}/lambent_http.py`, httpSource);
        module.FS.mkdirTree("/tmp");
      },
      (module: EmscriptenModule) => {
        const version = `${module._py_version_major()}${module._py_version_minor()}`;
        module.FS.mkdirTree("/lib");
        module.API.sitePackages = `/lib/python${module._py_version_major()}.${module._py_version_minor()}/site-packages`;
        module.FS.mkdirTree(module.API.sitePackages);
        module.FS.writeFile(`/lib/python${version}.zip`, assets.stdlib);
      },
      (module: EmscriptenModule) => {
        module.FS.mkdirTree(HOME);
        module.FS.chdir(HOME);
      },
      (module: EmscriptenModule) => {
        Object.assign(module.ENV, config["env"]);
      },
    ],
    quit(status: number, toThrow: Error) {
      settings["exited"] = { status, toThrow };
      throw toThrow;
    },
    print: output,
    printErr: output,
    arguments: [],
    API: api,
    locateFile: (path: string) => `${RUNTIME_DIR}/${path}`,
    instantiateWasm(imports: object, receive: (instance: object, module: object) => void) {
      const instance = instantiate(assets.module, imports);
      receive(instance, assets.module);
      return (instance as { exports: object }).exports;
    },
  };
  if (assets.snapshot) {
    settings["noInitialRun"] = true;
    settings["INITIAL_MEMORY"] = assets.snapshot.length;
  }
  await factory(settings);
  const exited = settings["exited"] as { toThrow: Error } | undefined;
  if (exited) throw exited.toThrow;
  const snapshotConfig = assets.snapshot ? api.restoreSnapshot(assets.snapshot) : undefined;
  const pyodide = api.finalizeBootstrap(snapshotConfig);
  api._pyodide.set_excepthook();
  await api.packageIndexReady;
  api.initializeStreams(undefined, output, output);
  if (!assets.snapshot) {
    // What the snapshot holds besides the bare interpreter: the Lambda runtime module, http.client made to
    // go through the host's fetch (lambent_http.py), and what they import.
    pyodide.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(RUNTIME_DIR)})\nimport lambda_runtime\nimport lambent_http`);
  }
  return pyodide;
}
