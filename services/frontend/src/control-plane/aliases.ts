// Aliases: named pointers to a version, optionally splitting traffic with one more version by weight.
import { randomUUID } from "node:crypto";
import { invalidParameter, resourceConflict, resourceNotFound } from "@lambent/errors";
import {
  LATEST,
  aliasUsesVersion,
  functionArn,
  parseFunctionReference,
  type AliasRecord,
  type AliasRouting,
  type ArnScope,
  type FunctionStore,
} from "@lambent/registry/functions";
import type { AliasConfiguration, ListAliasesResponse } from "@lambent/lambda-api";
import { type Body, optionalObject, optionalString, requireBody, requireString } from "./fields.js";
import { checkInput } from "./model-input.js";
import { compareStrings, paginate, type ListOptions } from "./pagination.js";
import { checkRevision } from "./preconditions.js";

export class AliasOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
  ) {}

  async create(reference: string, input: unknown): Promise<AliasConfiguration> {
    const body = requireBody(input);
    checkInput("CreateAlias", { ...body, FunctionName: reference });
    const functionName = this.unqualified(reference);
    const name = requireString(body, "Name");
    const functionVersion = requireString(body, "FunctionVersion");
    const routing = readRouting(body) ?? undefined;
    validateAliasTarget(functionVersion, routing);
    await this.requireVersions(functionName, [functionVersion, ...(routing ? [routing.version] : [])]);
    const alias: AliasRecord = {
      functionName,
      name,
      functionVersion,
      description: optionalString(body, "Description") ?? "",
      ...(routing ? { routing } : {}),
      revisionId: randomUUID(),
    };
    if (!(await this.functions.aliases.create(alias))) {
      throw resourceConflict(`Alias already exists: ${functionArn(this.scope, functionName, name)}`);
    }
    return toAliasConfiguration(this.scope, alias);
  }

  async get(reference: string, aliasName: string): Promise<AliasConfiguration> {
    checkInput("GetAlias", { FunctionName: reference, Name: aliasName });
    const functionName = this.unqualified(reference);
    const stored = await this.functions.aliases.get(functionName, aliasName);
    if (!stored) throw resourceNotFound(`Cannot find alias arn: ${functionArn(this.scope, functionName, aliasName)}`);
    return toAliasConfiguration(this.scope, stored.alias);
  }

  /**
   * Moves an alias and/or changes its routing. Fields not given keep their values (as in Lambda, a
   * promotion onto the weighted version clears the weights with `RoutingConfig: {AdditionalVersionWeights: {}}`).
   */
  async update(reference: string, aliasName: string, input: unknown): Promise<AliasConfiguration> {
    const body = requireBody(input);
    checkInput("UpdateAlias", { ...body, FunctionName: reference, Name: aliasName });
    const functionName = this.unqualified(reference);
    const name = aliasName;
    const functionVersion = optionalString(body, "FunctionVersion");
    const description = optionalString(body, "Description");
    const routing = readRouting(body);
    const expectedRevision = optionalString(body, "RevisionId");
    await this.requireVersions(functionName, [
      ...(functionVersion !== undefined ? [functionVersion] : []),
      ...(routing ? [routing.version] : []),
    ]);
    const updated = await this.functions.aliases.update(functionName, name, (current) => {
      checkRevision(current.revisionId, expectedRevision);
      const next = moveAlias(current, { functionVersion, description, routing });
      return { ...next, revisionId: randomUUID() };
    });
    if (!updated) throw this.aliasNotFound(functionName, name);
    return toAliasConfiguration(this.scope, updated);
  }

  /** Deletes an alias; deleting one that does not exist succeeds, as in Lambda. */
  async delete(reference: string, aliasName: string): Promise<void> {
    checkInput("DeleteAlias", { FunctionName: reference, Name: aliasName });
    await this.functions.aliases.delete(this.unqualified(reference), aliasName);
  }

  async list(reference: string, options: ListOptions & { functionVersion?: string }): Promise<ListAliasesResponse> {
    checkInput("ListAliases", { FunctionName: reference, FunctionVersion: options.functionVersion, Marker: options.marker, MaxItems: options.maxItems });
    const functionName = this.unqualified(reference);
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    }
    const version = options.functionVersion || undefined;
    const aliases = (await this.functions.aliases.list(functionName)).filter(
      (alias) => version === undefined || aliasUsesVersion(alias, version),
    );
    const page = paginate(aliases, (alias) => alias.name, compareStrings, options);
    const response: ListAliasesResponse = { Aliases: page.items.map((alias) => toAliasConfiguration(this.scope, alias)) };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  private async requireVersions(functionName: string, versions: string[]): Promise<void> {
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    }
    for (const version of versions) {
      if (version !== LATEST && !(await this.functions.get(functionName, version))) {
        throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName, version)}`);
      }
    }
  }

  private aliasNotFound(functionName: string, aliasName: string) {
    return resourceNotFound(`Alias not found: ${functionArn(this.scope, functionName, aliasName)}`);
  }

  private unqualified(reference: string): string {
    const { functionName, qualifier } = parseFunctionReference(reference, undefined, this.scope);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier for alias operations");
    return functionName;
  }
}

export interface AliasChange {
  functionVersion: string | undefined;
  description: string | undefined;
  /** undefined: keep; null: clear. */
  routing: AliasRouting | null | undefined;
}

/**
 * The alias after a change, checked against Lambda's rules. A move of `functionVersion` remembers the
 * version it left in `previousVersion`.
 */
export function moveAlias(current: AliasRecord, change: AliasChange): AliasRecord {
  const functionVersion = change.functionVersion ?? current.functionVersion;
  const routing = change.routing === undefined ? current.routing : (change.routing ?? undefined);
  validateAliasTarget(functionVersion, routing);
  const previousVersion = functionVersion !== current.functionVersion ? current.functionVersion : current.previousVersion;
  const next: AliasRecord = {
    functionName: current.functionName,
    name: current.name,
    functionVersion,
    description: change.description ?? current.description,
    revisionId: current.revisionId,
  };
  if (routing) next.routing = routing;
  if (previousVersion !== undefined) next.previousVersion = previousVersion;
  return next;
}

/** Lambda's rules for what an alias may point at (the model's constraints were checked before). */
export function validateAliasTarget(functionVersion: string, routing: AliasRouting | undefined): void {
  if (!routing) return;
  if (functionVersion === LATEST || routing.version === LATEST) {
    throw invalidParameter("$LATEST is not supported for an alias pointing to more than 1 version");
  }
  if (routing.version === functionVersion) {
    throw invalidParameter(
      `Invalid function version ${routing.version}. Function version ${routing.version} is already included in routing configuration.`,
    );
  }
}

/**
 * `RoutingConfig.AdditionalVersionWeights` from a request: undefined when not given, null when given
 * empty (no extra version), else the one extra version and its weight (the model bounds both).
 */
export function readRouting(body: Body): AliasRouting | null | undefined {
  const config = optionalObject(body, "RoutingConfig");
  if (config === undefined) return undefined;
  const weights = optionalObject(config, "AdditionalVersionWeights") ?? {};
  const entries = Object.entries(weights);
  if (entries.length === 0) return null;
  if (entries.length > 1) throw invalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1");
  const [version, weight] = entries[0]!;
  if (typeof weight !== "number" || !Number.isFinite(weight)) {
    throw invalidParameter(`The weight of version ${version} in AdditionalVersionWeights must be a number`);
  }
  return { version, weight };
}

export function toAliasConfiguration(scope: ArnScope, alias: AliasRecord): AliasConfiguration {
  const configuration: AliasConfiguration = {
    AliasArn: functionArn(scope, alias.functionName, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    RevisionId: alias.revisionId,
  };
  if (alias.routing) configuration.RoutingConfig = { AdditionalVersionWeights: { [alias.routing.version]: alias.routing.weight } };
  if (alias.previousVersion !== undefined) configuration.PreviousVersion = alias.previousVersion;
  return configuration;
}
