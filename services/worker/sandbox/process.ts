// A minimal `process`: the function's environment variables and the few members libraries touch.
// It is a plain object of this isolate, never the host's process.
import { reportUncaught } from "./invocation-state.js";

export class ProcessExit extends Error {
  override readonly name = "Runtime.ExitError";
  constructor(readonly code: number) {
    super(`Runtime exited with error: exit status ${code}`);
  }
}

/** `process.stdout` and `stderr`: what is written becomes console lines, as Lambda's log captures them. */
function outputStream(method: "log" | "error", fd: number): Record<string, unknown> {
  return {
    fd,
    isTTY: false,
    writable: true,
    write: (chunk: unknown, encoding?: unknown, callback?: unknown) => {
      const text = typeof chunk === "string" ? chunk : String(chunk);
      (globalThis as unknown as { console: Record<string, (text: string) => void> }).console[method]?.(text.endsWith("\n") ? text.slice(0, -1) : text);
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    },
    on: () => undefined,
    once: () => undefined,
    end: () => undefined,
  };
}

export function createProcess(env: Record<string, string>): Record<string, unknown> {
  const startedAt = Date.now();
  const hrtime = (previous?: [number, number]): [number, number] => {
    const nanos = BigInt(Date.now()) * 1_000_000n;
    let seconds = Number(nanos / 1_000_000_000n);
    let rest = Number(nanos % 1_000_000_000n);
    if (previous) {
      seconds -= previous[0];
      rest -= previous[1];
      if (rest < 0) {
        seconds -= 1;
        rest += 1_000_000_000;
      }
    }
    return [seconds, rest];
  };
  hrtime.bigint = (): bigint => BigInt(Date.now()) * 1_000_000n;
  const process: Record<string, unknown> = {
    env,
    argv: ["/var/lang/bin/node", "/var/runtime/index.mjs"],
    argv0: "node",
    execArgv: [],
    version: "v20.0.0",
    versions: { node: "20.0.0", v8: "11.3", uv: "1.46.0", modules: "115" },
    platform: "linux",
    arch: "x64",
    release: { name: "node" },
    title: "node",
    pid: 1,
    ppid: 0,
    exitCode: undefined,
    cwd: () => "/var/task",
    uptime: () => (Date.now() - startedAt) / 1000,
    hrtime,
    nextTick: (callback: unknown, ...args: unknown[]) => {
      if (typeof callback !== "function") throw new TypeError('The "callback" argument must be of type function');
      void Promise.resolve().then(() => {
        try {
          (callback as (...a: unknown[]) => void)(...args);
        } catch (error) {
          reportUncaught(error);
        }
      });
    },
    emitWarning: () => undefined,
    stdout: outputStream("log", 1),
    stderr: outputStream("error", 2),
    memoryUsage: Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
    umask: () => 0o22,
    getuid: () => 993,
    getgid: () => 990,
    exit: (code?: unknown) => {
      throw new ProcessExit(typeof code === "number" ? code : 0);
    },
  };
  for (const method of ["on", "once", "off", "addListener", "removeListener", "removeAllListeners", "prependListener"]) {
    process[method] = () => process;
  }
  process["emit"] = () => false;
  process["listenerCount"] = () => 0;
  return process;
}
