// Function names, qualifiers and ARNs in every form Lambda accepts.
import { invalidParameter } from "@lambent/errors";
import { LATEST } from "./function-record.js";

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/;
const ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;

export interface FunctionReference {
  functionName: string;
  /** Qualifier named in the reference or the request; undefined means `$LATEST`. */
  qualifier: string | undefined;
}

export function isValidFunctionName(name: string): boolean {
  return NAME.test(name);
}

export function isValidQualifier(qualifier: string): boolean {
  return QUALIFIER.test(qualifier);
}

/**
 * Parses `name`, `name:qualifier`, `ACCOUNT:function:name[:qualifier]` or a full ARN, merging the
 * separate `Qualifier` parameter when one is given.
 */
export function parseFunctionReference(input: string, qualifierParameter?: string): FunctionReference {
  if (input.length === 0 || input.length > 170) {
    throw invalidParameter(`FunctionName must be 1 to 170 characters long`);
  }
  let name: string | undefined;
  let qualifier: string | undefined;
  const arn = ARN.exec(input);
  const partial = arn ? null : PARTIAL_ARN.exec(input);
  if (arn) [, , , name, qualifier] = arn;
  else if (partial) [, , name, qualifier] = partial;
  else {
    const parts = input.split(":");
    if (parts.length > 2) throw invalidParameter(`FunctionName is not a valid function name or ARN: ${input}`);
    [name, qualifier] = parts;
  }
  if (name === undefined || !NAME.test(name)) {
    throw invalidParameter(
      `1 validation error detected: Value '${input}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  if (qualifierParameter !== undefined && qualifierParameter !== "") {
    if (qualifier !== undefined && qualifier !== qualifierParameter) {
      throw invalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
    }
    qualifier = qualifierParameter;
  }
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) {
    throw invalidParameter(`Qualifier is not valid: ${qualifier}`);
  }
  return { functionName: name, qualifier };
}

export interface ArnScope {
  region: string;
  accountId: string;
}

export function functionArn(scope: ArnScope, functionName: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${functionName}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** KV keys cannot hold `$`, so `$LATEST` is stored as `LATEST` (never a valid version or alias name clash: versions are digits). */
export function versionKeyToken(version: string): string {
  return version === LATEST ? "LATEST" : version;
}

export function versionFromKeyToken(token: string): string {
  return token === "LATEST" ? LATEST : token;
}
