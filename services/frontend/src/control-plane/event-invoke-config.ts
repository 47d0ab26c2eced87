// Lambda's EventInvokeConfig calls (retries, maximum event age and destinations of asynchronous invocations,
// per qualifier) over the registry's EventInvokeConfigStore, and the cleanup when a qualifier goes away.
import { invalidParameter, resourceNotFound } from "@lambent/errors";
import {
  EventInvokeLimits,
  LATEST,
  compareQualifierOrder,
  defaultEventInvokeConfig,
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

  /** PutFunctionEventInvokeConfig: the body replaces the whole config; fields left out take Lambda's defaults. */
  async put(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<FunctionEventInvokeConfig> {
    const settings = readEventInvokeSettings(requireBody(input));
    const { functionName, qualifier } = await this.existingTarget(reference, qualifierParameter);
    refuseSelfDestination(functionName, settings);
    const config = applySettings(defaultEventInvokeConfig(functionName, qualifier), settings);
    return this.describe(await this.functions.eventInvokeConfigs.put(config));
  }

  /** UpdateFunctionEventInvokeConfig: the fields given change, the others stay; creates the config when there is none. */
  async update(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<FunctionEventInvokeConfig> {
    const settings = readEventInvokeSettings(requireBody(input));
    const { functionName, qualifier } = await this.existingTarget(reference, qualifierParameter);
    refuseSelfDestination(functionName, settings);
    const updated = await this.functions.eventInvokeConfigs.update(functionName, qualifier, (current) =>
      applySettings({ ...(current ?? defaultEventInvokeConfig(functionName, qualifier)), lastModified: Date.now() }, settings),
    );
    return this.describe(updated);
  }

  async get(reference: string, qualifierParameter: string | undefined): Promise<FunctionEventInvokeConfig> {
    const { functionName, qualifier } = await this.existingTarget(reference, qualifierParameter);
    const config = await this.functions.eventInvokeConfigs.get(functionName, qualifier);
    if (!config) throw this.noConfig(functionName, qualifier);
    return this.describe(config);
  }

  /**
   * Deletes a qualifier's config. The version or alias need not exist any more, so a config left behind by
   * a delete that stopped half-way can still be removed.
   */
  async delete(reference: string, qualifierParameter: string | undefined): Promise<void> {
    const { functionName, qualifier } = parseTarget(reference, qualifierParameter);
    await this.requireFunction(functionName);
    if (!(await this.functions.eventInvokeConfigs.delete(functionName, qualifier))) throw this.noConfig(functionName, qualifier);
  }

  async list(reference: string, options: ListOptions): Promise<ListFunctionEventInvokeConfigsResponse> {
    const { functionName, qualifier } = parseFunctionReference(reference);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier for ListFunctionEventInvokeConfigs");
    if (parseMaxItems(options.maxItems) > MAX_LIST_ITEMS) {
      throw invalidParameter(
        `1 validation error detected: Value '${options.maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to ${MAX_LIST_ITEMS}`,
      );
    }
    await this.requireFunction(functionName);
    const configs = await this.functions.eventInvokeConfigs.list(functionName);
    const page = paginate(configs, (config) => config.qualifier, compareQualifierOrder, options);
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

  /** The function and qualifier a call names, both existing: `$LATEST`, a published version, or an alias. */
  private async existingTarget(reference: string, qualifierParameter: string | undefined): Promise<{ functionName: string; qualifier: string }> {
    const target = parseTarget(reference, qualifierParameter);
    const { functionName, qualifier } = target;
    await this.requireFunction(functionName);
    if (qualifier === LATEST) return target;
    const exists = isVersionNumber(qualifier)
      ? (await this.functions.get(functionName, qualifier)) !== undefined
      : (await this.functions.aliases.get(functionName, qualifier)) !== undefined;
    if (!exists) throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName, qualifier)}`);
    return target;
  }

  private async requireFunction(functionName: string): Promise<void> {
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    }
  }

  private noConfig(functionName: string, qualifier: string) {
    return resourceNotFound(`The function ${functionArn(this.scope, functionName, qualifier)} doesn't have an EventInvokeConfig`);
  }
}

function parseTarget(reference: string, qualifierParameter: string | undefined): { functionName: string; qualifier: string } {
  const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter);
  return { functionName, qualifier: qualifier ?? LATEST };
}

/** Reads and validates the fields of a Put or Update body; destinations are checked as ARNs here, at write time. */
export function readEventInvokeSettings(body: Body): EventInvokeSettings {
  const { maximumRetryAttempts: retries, maximumEventAgeInSeconds: age } = EventInvokeLimits;
  const settings: EventInvokeSettings = {};
  const maximumRetryAttempts = optionalInteger(body, "MaximumRetryAttempts", retries.min, retries.max);
  if (maximumRetryAttempts !== undefined) settings.maximumRetryAttempts = maximumRetryAttempts;
  const maximumEventAgeInSeconds = optionalInteger(body, "MaximumEventAgeInSeconds", age.min, age.max);
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

function readDestination(destinations: Body, field: "OnSuccess" | "OnFailure"): string | null | undefined {
  const destination = optionalObject(destinations, field);
  if (destination === undefined) return undefined;
  const arn = optionalString(destination, "Destination");
  if (arn === undefined || arn === "") return null;
  parseDestinationArn(arn);
  return arn;
}

/**
 * A function may not be its own destination, under any qualifier (Lambda refuses it the same way): every
 * event would feed the next. Longer loops (through other functions, topics and triggers) are cut at run time.
 */
export function refuseSelfDestination(functionName: string, settings: EventInvokeSettings): void {
  for (const arn of [settings.onSuccess, settings.onFailure]) {
    if (!arn) continue;
    const destination = parseDestinationArn(arn);
    if (destination.kind === "function" && destination.functionName === functionName) {
      throw invalidParameter("You can't specify the function as a destination for itself.");
    }
  }
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

/** A stored config as Lambda reports it: the qualified ARN, defaults filled in, LastModified in epoch seconds. */
export function toFunctionEventInvokeConfig(scope: ArnScope, config: EventInvokeConfig): FunctionEventInvokeConfig {
  return {
    LastModified: config.lastModified / 1000,
    FunctionArn: functionArn(scope, config.functionName, config.qualifier),
    MaximumRetryAttempts: config.maximumRetryAttempts,
    MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds,
    DestinationConfig: {
      OnSuccess: config.onSuccess === undefined ? {} : { Destination: config.onSuccess },
      OnFailure: config.onFailure === undefined ? {} : { Destination: config.onFailure },
    },
  };
}
