// Function names, qualifiers and ARNs in every form Lambda accepts.
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { LATEST } from "./function-record.js";

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/;
const ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
/** What Lambda's model lets a reference name (longer names, dots) though no function can be called so. */
const REFERABLE_NAME = /^[a-zA-Z0-9_.-]+$/;
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
 * separate `Qualifier` parameter when one is given. With the cluster's `scope`, a reference is also held
 * to it as Lambda holds one to the region and account it is called in: an ARN of another region is
 * ResourceNotFoundException (`Functions from '…' are not reachable in this region ('…')`), one of another
 * account AccessDeniedException, and a name no function can have (over 64 characters, a dot) is simply
 * not found.
 */
export function parseFunctionReference(input: string, qualifierParameter?: string, scope?: ArnScope): FunctionReference {
  // A scoped reference comes from a call Lambda's model has already held to its own lengths (up to 256 for a tagged resource's ARN).
  const maxLength = scope === undefined ? 170 : 256;
  if (input.length === 0 || input.length > maxLength) {
    throw invalidParameter(`FunctionName must be 1 to ${maxLength} characters long`);
  }
  let name: string | undefined;
  let qualifier: string | undefined;
  let region: string | undefined;
  let account: string | undefined;
  const arn = ARN.exec(input);
  const partial = arn ? null : PARTIAL_ARN.exec(input);
  if (arn) [, region, account, name, qualifier] = arn;
  else if (partial) [, account, name, qualifier] = partial;
  else {
    const parts = input.split(":");
    if (parts.length > 2) throw invalidParameter(`FunctionName is not a valid function name or ARN: ${input}`);
    [name, qualifier] = parts;
  }
  if (scope !== undefined) {
    if (region !== undefined && region !== scope.region) {
      throw resourceNotFound(`Functions from '${region}' are not reachable in this region ('${scope.region}')`);
    }
    if (account !== undefined && account !== scope.accountId) {
      throw new LambdaError(
        "AccessDeniedException",
        `User is not authorized to perform this operation on ${input}: the function belongs to account ${account}, and this cluster serves account ${scope.accountId}`,
      );
    }
    if (name !== undefined && !NAME.test(name) && REFERABLE_NAME.test(name)) {
      throw resourceNotFound(`Function not found: ${functionArn(scope, name, qualifierParameter || qualifier)}`);
    }
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
