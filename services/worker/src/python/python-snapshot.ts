// The memory snapshot of an initialised interpreter that every Python environment starts from: a full
// Pyodide boot takes seconds, restoring a snapshot a fraction of that. It is made once per worker host in
// a throwaway isolate (the interpreter booted, the Lambda runtime module and what it imports loaded, no
// function's code or variables), kept in memory by each sandbox process and on disk in the system's
// temporary directory under a name that changes with Pyodide's build and with the isolate runtime, so a
// new process (or a restarted worker) reads it instead of making it again; a new one replaces the old.
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ivm from "isolated-vm";
import { sandboxSource } from "../pool/sandbox-script.js";
import { makeBlankIsolate } from "../pool/spare-isolates.js";
import { prepareGlueCache, pyodideAssets, pyodideFiles, runPyodideGlue } from "./pyodide-assets.js";

/** The throwaway isolate's memory: a full boot needs more heap than a restore. */
const SNAPSHOT_ISOLATE_MB = 512;
const SNAPSHOT_TIMEOUT_MS = 120_000;
const SNAPSHOT_NAME = /^lambent-python-[0-9a-f]{24}\.snapshot$/;

let prepared: Promise<ivm.ExternalCopy> | undefined;

function snapshotPath(): string {
  const hash = createHash("sha256").update(pyodideFiles().buildId).update(sandboxSource()).digest("hex").slice(0, 24);
  return join(tmpdir(), `lambent-python-${hash}.snapshot`);
}

function readSnapshot(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return undefined;
  }
}

/** Writes the snapshot whole under a temporary name, then in place of the ones older builds left (20 MB each). */
function writeSnapshot(path: string, snapshot: Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, snapshot);
    renameSync(temporary, path);
  } catch {
    // Not kept on disk (a read-only or full disk): this process keeps it in memory, the next makes its own.
    return;
  }
  const directory = dirname(path);
  for (const name of readdirSync(directory)) {
    if (SNAPSHOT_NAME.test(name) && join(directory, name) !== path) rmSync(join(directory, name), { force: true });
  }
}

/** Boots Pyodide in full in a throwaway isolate and takes a snapshot of its memory. */
export async function makePythonSnapshot(): Promise<Uint8Array> {
  const blank = makeBlankIsolate(SNAPSHOT_ISOLATE_MB);
  const { isolate, context } = blank;
  try {
    runPyodideGlue(isolate, context);
    const boot = context.global.getSync("__lambentBoot", { reference: true }) as ivm.Reference;
    const info = {
      functionName: "",
      functionVersion: "",
      memoryLimitInMB: String(SNAPSHOT_ISOLATE_MB),
      logGroupName: "",
      logStreamName: "",
      handler: "",
      handlerFile: "",
      env: {},
      callLimits: { maxInFlight: 1, maxBytesInFlight: 1, maxQueued: 0 },
      hostCallBytes: 1024 * 1024,
      language: "python",
    };
    // What the interpreter writes while it boots goes nowhere (no invocation is open); it draws entropy.
    const hostCall = new ivm.Reference((op: unknown, args: unknown) => {
      if (op === "random") return [0, new Uint8Array(randomBytes(Math.min(65_536, Number((args as unknown[])[0]) || 0)))];
      return op === "log" ? [0, true] : [0, null];
    });
    const runtime = boot.applySync(undefined, [hostCall, new ivm.ExternalCopy(info).copyInto()], { result: { reference: true } }) as ivm.Reference;
    const make = runtime.getSync("makeSnapshot", { reference: true }) as ivm.Reference;
    const snapshot = (await make.apply(undefined, [pyodideAssets(undefined).copyInto({ release: true })], {
      timeout: SNAPSHOT_TIMEOUT_MS,
      result: { promise: true, copy: true },
    })) as unknown;
    if (!(snapshot instanceof Uint8Array)) throw new Error("Pyodide made no snapshot");
    return snapshot;
  } finally {
    isolate.dispose();
  }
}

/**
 * The assets every Python environment of this process copies in, the snapshot included: read from disk,
 * or made (once, however many cold starts wait for it).
 */
export function preparePython(): Promise<ivm.ExternalCopy> {
  prepared ??= (async () => {
    const path = snapshotPath();
    let snapshot = readSnapshot(path);
    if (!snapshot) {
      snapshot = await makePythonSnapshot();
      writeSnapshot(path, snapshot);
    }
    prepareGlueCache();
    return pyodideAssets(snapshot);
  })();
  // A failed attempt is not kept: the next cold start tries again.
  prepared.catch(() => {
    prepared = undefined;
  });
  return prepared;
}
