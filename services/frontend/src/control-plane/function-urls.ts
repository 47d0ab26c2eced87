// Lambda's FunctionUrlConfig calls (a function URL per `$LATEST` or alias) over the registry's
// FunctionUrlConfigStore, and the cleanup when an alias goes away. Serving the URLs is http/function-url.ts.
import { invalidParameter, resourceConflict, resourceNotFound } from "@lambent/errors";
import {
  LATEST,
  functionArn,
  isVersionNumber,
  newUrlId,
  parseFunctionReference,
  type ArnScope,
  type FunctionStore,
  FUNCTION_URL_AUTH_TYPES,
  type FunctionUrlAuthType,
  type FunctionUrlConfig,
  type FunctionUrlCors,
} from "@lambent/registry/functions";
import type { FunctionUrlConfigResponse, FunctionUrlCorsConfig } from "@lambent/lambda-api";
import { type Body, optionalBoolean, optionalInteger, optionalObject, optionalString, optionalStringList, requireBody } from "./fields.js";

/** Where function URLs are served, beneath the frontend's public URL. */
export const FUNCTION_URL_PATH = "/lambent-url";

/** Lambda's bound on Cors.MaxAge (seconds). */
const MAX_CORS_AGE = 86_400;

export class FunctionUrlOperations {
  /** @param publicUrl the frontend's public base URL (no trailing slash), read when a config is described */
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
    private readonly publicUrl: () => string,
  ) {}

  /** CreateFunctionUrlConfig: a qualifier has at most one URL (ResourceConflictException otherwise). */
  async create(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<FunctionUrlConfigResponse> {
    const body = requireBody(input);
    const authType = readAuthType(body, true)!;
    const cors = readCors(body);
    readInvokeMode(body);
    const { functionName, qualifier } = await this.existingTarget(reference, qualifierParameter);
    const now = Date.now();
    const config: FunctionUrlConfig = { functionName, qualifier, urlId: newUrlId(), authType, invokeMode: "BUFFERED", creationTime: now, lastModified: now };
    if (cors !== undefined) config.cors = cors;
    if (!(await this.functions.urlConfigs.create(config))) {
      throw resourceConflict(`Failed to create function url config for [functionArn = ${functionArn(this.scope, functionName, qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
    }
    const { LastModifiedTime: _lastModified, ...created } = this.describe(config);
    return created;
  }

  async get(reference: string, qualifierParameter: string | undefined): Promise<FunctionUrlConfigResponse> {
    const { functionName, qualifier } = await this.existingTarget(reference, qualifierParameter);
    const config = await this.functions.urlConfigs.get(functionName, qualifier);
    if (!config) throw this.noConfig(functionName, qualifier);
    return this.describe(config);
  }

  /** UpdateFunctionUrlConfig: the fields given change (`Cors` replaced whole), the url id stays. */
  async update(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<FunctionUrlConfigResponse> {
    const body = requireBody(input);
    const authType = readAuthType(body, false);
    const cors = readCors(body);
    readInvokeMode(body);
    const { functionName, qualifier } = await this.existingTarget(reference, qualifierParameter);
    const updated = await this.functions.urlConfigs.update(functionName, qualifier, (current) => {
      const next: FunctionUrlConfig = { ...current, lastModified: Date.now() };
      if (authType !== undefined) next.authType = authType;
      if (cors !== undefined) next.cors = cors;
      return next;
    });
    if (!updated) throw this.noConfig(functionName, qualifier);
    return this.describe(updated);
  }

  /** Deletes a qualifier's URL; the alias need not exist any more, so a URL a half-done delete left can go. */
  async delete(reference: string, qualifierParameter: string | undefined): Promise<void> {
    const { functionName, qualifier } = parseTarget(reference, qualifierParameter);
    await this.requireFunction(functionName);
    if (!(await this.functions.urlConfigs.delete(functionName, qualifier))) throw this.noConfig(functionName, qualifier);
  }

  /** Drops every URL of a deleted function, or with a qualifier the URL of a deleted alias. */
  async forget(functionName: string, qualifier?: string): Promise<void> {
    if (qualifier === undefined) await this.functions.urlConfigs.deleteAll(functionName);
    else await this.functions.urlConfigs.delete(functionName, qualifier);
  }

  private describe(config: FunctionUrlConfig): FunctionUrlConfigResponse {
    return toFunctionUrlConfigResponse(this.scope, config, this.publicUrl());
  }

  /** The function and qualifier a call names, both existing: `$LATEST` or an alias (Lambda takes no version here). */
  private async existingTarget(reference: string, qualifierParameter: string | undefined): Promise<{ functionName: string; qualifier: string }> {
    const target = parseTarget(reference, qualifierParameter);
    const { functionName, qualifier } = target;
    await this.requireFunction(functionName);
    if (qualifier === LATEST) return target;
    if (!(await this.functions.aliases.get(functionName, qualifier))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName, qualifier)}`);
    }
    return target;
  }

  private async requireFunction(functionName: string): Promise<void> {
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    }
  }

  private noConfig(functionName: string, qualifier: string) {
    return resourceNotFound(`The resource you requested does not exist. (FunctionUrlConfig for ${functionArn(this.scope, functionName, qualifier)})`);
  }
}

function parseTarget(reference: string, qualifierParameter: string | undefined): { functionName: string; qualifier: string } {
  const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter);
  const target = qualifier ?? LATEST;
  if (isVersionNumber(target)) throw invalidParameter("Function URLs can only be created for an alias or $LATEST, not a version");
  return { functionName, qualifier: target };
}

/** `NONE`, or `AWS_IAM`: requests then carry a SigV4 signature by one of the frontend's access keys (http/sigv4.ts). */
function readAuthType(body: Body, required: boolean): FunctionUrlAuthType | undefined {
  const authType = optionalString(body, "AuthType");
  if (authType === undefined) {
    if (required) throw invalidParameter("AuthType is required");
    return undefined;
  }
  if (!(FUNCTION_URL_AUTH_TYPES as readonly string[]).includes(authType)) throw invalidParameter(`AuthType must be NONE or AWS_IAM, got '${authType}'`);
  return authType as FunctionUrlAuthType;
}

function readInvokeMode(body: Body): void {
  const mode = optionalString(body, "InvokeMode");
  if (mode === "RESPONSE_STREAM") throw invalidParameter("InvokeMode RESPONSE_STREAM is not supported by Lambent; use BUFFERED");
  if (mode !== undefined && mode !== "BUFFERED") throw invalidParameter(`InvokeMode must be BUFFERED or RESPONSE_STREAM, got '${mode}'`);
}

export function readCors(body: Body): FunctionUrlCors | undefined {
  const cors = optionalObject(body, "Cors");
  if (cors === undefined) return undefined;
  const read: FunctionUrlCors = {};
  const allowOrigins = optionalStringList(cors, "AllowOrigins");
  if (allowOrigins !== undefined) read.allowOrigins = allowOrigins;
  const allowMethods = optionalStringList(cors, "AllowMethods");
  if (allowMethods !== undefined) read.allowMethods = allowMethods.map((method) => method.toUpperCase());
  const allowHeaders = optionalStringList(cors, "AllowHeaders");
  if (allowHeaders !== undefined) read.allowHeaders = allowHeaders;
  const exposeHeaders = optionalStringList(cors, "ExposeHeaders");
  if (exposeHeaders !== undefined) read.exposeHeaders = exposeHeaders;
  const maxAge = optionalInteger(cors, "MaxAge", 0, MAX_CORS_AGE);
  if (maxAge !== undefined) read.maxAge = maxAge;
  const allowCredentials = optionalBoolean(cors, "AllowCredentials");
  if (allowCredentials !== undefined) read.allowCredentials = allowCredentials;
  return read;
}

/** A stored config as Lambda reports it; times as ISO-8601. */
export function toFunctionUrlConfigResponse(scope: ArnScope, config: FunctionUrlConfig, publicUrl: string): FunctionUrlConfigResponse {
  const response: FunctionUrlConfigResponse = {
    FunctionUrl: `${publicUrl}${FUNCTION_URL_PATH}/${config.urlId}/`,
    FunctionArn: functionArn(scope, config.functionName, config.qualifier === LATEST ? undefined : config.qualifier),
    AuthType: config.authType,
    CreationTime: new Date(config.creationTime).toISOString(),
    LastModifiedTime: new Date(config.lastModified).toISOString(),
    InvokeMode: config.invokeMode,
  };
  if (config.cors !== undefined) response.Cors = toCorsConfig(config.cors);
  return response;
}

export function toCorsConfig(cors: FunctionUrlCors): FunctionUrlCorsConfig {
  const shown: FunctionUrlCorsConfig = {};
  if (cors.allowOrigins !== undefined) shown.AllowOrigins = cors.allowOrigins;
  if (cors.allowMethods !== undefined) shown.AllowMethods = cors.allowMethods;
  if (cors.allowHeaders !== undefined) shown.AllowHeaders = cors.allowHeaders;
  if (cors.exposeHeaders !== undefined) shown.ExposeHeaders = cors.exposeHeaders;
  if (cors.maxAge !== undefined) shown.MaxAge = cors.maxAge;
  if (cors.allowCredentials !== undefined) shown.AllowCredentials = cors.allowCredentials;
  return shown;
}
