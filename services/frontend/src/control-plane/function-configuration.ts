// A stored record as Lambda's FunctionConfiguration, in the form each operation answers it: Lambda reports
// a function's state differently to a create, an update, a read and a list (see ConfigurationView).
import { createHash } from "node:crypto";
import { LATEST, functionArn, type ArnScope, type FunctionVersionRecord } from "@lambent/registry/functions";
import type { FunctionConfiguration } from "@lambent/lambda-api";

/**
 * Which answer a configuration is part of:
 * - `read`: GetFunction, GetFunctionConfiguration and PublishVersion — Active, the last update Successful;
 * - `created`: CreateFunction, and a version published with it or with UpdateFunctionCode — Pending, with
 *   StateReason and StateReasonCode, and no LastUpdateStatus yet;
 * - `updated`: UpdateFunctionCode and UpdateFunctionConfiguration — the update InProgress, with its reason;
 * - `listed`: ListFunctions and ListVersionsByFunction — neither state nor runtime version.
 */
export type ConfigurationView = "read" | "created" | "updated" | "listed";

/** What Lambda says of a function while it is being created, and of an update in progress. */
const CREATING = { reason: "The function is being created.", code: "Creating" } as const;

/**
 * @param qualifier the qualifier the call named (`$LATEST`, a version or an alias), which Lambda puts in
 *   FunctionArn; undefined for an unqualified call, whose $LATEST answers the unqualified ARN
 */
export function toFunctionConfiguration(scope: ArnScope, record: FunctionVersionRecord, view: ConfigurationView, qualifier?: string): FunctionConfiguration {
  const arnQualifier = qualifier ?? (record.version === LATEST ? undefined : record.version);
  const configuration: FunctionConfiguration = {
    FunctionName: record.functionName,
    FunctionArn: functionArn(scope, record.functionName, arnQualifier),
    Runtime: record.runtime,
    Role: record.role,
    Handler: record.handler,
    CodeSize: record.codeSize,
    Description: record.description,
    Timeout: record.timeout,
    MemorySize: record.memorySize,
    LastModified: record.lastModified,
    CodeSha256: record.codeSha256,
    Version: record.version,
    RevisionId: record.revisionId,
    PackageType: "Zip",
    Architectures: record.architectures,
    EphemeralStorage: { Size: record.ephemeralStorageMb },
    TracingConfig: { Mode: record.tracingMode ?? "PassThrough" },
    LoggingConfig: loggingConfigOf(record),
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
  };
  if (record.hasEnvironment || Object.keys(record.environment).length > 0) configuration.Environment = { Variables: record.environment };
  if (record.layers !== undefined && record.layers.length > 0) configuration.Layers = record.layers.map((layer) => ({ Arn: layer.arn, CodeSize: layer.codeSize }));
  if (record.deadLetterTargetArn !== undefined) configuration.DeadLetterConfig = { TargetArn: record.deadLetterTargetArn };
  if (view === "listed") return configuration;
  configuration.RuntimeVersionConfig = { RuntimeVersionArn: runtimeVersionArn(scope, record.runtime) };
  if (view === "created") {
    configuration.State = "Pending";
    configuration.StateReason = CREATING.reason;
    configuration.StateReasonCode = CREATING.code;
    return configuration;
  }
  configuration.State = "Active";
  if (view === "updated") {
    configuration.LastUpdateStatus = "InProgress";
    configuration.LastUpdateStatusReason = CREATING.reason;
    configuration.LastUpdateStatusReasonCode = CREATING.code;
  } else {
    configuration.LastUpdateStatus = "Successful";
  }
  return configuration;
}

/** Lambda's LoggingConfig: the log group defaults to `/aws/lambda/<name>`; the JSON format carries its levels. */
function loggingConfigOf(record: FunctionVersionRecord): NonNullable<FunctionConfiguration["LoggingConfig"]> {
  const logging = record.logging;
  const logGroup = logging?.logGroup ?? `/aws/lambda/${record.functionName}`;
  if (logging?.logFormat !== "JSON") return { LogFormat: "Text", LogGroup: logGroup };
  return {
    ApplicationLogLevel: logging.applicationLogLevel ?? "INFO",
    LogFormat: "JSON",
    LogGroup: logGroup,
    SystemLogLevel: logging.systemLogLevel ?? "INFO",
  };
}

/** The runtime's version, as Lambda names one: the same ARN for every function on the same runtime. */
export function runtimeVersionArn(scope: ArnScope, runtime: string): string {
  return `arn:aws:lambda:${scope.region}::runtime:${createHash("sha256").update(`lambent:${runtime}`).digest("hex")}`;
}
