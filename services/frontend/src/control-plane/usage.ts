// Lambent's usage report: requests, billed duration and GB-seconds per function version, as the workers
// metered them (@lambent/registry/usage), with an estimated cost at the configured prices. All time comes from
// the running totals in the functions bucket (`usage.<fn>.<version>`); a period from the hourly buckets in the
// usage bucket, summed on read. GB-seconds are memory in GB (MB / 1024) × billed seconds.
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { UsagePricesConfig } from "@lambent/config";
import type { DailyUsage, FunctionUsage, UsageFigures, UsagePeriodQuery, UsageReport, VersionUsage } from "@lambent/lambda-api";
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { listKeys } from "@lambent/registry/kv";
import { LATEST, compareVersions, functionArn, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";
import {
  USAGE_KEYS,
  addUsage,
  dayStart,
  decodeUsage,
  emptyUsage,
  parseUsageKey,
  readUsageDay,
  usageKeysOf,
  type UsageCounters,
} from "@lambent/registry/usage";
import { daysOf, parseUsagePeriod, type UsagePeriod } from "./usage-period.js";

type UsageByFunction = Map<string, Map<string, UsageCounters>>;

export class UsageReports {
  constructor(
    private readonly kv: KV,
    /** Reads the hourly documents of the usage bucket (@lambent/registry/usage's readUsageDay). */
    private readonly nc: NatsConnection,
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
    /** Every function's name, sorted (this frontend's watched copy, as the console's list reads it). */
    private readonly functionNames: () => readonly string[],
    private readonly prices: UsagePricesConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every existing function, with zeros for those that never ran in the period (all time without one). */
  async all(query: UsagePeriodQuery = {}): Promise<UsageReport> {
    const period = parseUsagePeriod({ start: query.Start, end: query.End }, this.now());
    const names = this.functionNames();
    if (!period) {
      const usage = await this.readTotals(USAGE_KEYS);
      return this.report(names.map((name) => this.functionUsage(name, usage.get(name))));
    }
    const existing = new Set(names);
    const { usage, daily } = await this.readPeriod(period, (name) => existing.has(name));
    return this.periodReport(period, names.map((name) => this.functionUsage(name, usage.get(name))), daily);
  }

  async ofFunction(reference: string, query: UsagePeriodQuery = {}): Promise<UsageReport> {
    const { functionName, qualifier } = parseFunctionReference(reference);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier: the report lists every version");
    const period = parseUsagePeriod({ start: query.Start, end: query.End }, this.now());
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    }
    if (!period) {
      const usage = await this.readTotals(usageKeysOf(functionName));
      return this.report([this.functionUsage(functionName, usage.get(functionName))]);
    }
    const { usage, daily } = await this.readPeriod(period, (name) => name === functionName);
    return this.periodReport(period, [this.functionUsage(functionName, usage.get(functionName))], daily);
  }

  /** Function → version → running totals, for the keys matching `filter`. */
  private async readTotals(filter: string): Promise<UsageByFunction> {
    const usage: UsageByFunction = new Map();
    for (const { scope, counters } of await readCounters(this.kv, filter, parseUsageKey)) versionsOf(usage, scope).set(scope.version, counters);
    return usage;
  }

  /** The hours of the period summed per function and version, and per UTC day, for the functions `wanted` keeps. */
  private async readPeriod(period: UsagePeriod, wanted: (functionName: string) => boolean): Promise<{ usage: UsageByFunction; daily: Map<number, UsageCounters> }> {
    const days = daysOf(period);
    const daily = new Map<number, UsageCounters>(days.map((day) => [day, emptyUsage()]));
    const usage: UsageByFunction = new Map();
    const reads = await Promise.all(days.map((day) => readUsageDay(this.nc, day)));
    for (const { counters, ...scope } of reads.flat()) {
      if (scope.hour < period.start || scope.hour >= period.end || !wanted(scope.functionName)) continue;
      const versions = versionsOf(usage, scope);
      const version = versions.get(scope.version) ?? emptyUsage();
      addUsage(version, counters);
      versions.set(scope.version, version);
      addUsage(daily.get(dayStart(scope.hour))!, counters);
    }
    return { usage, daily };
  }

  private periodReport(period: UsagePeriod, functions: { usage: FunctionUsage; total: UsageCounters }[], daily: Map<number, UsageCounters>): UsageReport {
    const days: DailyUsage[] = [...daily].map(([day, counters]) => ({ Date: new Date(day).toISOString().slice(0, 10), ...this.figures(counters) }));
    return { ...this.report(functions), Period: { Start: new Date(period.start).toISOString(), End: new Date(period.end).toISOString() }, Daily: days };
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

/** The versions map of the function a key names, made when missing. */
function versionsOf(usage: UsageByFunction, scope: { functionName: string }): Map<string, UsageCounters> {
  let versions = usage.get(scope.functionName);
  if (!versions) usage.set(scope.functionName, (versions = new Map()));
  return versions;
}

/** Every stored document under `filter` whose key `parse` understands. */
async function readCounters<S>(kv: KV, filter: string, parse: (key: string) => S | undefined): Promise<{ scope: S; counters: UsageCounters }[]> {
  // Each key once: counting a key written during the listing twice would double its usage.
  const keys = await listKeys(kv, filter);
  const entries = await Promise.all(keys.map(async (key) => ({ key, entry: await kv.get(key) })));
  const read: { scope: S; counters: UsageCounters }[] = [];
  for (const { key, entry } of entries) {
    const scope = parse(key);
    if (scope && entry?.operation === "PUT") read.push({ scope, counters: decodeUsage(entry.value) });
  }
  return read;
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
