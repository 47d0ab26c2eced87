// Structured JSON logs for Lambent's own services (not functions' logs): one line per event on stdout.
export * from "./metrics.js";
export * from "./metrics-http.js";
export * from "./metrics-nats.js";
export * from "./tracing.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Lifecycle events (`ready`, `stopping`) print at every level: launchers wait for them. */
  lifecycle(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Where lines go; stdout by default. */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const threshold = LEVEL_ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const emit = (level: LogLevel, msg: string, fields?: LogFields, always = false): void => {
    if (!always && LEVEL_ORDER[level] < threshold) return;
    const record: LogFields = { time: new Date().toISOString(), level, service: options.service, msg, ...bound, ...fields };
    if (record["err"] instanceof Error) record["err"] = describeError(record["err"]);
    write(JSON.stringify(record));
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    lifecycle: (msg, fields) => emit("info", msg, fields, true),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

function describeError(error: Error): LogFields {
  return { name: error.name, message: error.message, stack: error.stack };
}

export { handleProcessFaults } from "./process-faults.js";
