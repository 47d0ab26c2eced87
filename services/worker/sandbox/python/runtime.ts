// Lambda's Python programming model over the same host boundary as Node.js functions: the interpreter is
// started by `load` (from the worker's snapshot, with the function's package at /var/task), the handler
// is run by lambda_runtime.py, and its outcome, log lines, timers and fetches go through the same outbox
// the host takes after every entry. An `async def` handler runs on Pyodide's event loop, whose wake-ups
// are the runtime's own timers.
import { encodeOutcome, type EnvironmentInfo, type FunctionErrorShape, type Runtime } from "../host.js";
import { current } from "../invocation-state.js";
import { openLog, resendWake, settle, take, writeLine } from "../outbox.js";
import type { Timers } from "../timers.js";
import { abandonFetches, settleFetch } from "../web/fetch.js";
import { abandonCalls, settleCall } from "../lambent/functions.js";
import { startPyodide, writePackage, type PyModule, type Pyodide, type PyodideAssets } from "./pyodide.js";
import { fetchSync, installPythonHttp, type PythonHttpModule } from "./http.js";

/** One log line's share, as console.ts allows. */
const MAX_LINE_CHARS = 256 * 1024;

function writeLogLine(line: string): void {
  writeLine(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}... [${line.length - MAX_LINE_CHARS} more characters truncated]` : line);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function failure(errorType: string, error: unknown): FunctionErrorShape {
  return { errorType, errorMessage: error instanceof Error ? error.message : String(error), trace: [] };
}

/** The function's facts as lambda_runtime.py's context takes them. */
function facts(info: EnvironmentInfo): Record<string, string> {
  return {
    function_name: info.functionName,
    function_version: info.functionVersion,
    memory_limit_in_mb: info.memoryLimitInMB,
    log_group_name: info.logGroupName,
    log_stream_name: info.logStreamName,
  };
}

/** The Python runtime's own entries beside Runtime's: the interpreter started, then bound to one function. */
export interface PythonRuntime extends Runtime {
  makeSnapshot(assets: PyodideAssets): Promise<Uint8Array>;
  /** Restores the interpreter from the snapshot; no function's facts or files are in it yet. */
  start(assets: unknown): Promise<FunctionErrorShape | null>;
  /** Makes a started interpreter one function's: its facts, its package at /var/task, its module imported. */
  bind(info: unknown, files: unknown): FunctionErrorShape | null;
  /**
   * In a throwaway isolate: the interpreter restored from the base snapshot, bound to this function (its
   * module imported) with nothing of JavaScript held, and a snapshot of that taken (src/python/function-snapshots.ts).
   */
  makeFunctionSnapshot(assets: PyodideAssets, files: unknown): Promise<Uint8Array>;
  /** Binds an interpreter `start` restored from the function's own snapshot: facts and files again, no import. */
  resume(info: unknown, files: unknown): FunctionErrorShape | null;
}

/**
 * The runtime of a Python function. `start` and `bind` stand in for `load`: an interpreter may be started
 * ahead of any cold start (a spare, src/python/python-spares.ts) and bound later, when `rebind` gives the
 * isolate the function's own facts (its environment variables, its names).
 */
export function createPythonRuntime(info: EnvironmentInfo, timers: Timers, rebind: (bound: EnvironmentInfo) => void): PythonRuntime {
  let runtime: PyModule | undefined;
  let pyodide: Pyodide | undefined;

  function end(): void {
    timers.clearAll();
    abandonFetches();
    abandonCalls();
    current.fail = undefined;
    current.requestId = undefined;
  }

  /**
   * Gives a started interpreter one function's facts and package files, with its HTTP going through the
   * host, and returns lambda_runtime, which then imports the module (`bind`) or finds it restored (`resume`).
   */
  function attach(started: Pyodide, bound: unknown, files: unknown): PyModule {
    rebind(bound as EnvironmentInfo);
    writePackage(started, files as [string, Uint8Array][]);
    installPythonHttp();
    (started.pyimport("lambent_http") as unknown as PythonHttpModule).install(fetchSync);
    return started.pyimport("lambda_runtime");
  }

  return {
    async makeSnapshot(assets) {
      const pyodide: Pyodide = await startPyodide({ ...assets, makeSnapshot: true }, writeLogLine);
      return pyodide.makeMemorySnapshot();
    },

    async makeFunctionSnapshot(assets, files) {
      const pyodide: Pyodide = await startPyodide({ ...assets, makeSnapshot: true }, writeLogLine);
      writePackage(pyodide, files as [string, Uint8Array][]);
      // requests goes through this XMLHttpRequest to the host, which refuses the snapshot when it is used.
      installPythonHttp();
      const module = pyodide.pyimport("lambda_runtime");
      const missing = module.setup_for_snapshot(JSON.stringify(facts(info)), JSON.stringify(info.env), info.handler);
      if (typeof missing === "string") throw new Error(`the module did not load: ${missing}`);
      return pyodide.makeMemorySnapshot();
    },

    resume(bound, files) {
      if (!pyodide) return failure("Runtime.PythonStartError", "the interpreter was not started");
      runtime = attach(pyodide, bound, files);
      runtime.resume(writeLogLine, JSON.stringify(facts(info)), JSON.stringify(info.env));
      return null;
    },

    // The host awaits this (it returns a promise where the Node.js runtime's returns at once).
    async start(assets) {
      try {
        pyodide = await startPyodide(assets as PyodideAssets, writeLogLine);
        return null;
      } catch (error) {
        return failure("Runtime.PythonStartError", error);
      }
    },

    bind(bound, files) {
      if (!pyodide) return failure("Runtime.PythonStartError", "the interpreter was not started");
      runtime = attach(pyodide, bound, files);
      const missing = runtime.setup(writeLogLine, JSON.stringify(facts(info)), JSON.stringify(info.env), info.handler);
      if (typeof missing !== "string") return null;
      // Lambda's Python shape (errorMessage, errorType, requestId, stackTrace), passed on as it is.
      return JSON.parse(missing) as FunctionErrorShape;
    },

    load() {
      return failure("Runtime.PythonStartError", "a Python runtime is started and bound, not loaded");
    },

    invoke(eventJson, requestId, deadlineMs, invokedFunctionArn, clientContext) {
      openLog();
      resendWake();
      current.requestId = requestId;
      const finish = (outcome: unknown): void => {
        end();
        settle(typeof outcome === "string" ? outcome : encodeOutcome({ ok: false, error: failure("Runtime.Unknown", outcome), fatal: true }));
      };
      let returned: unknown;
      try {
        returned = (runtime as PyModule).invoke(eventJson, requestId, deadlineMs, invokedFunctionArn, clientContext);
      } catch (error) {
        // The interpreter itself failed (a fatal error in wasm): the environment is not used again.
        finish(encodeOutcome({ ok: false, error: failure("Runtime.ExitError", error), fatal: true }));
        return;
      }
      if (isThenable(returned)) {
        current.fail = (error) => finish(encodeOutcome({ ok: false, error: failure("Runtime.ExitError", error), fatal: true }));
        returned.then(finish, (error: unknown) => finish(encodeOutcome({ ok: false, error: failure("Runtime.ExitError", error), fatal: true })));
        return;
      }
      finish(returned);
    },

    take,

    end,

    fire(nowMs) {
      timers.fire(nowMs);
    },

    fetched(id, ok, value) {
      settleFetch(id, ok, value);
    },

    called(id, ok, value) {
      settleCall(id, ok, value);
    },

    drained() {
      // A Python handler answers whole: nothing streams.
    },

    sockets() {
      // Python functions open no sockets.
    },
  };
}
