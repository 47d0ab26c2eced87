// Reserved and provisioned concurrency, and the account settings they move: Lambda's concurrency calls
// over the one settings document (the registry's ConcurrencyStore keeps the rules). How much of a
// provisioned config is allocated comes from the leading scheduler, which keeps the environments.
import { invalidParameter, provisionedConcurrencyConfigNotFound, resourceConflict, resourceNotFound } from "@lambent/errors";
import { PackageLimits } from "@lambent/bundler";
import {
  LATEST,
  functionArn,
  isVersionNumber,
  lambdaTimestamp,
  parseFunctionReference,
  provisionedKey,
  type ConcurrencySettings,
  unreservedConcurrency,
  withProvisioned,
  withReservation,
  withoutFunction,
  type ArnScope,
  type ConcurrencyLimits,
  type FunctionStore,
  type ProvisionedConcurrencyConfig,
} from "@lambent/registry/functions";
import type {
  AccountSettings,
  FunctionConcurrency,
  ListProvisionedConcurrencyConfigsResponse,
  ProvisionedConcurrencyConfiguration,
} from "@lambent/lambda-api";
import { optionalInteger, requireBody } from "./fields.js";
import { checkInput } from "./model-input.js";
import { paginate, type ListOptions } from "./pagination.js";

/** Lambda's storage quota for all deployment packages (75 GB). Reported, not enforced. */
const TOTAL_CODE_SIZE_LIMIT = 80_530_636_800;

export const UNPUBLISHED_VERSION_MESSAGE = "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";
const NOT_ALIAS_OR_VERSION_MESSAGE = "The function resource provided must be an alias or a published version.";
const QUALIFIED_REFERENCE_MESSAGE =
  "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.";

export interface ConcurrencyOperationsOptions {
  scope: ArnScope;
  functions: FunctionStore;
  limits: ConcurrencyLimits;
  /** Environments of a version or alias the cluster has initialised and alive now; 0 when nobody knows. */
  provisionedAllocation: (functionName: string, qualifier: string) => Promise<number>;
}

export class ConcurrencyOperations {
  constructor(private readonly options: ConcurrencyOperationsOptions) {}

  async accountSettings(): Promise<AccountSettings> {
    const { functions, limits } = this.options;
    const [settings, names] = await Promise.all([functions.concurrency.read(), functions.listFunctionNames()]);
    const sizes = await Promise.all(names.map((name) => this.storedCodeSize(name)));
    return {
      AccountLimit: {
        TotalCodeSize: TOTAL_CODE_SIZE_LIMIT,
        CodeSizeUnzipped: PackageLimits.unzippedBytes,
        CodeSizeZipped: PackageLimits.zippedBytes,
        ConcurrentExecutions: limits.accountLimit,
        UnreservedConcurrentExecutions: unreservedConcurrency(settings, limits),
      },
      AccountUsage: { TotalCodeSize: sizes.reduce((sum, size) => sum + size, 0), FunctionCount: names.length },
    };
  }

  async putReserved(reference: string, input: unknown): Promise<FunctionConcurrency> {
    const body = requireBody(input);
    checkInput("PutFunctionConcurrency", { ...body, FunctionName: reference });
    const reserved = requiredInteger(body, "ReservedConcurrentExecutions");
    const functionName = this.unqualified(reference);
    if (!(await this.options.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.options.scope, functionName, LATEST)}`);
    }
    await this.options.functions.concurrency.update((current) => withReservation(current, this.options.limits, functionName, reserved));
    return { ReservedConcurrentExecutions: reserved };
  }

  async getReserved(reference: string): Promise<FunctionConcurrency> {
    checkInput("GetFunctionConcurrency", { FunctionName: reference });
    const reserved = await this.reservedOf(await this.existingFunction(reference));
    return reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved };
  }

  async deleteReserved(reference: string): Promise<void> {
    checkInput("DeleteFunctionConcurrency", { FunctionName: reference });
    const functionName = await this.existingFunction(reference);
    await this.options.functions.concurrency.update((current) =>
      current.reserved[functionName] === undefined ? current : withReservation(current, this.options.limits, functionName, undefined),
    );
  }

  /** A function's reservation, if it has one (GetFunction's `Concurrency`). */
  async reservedOf(functionName: string): Promise<number | undefined> {
    return (await this.options.functions.concurrency.read()).reserved[functionName];
  }

  /**
   * Lambda keeps a version and an alias pointing at it from both being provisioned: a config on an alias
   * conflicts with one on its version, and the other way round.
   */
  async putProvisioned(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<ProvisionedConcurrencyConfiguration> {
    const body = requireBody(input);
    checkInput("PutProvisionedConcurrencyConfig", { ...body, FunctionName: reference, Qualifier: qualifierParameter });
    const requested = requiredInteger(body, "ProvisionedConcurrentExecutions");
    const { functionName, qualifier } = this.provisionedTarget(reference, qualifierParameter, UNPUBLISHED_VERSION_MESSAGE);
    const aliasVersions = await this.requirePublishedTarget(functionName, qualifier);
    const config: ProvisionedConcurrencyConfig = { functionName, qualifier, requested, lastModified: lambdaTimestamp() };
    const aliases = isVersionNumber(qualifier) ? await this.options.functions.aliases.list(functionName) : [];
    await this.options.functions.concurrency.update((current) => {
      if (aliasVersions !== undefined && aliasVersions.some((version) => hasProvisioned(current, functionName, version))) {
        throw resourceConflict("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
      }
      if (aliases.some((alias) => hasProvisioned(current, functionName, alias.name) && (alias.functionVersion === qualifier || alias.routing?.version === qualifier))) {
        throw resourceConflict("Version is pointed by a Provisioned Concurrency alias");
      }
      return withProvisioned(current, this.options.limits, config);
    });
    return this.describe(config);
  }

  async getProvisioned(reference: string, qualifierParameter: string | undefined): Promise<ProvisionedConcurrencyConfiguration> {
    checkInput("GetProvisionedConcurrencyConfig", { FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = this.provisionedTarget(reference, qualifierParameter, NOT_ALIAS_OR_VERSION_MESSAGE);
    await this.requireTarget(functionName, qualifier);
    const config = (await this.options.functions.concurrency.read()).provisioned[provisionedKey(functionName, qualifier)];
    if (!config) throw provisionedConcurrencyConfigNotFound();
    return this.describe(config);
  }

  /** Removes a config; a version or alias without one answers as if it had been removed, as in Lambda. */
  async deleteProvisioned(reference: string, qualifierParameter: string | undefined): Promise<void> {
    checkInput("DeleteProvisionedConcurrencyConfig", { FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = this.provisionedTarget(reference, qualifierParameter, NOT_ALIAS_OR_VERSION_MESSAGE);
    await this.requireTarget(functionName, qualifier);
    await this.options.functions.concurrency.update((current) =>
      current.provisioned[provisionedKey(functionName, qualifier)] ? withProvisioned(current, this.options.limits, { functionName, qualifier, requested: undefined }) : current,
    );
  }

  async listProvisioned(reference: string, options: ListOptions): Promise<ListProvisionedConcurrencyConfigsResponse> {
    checkInput("ListProvisionedConcurrencyConfigs", { FunctionName: reference, Marker: options.marker, MaxItems: options.maxItems });
    const functionName = await this.existingFunction(reference);
    const settings = await this.options.functions.concurrency.read();
    const configs = Object.values(settings.provisioned)
      .filter((config) => config.functionName === functionName)
      .sort((a, b) => compareQualifiers(a.qualifier, b.qualifier));
    const page = paginate(configs, (config) => config.qualifier, compareQualifiers, options);
    const items = await Promise.all(
      page.items.map(async (config) => ({
        FunctionArn: functionArn(this.options.scope, functionName, config.qualifier),
        ...(await this.describe(config)),
      })),
    );
    const response: ListProvisionedConcurrencyConfigsResponse = { ProvisionedConcurrencyConfigs: items };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  /**
   * Drops what a deleted function had (its reservation and provisioned configs), or with a qualifier
   * what a deleted version or alias had. Writes nothing when there is nothing to drop.
   */
  async forget(functionName: string, qualifier?: string): Promise<void> {
    await this.options.functions.concurrency.update((current) => withoutFunction(current, functionName, qualifier));
  }

  /** A config as Lambda reports it, with the allocation the scheduler reports now. */
  private async describe(config: ProvisionedConcurrencyConfig): Promise<ProvisionedConcurrencyConfiguration> {
    const allocated = Math.min(await this.options.provisionedAllocation(config.functionName, config.qualifier), config.requested);
    return {
      RequestedProvisionedConcurrentExecutions: config.requested,
      AvailableProvisionedConcurrentExecutions: allocated,
      AllocatedProvisionedConcurrentExecutions: allocated,
      Status: allocated >= config.requested ? "READY" : "IN_PROGRESS",
      LastModified: config.lastModified,
    };
  }

  /** The function a reference without a qualifier names; ResourceNotFoundException when it does not exist. */
  private async existingFunction(reference: string): Promise<string> {
    const functionName = this.unqualified(reference);
    await this.requireFunction(functionName);
    return functionName;
  }

  private unqualified(reference: string): string {
    const { functionName, qualifier } = parseFunctionReference(reference, undefined, this.options.scope);
    if (qualifier !== undefined) throw invalidParameter(QUALIFIED_REFERENCE_MESSAGE);
    return functionName;
  }

  /** Function and qualifier of a provisioned concurrency call; `$LATEST` is refused in the operation's words. */
  private provisionedTarget(reference: string, qualifierParameter: string | undefined, latestMessage: string): { functionName: string; qualifier: string } {
    const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter, this.options.scope);
    if (qualifier === undefined || qualifier === LATEST) throw invalidParameter(latestMessage);
    return { functionName, qualifier };
  }

  /** The version or alias exists; Lambda names what it looked for (`Cannot find alias arn: …` for an alias). */
  private async requireTarget(functionName: string, qualifier: string): Promise<{ versions?: string[] }> {
    const arn = functionArn(this.options.scope, functionName, qualifier);
    if (isVersionNumber(qualifier)) {
      if (!(await this.options.functions.get(functionName, qualifier))) throw resourceNotFound(`Function not found: ${arn}`);
      return {};
    }
    const alias = await this.options.functions.aliases.get(functionName, qualifier);
    if (!alias) throw resourceNotFound(`Cannot find alias arn: ${arn}`);
    const { functionVersion, routing } = alias.alias;
    return { versions: routing ? [functionVersion, routing.version] : [functionVersion] };
  }

  /** The qualifier names a published version, or an alias that points at one; an alias's versions are answered. */
  private async requirePublishedTarget(functionName: string, qualifier: string): Promise<string[] | undefined> {
    const { versions } = await this.requireTarget(functionName, qualifier);
    if (versions?.includes(LATEST)) throw invalidParameter(UNPUBLISHED_VERSION_MESSAGE);
    return versions;
  }

  private async requireFunction(functionName: string): Promise<void> {
    if (!(await this.options.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.options.scope, functionName)}`);
    }
  }

  /** CodeSize summed over the function's stored versions ($LATEST and every published one). */
  private async storedCodeSize(functionName: string): Promise<number> {
    const versions = await this.options.functions.listVersions(functionName);
    const records = await Promise.all(versions.map((version) => this.options.functions.get(functionName, version)));
    return records.reduce((sum, stored) => sum + (stored?.record.codeSize ?? 0), 0);
  }
}

/** A count the model requires (and bounds); a value that is not an integer is refused here. */
function requiredInteger(body: Record<string, unknown>, field: string): number {
  const value = optionalInteger(body, field);
  if (value === undefined) throw invalidParameter(`${field} is required`);
  return value;
}

function hasProvisioned(settings: ConcurrencySettings, functionName: string, qualifier: string): boolean {
  return settings.provisioned[provisionedKey(functionName, qualifier)] !== undefined;
}

/** Version numbers in numeric order, then aliases by name: the order configs are listed in. */
export function compareQualifiers(a: string, b: string): number {
  const aVersion = isVersionNumber(a);
  const bVersion = isVersionNumber(b);
  if (aVersion && bVersion) return Number(a) - Number(b);
  if (aVersion !== bVersion) return aVersion ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
