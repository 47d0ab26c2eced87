// A stored record as Lambda's FunctionConfiguration.
import { LATEST, functionArn, type ArnScope, type FunctionVersionRecord } from "@lambent/registry/functions";
import type { FunctionConfiguration } from "@lambent/lambda-api";

export function toFunctionConfiguration(
  scope: ArnScope,
  record: FunctionVersionRecord,
  status: { state?: FunctionConfiguration["State"]; lastUpdateStatus?: FunctionConfiguration["LastUpdateStatus"] } = {},
): FunctionConfiguration {
  const configuration: FunctionConfiguration = {
    FunctionName: record.functionName,
    // Lambda reports $LATEST with the unqualified ARN and versions with theirs.
    FunctionArn: functionArn(scope, record.functionName, record.version === LATEST ? undefined : record.version),
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
    State: status.state ?? "Active",
    LastUpdateStatus: status.lastUpdateStatus ?? "Successful",
    PackageType: "Zip",
    Architectures: record.architectures,
    EphemeralStorage: { Size: record.ephemeralStorageMb },
  };
  if (Object.keys(record.environment).length > 0) configuration.Environment = { Variables: record.environment };
  if (record.deadLetterTargetArn !== undefined) configuration.DeadLetterConfig = { TargetArn: record.deadLetterTargetArn };
  return configuration;
}
