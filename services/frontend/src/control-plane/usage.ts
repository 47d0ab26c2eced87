// Lambent's usage report: requests, billed duration and GB-seconds per function version, as the workers
// metered them into the functions bucket (`usage.<fn>.<version>`, @lambent/registry), with an estimated
// cost at the configured prices. GB-seconds are memory in GB (MB / 1024) × billed seconds.
import type { KV } from "@nats-io/kv";
import type { UsagePricesConfig } from "@lambent/config";
import type { FunctionUsage, UsageFigures, UsageReport, VersionUsage } from "@lambent/lambda-api";
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { LATEST, compareVersions, functionArn, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";
import { USAGE_KEYS, addUsage, decodeUsage, emptyUsage, parseUsageKey, usageKeysOf, type UsageCounters } from "@lambent/registry/usage";

export class UsageReports {
  constructor(
    private readonly kv: KV,
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
    private readonly prices: UsagePricesConfig,
  ) {}

  /** Every existing function, with zeros for those that never ran. */
  async all(): Promise<UsageReport> {
    const names = await this.functions.listFunctionNames();
    const usage = await this.read(USAGE_KEYS);
    return this.report(names.map((name) => this.functionUsage(name, usage.get(name))));
  }

  async ofFunction(reference: string): Promise<UsageReport> {
    const { functionName, qualifier } = parseFunctionReference(reference);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier: the report lists every version");
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    }
    const usage = await this.read(usageKeysOf(functionName));
    return this.report([this.functionUsage(functionName, usage.get(functionName))]);
  }

  /** Function → version → counters, for the keys matching `filter`. */
  private async read(filter: string): Promise<Map<string, Map<string, UsageCounters>>> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(filter)) keys.push(key);
    const entries = await Promise.all(keys.map(async (key) => ({ key, entry: await this.kv.get(key) })));
    const usage = new Map<string, Map<string, UsageCounters>>();
    for (const { key, entry } of entries) {
      const scope = parseUsageKey(key);
      if (!scope || entry?.operation !== "PUT") continue;
      let versions = usage.get(scope.functionName);
      if (!versions) usage.set(scope.functionName, (versions = new Map()));
      versions.set(scope.version, decodeUsage(entry.value));
    }
    return usage;
  }

  private functionUsage(functionName: string, versions: Map<string, UsageCounters> | undefined): { usage: FunctionUsage; total: UsageCounters } {
    const total = emptyUsage();
    const list: VersionUsage[] = [];
    for (const version of [...(versions?.keys() ?? [])].sort(compareVersions)) {
      const counters = versions!.get(version)!;
      addUsage(total, counters);
      list.push({ Version: version, ...this.figures(counters) });
    }
    return { usage: { FunctionName: functionName, Versions: list, ...this.figures(total) }, total };
  }

  private report(functions: { usage: FunctionUsage; total: UsageCounters }[]): UsageReport {
    const total = emptyUsage();
    for (const fn of functions) addUsage(total, fn.total);
    return {
      Functions: functions.map((fn) => fn.usage),
      ...this.figures(total),
      Prices: { PerMillionRequests: this.prices.perMillionRequests, PerGbSecond: this.prices.perGbSecond },
    };
  }

  private figures(counters: UsageCounters): UsageFigures {
    const gbSeconds = gbSecondsOf(counters);
    return {
      Requests: counters.requests,
      BilledDurationMs: counters.billedDurationMs,
      GbSeconds: gbSeconds,
      EstimatedCost: this.cost(counters.requests, gbSeconds),
    };
  }

  private cost(requests: number, gbSeconds: number): number {
    return (requests / 1_000_000) * this.prices.perMillionRequests + gbSeconds * this.prices.perGbSecond;
  }
}

/** Memory in GB × billed seconds, from the integer MB·ms sum. */
export function gbSecondsOf(counters: UsageCounters): number {
  return counters.megabyteMilliseconds / 1024 / 1000;
}

/** The API's usage calls, or a ServiceException when this frontend was built without them. */
export function usageOf(api: { usage?: UsageReports | undefined }): UsageReports {
  if (!api.usage) throw new LambdaError("ServiceException", "Usage reports are not available on this frontend");
  return api.usage;
}
