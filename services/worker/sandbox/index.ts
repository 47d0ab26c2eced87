// The isolate's entry: defines `__lambentBoot`, which the host calls once with its one capability. Boot
// installs the Node-like globals (one module per surface) and returns the runtime the host drives.
// Globals backed by bundled packages (Buffer, URL, the WHATWG streams) are built on first use, so a cold
// start pays only for what the function touches.
import { createConsole } from "./console.js";
import { setHostCall } from "./host-access.js";
import type { EnvironmentInfo, HostCall, Runtime } from "./host.js";
import { lambentRequire, registerBuiltins } from "./modules.js";
import { bufferModule } from "./node/buffer.js";
import { requireFrom } from "./package-require.js";
import { createProcess } from "./process.js";
import { createRuntime } from "./runtime.js";
import { takePyodideFactory } from "./python/pyodide.js";
import { createPythonRuntime } from "./python/runtime.js";
import { createAwsLambdaGlobal } from "./response-stream.js";
import { Timers } from "./timers.js";
import { vendor } from "./vendor.js";
import { getRandomValues, randomUUID, subtle, CryptoKey } from "./web/crypto.js";
import { atob, btoa, TextDecoder, TextEncoder } from "./web/encoding.js";
import { AbortController, AbortSignal, DOMException, Event, EventTarget } from "./web/event-target.js";
import { fetch, Headers, Request, Response } from "./web/fetch.js";
import { structuredClone } from "./web/structured-clone.js";
import { WEB_STREAM_NAMES, webStreams } from "./web/streams.js";
import { installWebAssembly } from "./web/webassembly.js";

function boot(call: HostCall, info: EnvironmentInfo): Runtime {
  setHostCall(call, info.hostCallBytes);
  installWebAssembly(Number(info.memoryLimitInMB));
  const global = globalThis as unknown as Record<string, unknown>;
  delete global["__lambentBoot"];
  const timers = new Timers();
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  };
  const lazy = (name: string, build: () => unknown): void => {
    Object.defineProperty(global, name, {
      configurable: true,
      enumerable: false,
      get() {
        const value = build();
        define(name, value);
        return value;
      },
      set(value: unknown) {
        define(name, value);
      },
    });
  };
  registerBuiltins(info);
  define("global", globalThis);
  define("console", createConsole());
  define("process", createProcess(info.env));
  define("__lambentRequire", lambentRequire);
  define("__lambentRequireFrom", requireFrom);
  define("__dirname", "/var/task");
  define("__filename", `/var/task/${info.handlerFile}`);
  const timerGlobals: Record<string, unknown> = {};
  timers.install(timerGlobals);
  for (const [name, value] of Object.entries(timerGlobals)) define(name, value);

  for (const [name, value] of Object.entries({ TextEncoder, TextDecoder, atob, btoa, structuredClone, AbortController, AbortSignal, DOMException, Event, EventTarget, fetch, Headers, Request, Response })) {
    define(name, value);
  }
  define("awslambda", createAwsLambdaGlobal());
  define("crypto", { getRandomValues, randomUUID, subtle, CryptoKey });
  define("CryptoKey", CryptoKey);
  const timeOrigin = Date.now();
  define("performance", { timeOrigin, now: () => Date.now() - timeOrigin, mark: () => undefined, measure: () => undefined, toJSON: () => ({ timeOrigin }) });
  lazy("Buffer", () => bufferModule().Buffer);
  lazy("URL", () => vendor.whatwgUrl().URL);
  lazy("URLSearchParams", () => vendor.whatwgUrl().URLSearchParams);
  for (const name of WEB_STREAM_NAMES) lazy(name, () => webStreams()[name]);
  if (info.language === "python") {
    takePyodideFactory();
    // A spare interpreter is booted with a stand-in's facts and bound to a function later, in place.
    return createPythonRuntime(info, timers, (bound) => {
      Object.assign(info, bound);
      define("process", createProcess(info.env));
      define("__filename", `/var/task/${info.handlerFile}`);
    });
  }
  return createRuntime(info, timers);
}

Object.defineProperty(globalThis, "__lambentBoot", { value: boot, writable: false, configurable: true, enumerable: false });
