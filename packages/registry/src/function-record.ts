// One version of a function's configuration, as services see it and as it is stored in KV.
import type { SealedEnvironment } from "./environment-cipher.js";
import type { FunctionLayer } from "./layer-version.js";

export const LATEST = "$LATEST";

export interface FunctionVersionRecord {
  functionName: string;
  /** `$LATEST` or a published version number. */
  version: string;
  runtime: string;
  handler: string;
  role: string;
  memorySize: number;
  timeout: number;
  description: string;
  environment: Record<string, string>;
  ephemeralStorageMb: number;
  architectures: string[];
  /** Base64 SHA-256 of the deployment package, as Lambda reports `CodeSha256`. */
  codeSha256: string;
  codeSize: number;
  /** Object name of the deployment package in the code bucket. */
  packageObject: string;
  /** Object name of the built module the isolate runs. */
  bundleObject: string;
  /** The handler's source file inside the package, e.g. `index.mjs` (its `__filename`). */
  handlerFile: string;
  revisionId: string;
  /** Lambda's format: `2020-04-10T19:06:32.563+0000`. */
  lastModified: string;
  /**
   * Lambda's `Layers`: the layer versions unpacked under /opt, in order (a later one's files win). The
   * bundle was built with their `nodejs/node_modules` on the module path. Absent when the function has none.
   */
  layers?: FunctionLayer[];
  /** Function-level tags; kept on the `$LATEST` record. */
  tags: Record<string, string>;
  /**
   * Lambda's `DeadLetterConfig.TargetArn`: an SNS or SQS ARN (destination-arn.ts) that gets an
   * asynchronous event after its last failed attempt. Absent when the function has none.
   */
  deadLetterTargetArn?: string;
  /** Whether the configuration names an `Environment`, even an empty one, which Lambda then reports back. */
  hasEnvironment?: boolean;
  /** Lambda's `TracingConfig.Mode`; absent is `PassThrough`. */
  tracingMode?: "Active" | "PassThrough";
  /** Lambda's `LoggingConfig` as set; absent is the Text format to `/aws/lambda/<name>`. */
  logging?: LoggingSettings;
  /**
   * A published version: `$LATEST`'s description when it was published (the version's own may be the one
   * PublishVersion gave), so a new description on `$LATEST` since makes a new version.
   */
  publishedFromDescription?: string;
}

export interface LoggingSettings {
  logFormat: "Text" | "JSON";
  /** Absent: `/aws/lambda/<name>`. */
  logGroup?: string;
  /** JSON format only; absent: INFO. */
  applicationLogLevel?: string;
  /** JSON format only; absent: INFO. */
  systemLogLevel?: string;
}

/**
 * The JSON in the functions KV bucket. A non-empty environment is stored only as `sealedEnvironment`;
 * an empty one as `environment: {}`. Records written before encryption existed hold a plain
 * `environment` and are still read; the next update seals it.
 */
export type StoredFunctionVersionRecord = Omit<FunctionVersionRecord, "environment"> & {
  environment?: Record<string, string>;
  sealedEnvironment?: SealedEnvironment;
};

/** Lambda writes LastModified with millisecond precision and a `+0000` offset. */
export function lambdaTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace("Z", "+0000");
}

/** The Python runtime Lambent runs: the CPython version Pyodide ships (the worker's `pyodide` dependency). */
export const PYTHON_RUNTIME = "python3.12";

/** Whether a function of this runtime is Python, run by Pyodide, rather than Node.js. */
export function isPythonRuntime(runtime: string): boolean {
  return runtime === PYTHON_RUNTIME;
}
