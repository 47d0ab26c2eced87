// `console`: each call becomes one line `<ISO time>\t<request id>\t<LEVEL>\t<message>` in the outbox,
// which the host takes after each entry (and which flushes itself early, so lines written before a
// timeout are kept). The host caps what it takes; the line cap here only keeps one line readable.
import { format, inspect } from "./inspect.js";
import { current } from "./invocation-state.js";
import { writeLine } from "./outbox.js";

/** One line's share of the log; the host caps each invocation's total (src/limits.ts). */
const MAX_LINE_CHARS = 256 * 1024;

export function createConsole(): Record<string, (...args: unknown[]) => void> {
  const emit = (level: string, message: string): void => {
    const text = message.length > MAX_LINE_CHARS ? `${message.slice(0, MAX_LINE_CHARS)}... [${message.length - MAX_LINE_CHARS} more characters truncated]` : message;
    writeLine(`${new Date().toISOString()}\t${current.requestId ?? "undefined"}\t${level}\t${text}`);
  };
  const at = (level: string) => (...args: unknown[]): void => emit(level, format(...args));
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  return {
    log: at("INFO"),
    info: at("INFO"),
    warn: at("WARN"),
    error: at("ERROR"),
    debug: at("DEBUG"),
    trace: (...args: unknown[]) => {
      const stack = (new Error().stack ?? "").split("\n").slice(2).join("\n");
      emit("TRACE", `Trace: ${format(...args)}\n${stack}`);
    },
    dir: (value: unknown) => emit("INFO", inspect(value)),
    assert: (condition: unknown, ...args: unknown[]) => {
      if (!condition) emit("ERROR", args.length > 0 ? `Assertion failed: ${format(...args)}` : "Assertion failed");
    },
    count: (label: unknown = "default") => {
      const key = String(label);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      emit("INFO", `${key}: ${count}`);
    },
    countReset: (label: unknown = "default") => void counts.delete(String(label)),
    time: (label: unknown = "default") => void timers.set(String(label), Date.now()),
    timeLog: (label: unknown = "default", ...args: unknown[]) => {
      const started = timers.get(String(label));
      if (started !== undefined) emit("INFO", format(`${String(label)}: ${Date.now() - started}ms`, ...args));
    },
    timeEnd: (label: unknown = "default") => {
      const key = String(label);
      const started = timers.get(key);
      if (started === undefined) return;
      timers.delete(key);
      emit("INFO", `${key}: ${Date.now() - started}ms`);
    },
  };
}
