// Lambda's EventInvokeConfig calls (retries, maximum event age and destinations of asynchronous invocations,
// per qualifier) over the registry's EventInvokeConfigStore, and the cleanup when a qualifier goes away.
import { invalidParameter, resourceNotFound } from "@lambent/errors";
import {
  LATEST,
  compareQualifierOrder,
  emptyEventInvokeConfig,
  functionArn,
  isVersionNumber,
  parseDestinationArn,
  parseFunctionReference,
  type ArnScope,
  type EventInvokeConfig,
  type FunctionStore,
} from "@lambent/registry/functions";
import type { FunctionEventInvokeConfig, ListFunctionEventInvokeConfigsResponse } from "@lambent/lambda-api";
import { type Body, optionalInteger, optionalObject, optionalString, requireBody } from "./fields.js";
import { checkInput } from "./model-input.js";
import { paginate, parseMaxItems, type ListOptions } from "./pagination.js";

/** Lambda pages ListFunctionEventInvokeConfigs by at most 50. */
const MAX_LIST_ITEMS = 50;

/**
 * The settings a Put or Update body gives. Undefined: not given. A destination of `null`: given without
 * a `Destination` (or with an empty one), which removes it.
 */
export interface EventInvokeSettings {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string | null;
  onFailure?: string | null;
}

export class EventInvokeConfigOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
  ) {}

  /** PutFunctionEventInvokeConfig: the body replaces the whole config; what it leaves out is not set (Lambda's defaults apply). */
  async put(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<FunctionEventInvokeConfig> {
    const body = requireBody(input);
    checkInput("PutFunctionEventInvokeConfig", { ...body, FunctionName: reference, Qualifier: qualifierParameter });
    const settings = readEventInvokeSettings(requireSettings(body));
    const { functionName, qualifier } = this.target(reference, qualifierParameter);
    await this.requireTarget(functionName, qualifier);
    await this.checkDestinations(functionName, body);
    const config = applySettings(emptyEventInvokeConfig(functionName, qualifier), settings);
    return this.describe(await this.functions.eventInvokeConfigs.put(config));
  }

  /** UpdateFunctionEventInvokeConfig: the fields given change, the others stay; the config must exist. */
  async update(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<FunctionEventInvokeConfig> {
    const body = requireBody(input);
    checkInput("UpdateFunctionEventInvokeConfig", { ...body, FunctionName: reference, Qualifier: qualifierParameter });
    const settings = readEventInvokeSettings(requireSettings(body));
    const { functionName, qualifier } = this.target(reference, qualifierParameter);
    await this.requireTarget(functionName, qualifier);
    await this.checkDestinations(functionName, body);
    const updated = await this.functions.eventInvokeConfigs.update(functionName, qualifier, (current) => {
      if (!current) throw this.noConfig(functionName, qualifier);
      return applySettings({ ...current, lastModified: Date.now() }, settings);
    });
    return this.describe(updated);
  }

  /** The qualifier's config; Lambda answers the same for a function, version or alias that does not exist. */
  async get(reference: string, qualifierParameter: string | undefined): Promise<FunctionEventInvokeConfig> {
    checkInput("GetFunctionEventInvokeConfig", { FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = this.target(reference, qualifierParameter);
    const config = await this.functions.eventInvokeConfigs.get(functionName, qualifier);
    if (!config) throw this.noConfig(functionName, qualifier);
    return this.describe(config);
  }

  /**
   * Deletes a qualifier's config. The version or alias need not exist any more, so a config left behind by
   * a delete that stopped half-way can still be removed.
   */
  async delete(reference: string, qualifierParameter: string | undefined): Promise<void> {
    checkInput("DeleteFunctionEventInvokeConfig", { FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = this.target(reference, qualifierParameter);
    if (!(await this.functions.eventInvokeConfigs.delete(functionName, qualifier))) throw this.noConfig(functionName, qualifier);
  }

  async list(reference: string, options: ListOptions): Promise<ListFunctionEventInvokeConfigsResponse> {
    checkInput("ListFunctionEventInvokeConfigs", { FunctionName: reference, Marker: options.marker, MaxItems: options.maxItems });
    const { functionName, qualifier } = parseFunctionReference(reference, undefined, this.scope);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier for ListFunctionEventInvokeConfigs");
    if (!(await this.functions.get(functionName, LATEST))) throw functionMissing();
    const configs = await this.functions.eventInvokeConfigs.list(functionName);
    const page = paginate(configs, (config) => config.qualifier, compareQualifierOrder, { ...options, maxItems: Math.min(parseMaxItems(options.maxItems), MAX_LIST_ITEMS) });
    const response: ListFunctionEventInvokeConfigsResponse = { FunctionEventInvokeConfigs: page.items.map((config) => this.describe(config)) };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  /** Drops every config of a deleted function, or with a qualifier the config of a deleted version or alias. */
  async forget(functionName: string, qualifier?: string): Promise<void> {
    if (qualifier === undefined) await this.functions.eventInvokeConfigs.deleteAll(functionName);
    else await this.functions.eventInvokeConfigs.delete(functionName, qualifier);
  }

  private describe(config: EventInvokeConfig): FunctionEventInvokeConfig {
    return toFunctionEventInvokeConfig(this.scope, config);
  }

  private target(reference: string, qualifierParameter: string | undefined): { functionName: string; qualifier: string } {
    const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter, this.scope);
    return { functionName, qualifier: qualifier ?? LATEST };
  }

  /** The function and qualifier exist: `$LATEST`, a published version, or an alias (`The function doesn't exist.` otherwise). */
  private async requireTarget(functionName: string, qualifier: string): Promise<void> {
    if (!(await this.functions.get(functionName, LATEST))) throw functionMissing();
    if (qualifier === LATEST) return;
    const exists = isVersionNumber(qualifier)
      ? (await this.functions.get(functionName, qualifier)) !== undefined
      : (await this.functions.aliases.get(functionName, qualifier)) !== undefined;
    if (!exists) throw functionMissing();
  }

  /** Lambda's own checks of function destinations: the function must exist and be another one. */
  private async checkDestinations(functionName: string, body: Body): Promise<void> {
    const destinations = optionalObject(body, "DestinationConfig");
    if (destinations === undefined) return;
    for (const field of ["OnSuccess", "OnFailure"] as const) {
      const arn = destinationOf(destinations, field);
      if (arn === undefined || arn === "") continue;
      const destination = parseDestinationArn(arn);
      if (destination.kind !== "function") continue;
      if (destination.functionName === functionName) throw invalidParameter("You can't specify the function as a destination for itself.");
      if (!(await this.functions.get(destination.functionName, LATEST))) throw invalidParameter(`The destination ARN ${arn} is invalid.`);
    }
  }

  private noConfig(functionName: string, qualifier: string) {
    return resourceNotFound(`The function ${functionArn(this.scope, functionName, qualifier)} doesn't have an EventInvokeConfig`);
  }
}

/** The services Lambda sends destinations to; of these Lambent delivers to SNS, SQS and functions (destination-arn.ts). */
const DESTINATION_SERVICES = new Set(["sns", "sqs", "lambda", "events", "s3"]);
const ARN_SERVICE = /^arn:[^:]*:([^:]*):/;

const functionMissing = () => resourceNotFound("The function doesn't exist.");

/** A body that sets nothing is refused, as Lambda refuses it. */
function requireSettings(body: Body): Body {
  if (body["MaximumRetryAttempts"] == null && body["MaximumEventAgeInSeconds"] == null && body["DestinationConfig"] == null) {
    throw invalidParameter("You must specify at least one of error handling or destination setting.");
  }
  return body;
}

function destinationOf(destinations: Body, field: "OnSuccess" | "OnFailure"): string | undefined {
  const destination = optionalObject(destinations, field);
  return destination === undefined ? undefined : optionalString(destination, "Destination");
}

/** The destination config as Lambda's Java `toString` writes it in its error. */
function javaDestinationConfig(destinations: Body): string {
  const part = (field: "OnSuccess" | "OnFailure") => {
    if (optionalObject(destinations, field) === undefined) return "null";
    return `${field}(destination=${destinationOf(destinations, field) ?? "null"})`;
  };
  return `DestinationConfig(onSuccess=${part("OnSuccess")}, onFailure=${part("OnFailure")})`;
}

/**
 * Reads the fields of a Put or Update body (the model's bounds were checked before, model-input.ts);
 * destinations are checked as ARNs here, at write time.
 */
export function readEventInvokeSettings(body: Body): EventInvokeSettings {
  const settings: EventInvokeSettings = {};
  const maximumRetryAttempts = optionalInteger(body, "MaximumRetryAttempts");
  if (maximumRetryAttempts !== undefined) settings.maximumRetryAttempts = maximumRetryAttempts;
  const maximumEventAgeInSeconds = optionalInteger(body, "MaximumEventAgeInSeconds");
  if (maximumEventAgeInSeconds !== undefined) settings.maximumEventAgeInSeconds = maximumEventAgeInSeconds;
  const destinations = optionalObject(body, "DestinationConfig");
  if (destinations !== undefined) {
    const onSuccess = readDestination(destinations, "OnSuccess");
    if (onSuccess !== undefined) settings.onSuccess = onSuccess;
    const onFailure = readDestination(destinations, "OnFailure");
    if (onFailure !== undefined) settings.onFailure = onFailure;
  }
  return settings;
}

/** A destination ARN of a service Lambda delivers to is then checked as Lambent delivers it (destination-arn.ts). */
function readDestination(destinations: Body, field: "OnSuccess" | "OnFailure"): string | null | undefined {
  const destination = optionalObject(destinations, field);
  if (destination === undefined) return undefined;
  const arn = optionalString(destination, "Destination");
  if (arn === undefined || arn === "") return null;
  const service = ARN_SERVICE.exec(arn)?.[1];
  if (service !== undefined && !DESTINATION_SERVICES.has(service)) {
    throw invalidParameter(`The provided destination config ${javaDestinationConfig(destinations)} is invalid.`);
  }
  parseDestinationArn(arn);
  return arn;
}


/** `config` with the settings given laid over it; a `null` destination removes that destination. */
export function applySettings(config: EventInvokeConfig, settings: EventInvokeSettings): EventInvokeConfig {
  const next: EventInvokeConfig = { ...config };
  if (settings.maximumRetryAttempts !== undefined) next.maximumRetryAttempts = settings.maximumRetryAttempts;
  if (settings.maximumEventAgeInSeconds !== undefined) next.maximumEventAgeInSeconds = settings.maximumEventAgeInSeconds;
  for (const field of ["onSuccess", "onFailure"] as const) {
    const value = settings[field];
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next;
}

/**
 * A stored config as Lambda reports it: the qualified ARN, the settings that were set (no defaults filled
 * in), both destinations (empty when unset), LastModified in epoch seconds.
 */
export function toFunctionEventInvokeConfig(scope: ArnScope, config: EventInvokeConfig): FunctionEventInvokeConfig {
  const described: FunctionEventInvokeConfig = {
    LastModified: config.lastModified / 1000,
    FunctionArn: functionArn(scope, config.functionName, config.qualifier),
    DestinationConfig: {
      OnSuccess: config.onSuccess === undefined ? {} : { Destination: config.onSuccess },
      OnFailure: config.onFailure === undefined ? {} : { Destination: config.onFailure },
    },
  };
  if (config.maximumRetryAttempts !== undefined) described.MaximumRetryAttempts = config.maximumRetryAttempts;
  if (config.maximumEventAgeInSeconds !== undefined) described.MaximumEventAgeInSeconds = config.maximumEventAgeInSeconds;
  return described;
}
