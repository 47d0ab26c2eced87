// `console`'s `Console` class: a console writing to streams of the caller's choosing, as Node's does
// (Powertools' logger and metrics build one over process.stdout and stderr). Each call writes one
// formatted line; log, info, debug and dir go to stdout, warn, error and trace to stderr.
import { format, inspect } from "../inspect.js";

interface Writable {
  write(text: string): unknown;
}

interface ConsoleOptions {
  stdout: Writable;
  stderr?: Writable;
}

export function createConsoleClass(): unknown {
  return class Console {
    constructor(stdoutOrOptions: Writable | ConsoleOptions, stderr?: Writable) {
      const options: ConsoleOptions = "stdout" in stdoutOrOptions ? stdoutOrOptions : { stdout: stdoutOrOptions, stderr };
      if (!options.stdout || typeof options.stdout.write !== "function") {
        const error = new TypeError('The "stdout" argument must be an instance of Writable') as TypeError & { code?: string };
        error.code = "ERR_CONSOLE_WRITABLE_STREAM";
        throw error;
      }
      const out = options.stdout;
      const err = options.stderr ?? out;
      const to = (stream: Writable) => (...args: unknown[]): void => void stream.write(`${format(...args)}\n`);
      const counts = new Map<string, number>();
      const timers = new Map<string, number>();
      // Bound per instance as Node's are, so `const { log } = new Console(...)` works.
      Object.assign(this, {
        log: to(out),
        info: to(out),
        debug: to(out),
        warn: to(err),
        error: to(err),
        trace: (...args: unknown[]) => void err.write(`Trace: ${format(...args)}\n${(new Error().stack ?? "").split("\n").slice(2).join("\n")}\n`),
        dir: (value: unknown) => void out.write(`${inspect(value)}\n`),
        assert: (condition: unknown, ...args: unknown[]) => {
          if (!condition) err.write(`${args.length > 0 ? `Assertion failed: ${format(...args)}` : "Assertion failed"}\n`);
        },
        count: (label: unknown = "default") => {
          const key = String(label);
          const count = (counts.get(key) ?? 0) + 1;
          counts.set(key, count);
          out.write(`${key}: ${count}\n`);
        },
        countReset: (label: unknown = "default") => void counts.delete(String(label)),
        time: (label: unknown = "default") => void timers.set(String(label), Date.now()),
        timeEnd: (label: unknown = "default") => {
          const key = String(label);
          const started = timers.get(key);
          if (started === undefined) return;
          timers.delete(key);
          out.write(`${key}: ${Date.now() - started}ms\n`);
        },
      });
    }
  };
}
