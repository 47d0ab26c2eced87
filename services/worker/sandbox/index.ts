// The isolate's entry: defines `__lambentBoot`, which the host calls once with its capabilities. Boot
// installs the Node-like globals (one module per surface) and returns the runtime the host drives.
import { createConsole } from "./console.js";
import type { EnvironmentInfo, HostCapabilities, HostFunction, Runtime } from "./host.js";
import { lambentRequire } from "./modules.js";
import { createProcess } from "./process.js";
import { createRuntime } from "./runtime.js";
import { Timers } from "./timers.js";

function boot(
  log: HostFunction<[string]>,
  startTimer: HostFunction<[number, number, number]>,
  stopTimer: HostFunction<[number]>,
  info: EnvironmentInfo,
): Runtime {
  const host: HostCapabilities = { log, startTimer, stopTimer };
  const global = globalThis as unknown as Record<string, unknown>;
  delete global["__lambentBoot"];
  const timers = new Timers(host);
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  };
  define("global", globalThis);
  define("console", createConsole(host));
  define("process", createProcess(info.env));
  define("__lambentRequire", lambentRequire);
  define("__dirname", "/var/task");
  define("__filename", `/var/task/${info.handlerFile}`);
  const timerGlobals: Record<string, unknown> = {};
  timers.install(timerGlobals);
  for (const [name, value] of Object.entries(timerGlobals)) define(name, value);
  return createRuntime(info, timers);
}

Object.defineProperty(globalThis, "__lambentBoot", { value: boot, writable: false, configurable: true, enumerable: false });
