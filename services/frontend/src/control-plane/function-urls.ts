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
  type FunctionUrlInvokeMode,
  type FunctionUrlConfig,
  type FunctionUrlCors,
} from "@lambent/registry/functions";
import type { FunctionUrlConfigResponse, FunctionUrlCorsConfig, ListFunctionUrlConfigsResponse } from "@lambent/lambda-api";
import { type Body, optionalBoolean, optionalInteger, optionalObject, optionalString, optionalStringList, requireBody } from "./fields.js";
import { checkInput } from "./model-input.js";
import { compareQualifierOrder } from "@lambent/registry/functions";
import { paginate, type ListOptions } from "./pagination.js";

/** Where function URLs are served, beneath the frontend's public URL. */
export const FUNCTION_URL_PATH = "/lambent-url";

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
    checkInput("CreateFunctionUrlConfig", { ...body, FunctionName: reference, Qualifier: qualifierParameter });
    const authType = readAuthType(body, true)!;
    const cors = readCors(body);
    const invokeMode = readInvokeMode(body);
    const { functionName, qualifier } = await this.existingTarget(reference, qualifierParameter);
    const now = Date.now();
    const config: FunctionUrlConfig = { functionName, qualifier, urlId: newUrlId(), authType, invokeMode: invokeMode ?? "BUFFERED", creationTime: now, lastModified: now };
    if (cors !== undefined) config.cors = cors;
    if (!(await this.functions.urlConfigs.create(config))) {
      throw resourceConflict(`Failed to create function url config for [functionArn = ${functionArn(this.scope, functionName, qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
    }
    // Lambda's answer to a create has no LastModifiedTime, and the invoke mode only when the request set it.
    const { LastModifiedTime: _lastModified, InvokeMode: _invokeMode, ...created } = this.describe(config);
    return invokeMode === undefined ? created : { ...created, InvokeMode: invokeMode };
  }

  /** The config of `$LATEST` or an alias; Lambda answers the same for a function or alias that does not exist. */
  async get(reference: string, qualifierParameter: string | undefined): Promise<FunctionUrlConfigResponse> {
    checkInput("GetFunctionUrlConfig", { FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = parseTarget(reference, qualifierParameter, this.scope);
    const config = await this.functions.urlConfigs.get(functionName, qualifier);
    if (!config) throw this.noConfig(functionName, qualifier);
    return this.describe(config);
  }

  /** UpdateFunctionUrlConfig: the fields given change (`Cors` replaced whole), the url id stays. */
  async update(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<FunctionUrlConfigResponse> {
    const body = requireBody(input);
    checkInput("UpdateFunctionUrlConfig", { ...body, FunctionName: reference, Qualifier: qualifierParameter });
    const authType = readAuthType(body, false);
    const cors = readCors(body);
    const invokeMode = readInvokeMode(body);
    const { functionName, qualifier } = await this.existingTarget(reference, qualifierParameter);
    const updated = await this.functions.urlConfigs.update(functionName, qualifier, (current) => {
      const next: FunctionUrlConfig = { ...current, lastModified: Date.now() };
      if (authType !== undefined) next.authType = authType;
      if (cors !== undefined) next.cors = cors;
      if (invokeMode !== undefined) next.invokeMode = invokeMode;
      return next;
    });
    if (!updated) throw this.noConfig(functionName, qualifier);
    // As to a create, Lambda answers an update with the invoke mode only when the request set it.
    const { InvokeMode: _invokeMode, ...described } = this.describe(updated);
    return invokeMode === undefined ? described : { ...described, InvokeMode: invokeMode };
  }

  /** Deletes a qualifier's URL; the alias need not exist any more, so a URL a half-done delete left can go. */
  async delete(reference: string, qualifierParameter: string | undefined): Promise<void> {
    checkInput("DeleteFunctionUrlConfig", { FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = parseTarget(reference, qualifierParameter, this.scope);
    if (!(await this.functions.urlConfigs.delete(functionName, qualifier))) throw this.noConfig(functionName, qualifier);
  }

  /** ListFunctionUrlConfigs: `$LATEST`'s URL first, then the aliases' by name. */
  async list(reference: string, options: ListOptions): Promise<ListFunctionUrlConfigsResponse> {
    checkInput("ListFunctionUrlConfigs", { FunctionName: reference, Marker: options.marker, MaxItems: options.maxItems });
    const { functionName } = parseFunctionReference(reference, undefined, this.scope);
    await this.requireFunction(functionName);
    const configs = (await this.functions.urlConfigs.list(functionName)).sort((a, b) => compareQualifierOrder(a.qualifier, b.qualifier));
    const page = paginate(configs, (config) => config.qualifier, compareQualifierOrder, options);
    const response: ListFunctionUrlConfigsResponse = { FunctionUrlConfigs: page.items.map((config) => this.describe(config)) };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
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
    const target = parseTarget(reference, qualifierParameter, this.scope);
    const { functionName, qualifier } = target;
    await this.requireFunction(functionName);
    if (qualifier === LATEST) return target;
    if (!(await this.functions.aliases.get(functionName, qualifier))) throw resourceNotFound("Function does not exist");
    return target;
  }

  private async requireFunction(functionName: string): Promise<void> {
    if (!(await this.functions.get(functionName, LATEST))) throw resourceNotFound("Function does not exist");
  }

  private noConfig(_functionName: string, _qualifier: string) {
    return resourceNotFound("The resource you requested does not exist.");
  }
}

function parseTarget(reference: string, qualifierParameter: string | undefined, scope: ArnScope): { functionName: string; qualifier: string } {
  const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter, scope);
  const target = qualifier ?? LATEST;
  if (isVersionNumber(target)) throw invalidParameter("Function URLs can only be created for an alias or $LATEST, not a version");
  return { functionName, qualifier: target };
}

/**
 * `NONE`, or `AWS_IAM`: requests then carry a SigV4 signature by one of the frontend's access keys
 * (http/sigv4.ts). The model requires it on create and bounds it to those two.
 */
function readAuthType(body: Body, required: boolean): FunctionUrlAuthType | undefined {
  const authType = optionalString(body, "AuthType");
  if (authType === undefined) {
    if (required) throw invalidParameter("AuthType is required");
    return undefined;
  }
  if (!(FUNCTION_URL_AUTH_TYPES as readonly string[]).includes(authType)) throw invalidParameter(`AuthType must be NONE or AWS_IAM, got '${authType}'`);
  return authType as FunctionUrlAuthType;
}

/** The model's enum holds the value (model-input.ts): BUFFERED or RESPONSE_STREAM. */
function readInvokeMode(body: Body): FunctionUrlInvokeMode | undefined {
  const mode = optionalString(body, "InvokeMode");
  return mode === "RESPONSE_STREAM" ? "RESPONSE_STREAM" : mode === undefined ? undefined : "BUFFERED";
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
  const maxAge = optionalInteger(cors, "MaxAge");
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
