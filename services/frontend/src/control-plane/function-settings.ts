// The configurable settings of a function, validated as Lambda validates them: the model's constraints
// were checked before (model-input.ts); these are Lambda's own rules and Lambent's.
import { invalidParameter, validationError } from "@lambent/errors";
import { parseHandler } from "@lambent/bundler";
import { Constraint, shape, violationsMessage } from "@lambent/lambda-model";
import { PYTHON_RUNTIME, parseDeadLetterTargetArn, type LoggingSettings } from "@lambent/registry/functions";
import {
  type Body,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringList,
  optionalStringMap,
} from "./fields.js";

/**
 * Lambda's defaults, and the limits it sets beyond its model (which allows more memory and time to
 * functions on capacity providers, which Lambent does not have).
 */
export const Limits = {
  memoryMb: { max: 10240, default: 128 },
  timeoutSeconds: { max: 900, default: 3 },
  ephemeralStorageMb: { default: 512 },
  /** All environment variables together, counted as Lambda counts them (the JSON of the map). */
  environmentBytes: 4096,
  /** A function's own name; the model lets a reference be longer (an ARN). */
  functionNameLength: 64,
} as const;

/** Variables the runtime sets itself; Lambda refuses them in a function's configuration. */
const RESERVED_VARIABLES = new Set([
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);

/** Node.js runtimes of Lambda's model from 18 on, and the Python that Pyodide ships: the ones the isolate runtime runs. */
export const SUPPORTED_RUNTIMES: readonly string[] = (shape("Runtime").enum ?? []).filter((runtime) => {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return (match !== null && Number(match[1]) >= 18) || runtime === PYTHON_RUNTIME;
});

/**
 * A runtime Lambent runs. One Lambda does not know is refused in Lambda's words (its own check, not the
 * request validation's); one Lambda knows but Lambent cannot run (Java, another Python, …) says so.
 */
export function validateRuntime(runtime: string): string {
  if (SUPPORTED_RUNTIMES.includes(runtime)) return runtime;
  if (!(shape("Runtime").enum ?? []).includes(runtime)) {
    throw invalidParameter(`Value ${runtime} at 'runtime' failed to satisfy constraint: ${Constraint.enumSet(SUPPORTED_RUNTIMES)} or be a valid ARN`);
  }
  throw invalidParameter(
    `The runtime parameter of ${runtime} is not supported. Lambent runs Node.js and Python functions: use ${SUPPORTED_RUNTIMES.join(", ")}.`,
  );
}

/** A limit of Lambda's own beyond its model, refused as its request validation refuses the model's. */
function checkAtMost(field: string, value: number | undefined, max: number): void {
  if (value !== undefined && value > max) {
    throw validationError(violationsMessage([{ path: field, value: String(value), constraint: Constraint.maxValue(max) }]));
  }
}

export interface FunctionSettings {
  runtime?: string;
  handler?: string;
  role?: string;
  memorySize?: number;
  timeout?: number;
  description?: string;
  environment?: Record<string, string>;
  ephemeralStorageMb?: number;
  architectures?: string[];
  /** `DeadLetterConfig.TargetArn`: an SNS or SQS ARN; `""` removes the target. */
  deadLetterTargetArn?: string;
  tracingMode?: "Active" | "PassThrough";
  /** The LoggingConfig fields given, laid over the current ones (withLogging). */
  logging?: Partial<LoggingSettings>;
}

/** Reads the settings present in a CreateFunction or UpdateFunctionConfiguration body. */
export function readFunctionSettings(body: Body): FunctionSettings {
  const settings: FunctionSettings = {};
  const runtime = optionalString(body, "Runtime");
  if (runtime !== undefined) settings.runtime = validateRuntime(runtime);
  const handler = optionalString(body, "Handler");
  if (handler !== undefined) {
    parseHandler(handler);
    settings.handler = handler;
  }
  const role = optionalString(body, "Role");
  if (role !== undefined) settings.role = role;
  const memorySize = optionalInteger(body, "MemorySize");
  checkAtMost("memorySize", memorySize, Limits.memoryMb.max);
  if (memorySize !== undefined) settings.memorySize = memorySize;
  const timeout = optionalInteger(body, "Timeout");
  checkAtMost("timeout", timeout, Limits.timeoutSeconds.max);
  if (timeout !== undefined) settings.timeout = timeout;
  const description = optionalString(body, "Description");
  if (description !== undefined) settings.description = description;
  const environment = optionalObject(body, "Environment");
  if (environment !== undefined) settings.environment = validateEnvironment(optionalStringMap(environment, "Variables") ?? {});
  const storage = optionalObject(body, "EphemeralStorage");
  if (storage !== undefined) {
    const size = optionalInteger(storage, "Size");
    if (size !== undefined) settings.ephemeralStorageMb = size;
  }
  const architectures = optionalStringList(body, "Architectures");
  if (architectures !== undefined) settings.architectures = architectures;
  const deadLetter = optionalObject(body, "DeadLetterConfig");
  if (deadLetter !== undefined) {
    const target = optionalString(deadLetter, "TargetArn") ?? "";
    if (target !== "") parseDeadLetterTargetArn(target);
    settings.deadLetterTargetArn = target;
  }
  const tracing = optionalObject(body, "TracingConfig");
  const tracingMode = tracing === undefined ? undefined : optionalString(tracing, "Mode");
  if (tracingMode !== undefined) settings.tracingMode = tracingMode as FunctionSettings["tracingMode"];
  const logging = optionalObject(body, "LoggingConfig");
  if (logging !== undefined) settings.logging = readLogging(logging);
  const packageType = optionalString(body, "PackageType");
  if (packageType !== undefined && packageType !== "Zip") {
    throw invalidParameter(`PackageType ${packageType} is not supported; Lambent runs Zip packages`);
  }
  return settings;
}

function readLogging(logging: Body): Partial<LoggingSettings> {
  const read: Partial<LoggingSettings> = {};
  const logFormat = optionalString(logging, "LogFormat");
  if (logFormat !== undefined) read.logFormat = logFormat as LoggingSettings["logFormat"];
  const logGroup = optionalString(logging, "LogGroup");
  if (logGroup !== undefined) read.logGroup = logGroup;
  const applicationLogLevel = optionalString(logging, "ApplicationLogLevel");
  if (applicationLogLevel !== undefined) read.applicationLogLevel = applicationLogLevel;
  const systemLogLevel = optionalString(logging, "SystemLogLevel");
  if (systemLogLevel !== undefined) read.systemLogLevel = systemLogLevel;
  return read;
}

/**
 * A function's logging settings with the fields given laid over them, as Lambda merges a partial
 * LoggingConfig; the Text format keeps no log levels.
 */
export function withLogging(current: LoggingSettings | undefined, given: Partial<LoggingSettings> | undefined): LoggingSettings | undefined {
  if (given === undefined) return current;
  const next: LoggingSettings = { logFormat: "Text", ...current, ...given };
  if (next.logFormat === "Text") {
    delete next.applicationLogLevel;
    delete next.systemLogLevel;
  }
  return next;
}

/** `record` with a dead-letter target change applied: undefined keeps it, `""` removes it. */
export function withDeadLetterTarget<T extends { deadLetterTargetArn?: string }>(record: T, target: string | undefined): T {
  if (target === undefined) return record;
  const next = { ...record };
  if (target === "") delete next.deadLetterTargetArn;
  else next.deadLetterTargetArn = target;
  return next;
}

function validateEnvironment(variables: Record<string, string>): Record<string, string> {
  const reserved = Object.keys(variables).filter((key) => RESERVED_VARIABLES.has(key));
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > Limits.environmentBytes) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
  return variables;
}
