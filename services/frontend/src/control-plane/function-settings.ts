// The configurable settings of a function, validated as Lambda validates them.
import { invalidParameter } from "@lambent/errors";
import { parseHandler } from "@lambent/bundler";
import { parseDeadLetterTargetArn } from "@lambent/registry/functions";
import {
  type Body,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringList,
  optionalStringMap,
} from "./fields.js";

export const Limits = {
  memoryMb: { min: 128, max: 10240, default: 128 },
  timeoutSeconds: { min: 1, max: 900, default: 3 },
  ephemeralStorageMb: { min: 512, max: 10240, default: 512 },
  /** All environment variables together, counted as Lambda counts them (the JSON of the map). */
  environmentBytes: 4096,
  descriptionLength: 256,
} as const;

/** Variables the runtime sets itself; Lambda refuses them in a function's configuration. */
const RESERVED_VARIABLES = new Set([
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);

const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

/** Node.js runtimes run in the isolate runtime: nodejs18.x and newer. */
export function validateRuntime(runtime: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match || Number(match[1]) < 18) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is not supported. Lambent runs Node.js functions: use nodejs18.x, nodejs20.x, nodejs22.x or newer.`,
    );
  }
  return runtime;
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
  if (role !== undefined) {
    if (!ROLE.test(role)) throw invalidParameter(`Role must be an IAM role ARN, e.g. arn:aws:iam::000000000000:role/name; got '${role}'`);
    settings.role = role;
  }
  const memorySize = optionalInteger(body, "MemorySize", Limits.memoryMb.min, Limits.memoryMb.max);
  if (memorySize !== undefined) settings.memorySize = memorySize;
  const timeout = optionalInteger(body, "Timeout", Limits.timeoutSeconds.min, Limits.timeoutSeconds.max);
  if (timeout !== undefined) settings.timeout = timeout;
  const description = optionalString(body, "Description", Limits.descriptionLength);
  if (description !== undefined) settings.description = description;
  const environment = optionalObject(body, "Environment");
  if (environment !== undefined) settings.environment = validateEnvironment(optionalStringMap(environment, "Variables") ?? {});
  const storage = optionalObject(body, "EphemeralStorage");
  if (storage !== undefined) {
    const size = optionalInteger(storage, "Size", Limits.ephemeralStorageMb.min, Limits.ephemeralStorageMb.max);
    if (size !== undefined) settings.ephemeralStorageMb = size;
  }
  const architectures = optionalStringList(body, "Architectures");
  if (architectures !== undefined) {
    if (architectures.length !== 1 || !["x86_64", "arm64"].includes(architectures[0]!)) {
      throw invalidParameter("Architectures must be [\"x86_64\"] or [\"arm64\"]");
    }
    settings.architectures = architectures;
  }
  const deadLetter = optionalObject(body, "DeadLetterConfig");
  if (deadLetter !== undefined) {
    const target = optionalString(deadLetter, "TargetArn") ?? "";
    if (target !== "") parseDeadLetterTargetArn(target);
    settings.deadLetterTargetArn = target;
  }
  const packageType = optionalString(body, "PackageType");
  if (packageType !== undefined && packageType !== "Zip") {
    throw invalidParameter(`PackageType ${packageType} is not supported; Lambent runs Zip packages`);
  }
  return settings;
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
  const badKey = Object.keys(variables).find((key) => !ENV_KEY.test(key));
  if (badKey !== undefined) {
    throw invalidParameter(`Environment variable name '${badKey}' must start with a letter and contain only letters, digits and '_'`);
  }
  const size = Buffer.byteLength(JSON.stringify(variables));
  if (size > Limits.environmentBytes) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size} bytes`,
    );
  }
  return variables;
}
