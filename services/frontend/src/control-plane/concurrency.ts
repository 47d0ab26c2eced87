// Reserved and provisioned concurrency, and the account settings they move: Lambda's concurrency calls
// over the one settings document (the registry's ConcurrencyStore keeps the rules). How much of a
// provisioned config is allocated comes from the leading scheduler, which keeps the environments.
import { invalidParameter, provisionedConcurrencyConfigNotFound, resourceNotFound } from "@lambent/errors";
import { PackageLimits } from "@lambent/bundler";
import {
  LATEST,
  functionArn,
  isVersionNumber,
  lambdaTimestamp,
  parseFunctionReference,
  provisionedKey,
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
import { paginate, type ListOptions } from "./pagination.js";

/** Lambda's storage quota for all deployment packages (75 GB). Reported, not enforced. */
const TOTAL_CODE_SIZE_LIMIT = 80_530_636_800;

/** Lambda states no upper bound for these counts; the account's rules bound them in practice. */
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

export const UNPUBLISHED_VERSION_MESSAGE = "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";

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
    const reserved = requiredInteger(requireBody(input), "ReservedConcurrentExecutions", 0);
    const functionName = await this.existingFunction(reference);
    await this.options.functions.concurrency.update((current) => withReservation(current, this.options.limits, functionName, reserved));
    return { ReservedConcurrentExecutions: reserved };
  }

  async getReserved(reference: string): Promise<FunctionConcurrency> {
    const reserved = await this.reservedOf(await this.existingFunction(reference));
    return reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved };
  }

  async deleteReserved(reference: string): Promise<void> {
    const functionName = await this.existingFunction(reference);
    await this.options.functions.concurrency.update((current) =>
      current.reserved[functionName] === undefined ? current : withReservation(current, this.options.limits, functionName, undefined),
    );
  }

  /** A function's reservation, if it has one (GetFunction's `Concurrency`). */
  async reservedOf(functionName: string): Promise<number | undefined> {
    return (await this.options.functions.concurrency.read()).reserved[functionName];
  }

  async putProvisioned(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<ProvisionedConcurrencyConfiguration> {
    const requested = requiredInteger(requireBody(input), "ProvisionedConcurrentExecutions", 1);
    const { functionName, qualifier } = await this.provisionedTarget(reference, qualifierParameter);
    await this.requirePublishedTarget(functionName, qualifier);
    const config: ProvisionedConcurrencyConfig = { functionName, qualifier, requested, lastModified: lambdaTimestamp() };
    await this.options.functions.concurrency.update((current) => withProvisioned(current, this.options.limits, config));
    return this.describe(config);
  }

  async getProvisioned(reference: string, qualifierParameter: string | undefined): Promise<ProvisionedConcurrencyConfiguration> {
    const { functionName, qualifier } = await this.provisionedTarget(reference, qualifierParameter);
    const config = (await this.options.functions.concurrency.read()).provisioned[provisionedKey(functionName, qualifier)];
    if (!config) throw provisionedConcurrencyConfigNotFound();
    return this.describe(config);
  }

  /**
   * Removes a config. The version or alias need not exist any more, so a config left behind by a delete
   * that stopped half-way can still be removed.
   */
  async deleteProvisioned(reference: string, qualifierParameter: string | undefined): Promise<void> {
    const { functionName, qualifier } = await this.provisionedTarget(reference, qualifierParameter);
    await this.options.functions.concurrency.update((current) => {
      if (!current.provisioned[provisionedKey(functionName, qualifier)]) throw provisionedConcurrencyConfigNotFound();
      return withProvisioned(current, this.options.limits, { functionName, qualifier, requested: undefined });
    });
  }

  async listProvisioned(reference: string, options: ListOptions): Promise<ListProvisionedConcurrencyConfigsResponse> {
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
    const { functionName, qualifier } = parseFunctionReference(reference);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier for this operation");
    await this.requireFunction(functionName);
    return functionName;
  }

  /** Function and qualifier of a provisioned concurrency call: the function exists, the qualifier is not $LATEST. */
  private async provisionedTarget(reference: string, qualifierParameter: string | undefined): Promise<{ functionName: string; qualifier: string }> {
    const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter);
    if (qualifier === undefined) throw invalidParameter("Qualifier is required: a published version number or an alias");
    if (qualifier === LATEST) throw invalidParameter(UNPUBLISHED_VERSION_MESSAGE);
    await this.requireFunction(functionName);
    return { functionName, qualifier };
  }

  /** The qualifier names a published version, or an alias that points at one. */
  private async requirePublishedTarget(functionName: string, qualifier: string): Promise<void> {
    const notFound = () => resourceNotFound(`Function not found: ${functionArn(this.options.scope, functionName, qualifier)}`);
    if (isVersionNumber(qualifier)) {
      if (!(await this.options.functions.get(functionName, qualifier))) throw notFound();
      return;
    }
    const alias = await this.options.functions.aliases.get(functionName, qualifier);
    if (!alias) throw notFound();
    if (alias.alias.functionVersion === LATEST) throw invalidParameter(UNPUBLISHED_VERSION_MESSAGE);
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

function requiredInteger(body: Record<string, unknown>, field: string, min: number): number {
  const value = optionalInteger(body, field, min, NO_UPPER_BOUND);
  if (value === undefined) throw invalidParameter(`${field} is required`);
  return value;
}

/** Version numbers in numeric order, then aliases by name: the order configs are listed in. */
export function compareQualifiers(a: string, b: string): number {
  const aVersion = isVersionNumber(a);
  const bVersion = isVersionNumber(b);
  if (aVersion && bVersion) return Number(a) - Number(b);
  if (aVersion !== bVersion) return aVersion ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
