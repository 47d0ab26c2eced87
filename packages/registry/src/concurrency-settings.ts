// Reserved and provisioned concurrency for every function, in one KV document (`settings.concurrency`).
// One document, written by compare-and-set, so the rules that span functions (reservations leave the
// unreserved minimum; provisioned fits its function's reservation or the unreserved pool) hold exactly
// even when two frontends write at once. The scheduler watches this one key.
import type { KV } from "@nats-io/kv";
import { invalidParameter } from "@lambent/errors";
import { isRecord } from "@lambent/protocol";
import { updateByRevision } from "./compare-and-set.js";
import type { ObservedWrites } from "./observed-writes.js";

export const CONCURRENCY_SETTINGS_KEY = "settings.concurrency";

export interface ProvisionedConcurrencyConfig {
  functionName: string;
  /** A version number or an alias name (never `$LATEST`). */
  qualifier: string;
  requested: number;
  /** ISO-8601, as Lambda reports LastModified for these configs. */
  lastModified: string;
}

export interface ConcurrencySettings {
  /** Function name → reserved concurrent executions. */
  reserved: Record<string, number>;
  /** `provisionedKey(function, qualifier)` → config. */
  provisioned: Record<string, ProvisionedConcurrencyConfig>;
}

/** The account-wide limits every service is configured with (LAMBENT_ACCOUNT_CONCURRENCY and friends). */
export interface ConcurrencyLimits {
  accountLimit: number;
  /** Reservations may never leave the unreserved pool smaller than this (Lambda keeps 100). */
  unreservedMinimum: number;
}

export const emptyConcurrencySettings = (): ConcurrencySettings => ({ reserved: {}, provisioned: {} });

export const provisionedKey = (functionName: string, qualifier: string): string => `${functionName}:${qualifier}`;

/** The pool functions without a reservation share: the account limit less every reservation. */
export function unreservedConcurrency(settings: ConcurrencySettings, limits: ConcurrencyLimits): number {
  let reserved = 0;
  for (const count of Object.values(settings.reserved)) reserved += count;
  return limits.accountLimit - reserved;
}

/** Provisioned concurrency summed over one function's versions and aliases. */
export function provisionedTotal(settings: ConcurrencySettings, functionName: string, except?: string): number {
  let total = 0;
  for (const [key, config] of Object.entries(settings.provisioned)) {
    if (config.functionName === functionName && key !== except) total += config.requested;
  }
  return total;
}

/** Sets (or with `undefined`, removes) a function's reservation, keeping the account's rules. */
export function withReservation(
  settings: ConcurrencySettings,
  limits: ConcurrencyLimits,
  functionName: string,
  reserved: number | undefined,
): ConcurrencySettings {
  const next: ConcurrencySettings = { reserved: { ...settings.reserved }, provisioned: settings.provisioned };
  if (reserved === undefined) {
    delete next.reserved[functionName];
    return next;
  }
  next.reserved[functionName] = reserved;
  if (unreservedConcurrency(next, limits) < limits.unreservedMinimum) {
    throw invalidParameter(
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${limits.unreservedMinimum}].`,
    );
  }
  const provisioned = provisionedTotal(next, functionName);
  if (reserved < provisioned) {
    throw invalidParameter(
      `ReservedConcurrentExecutions ${reserved} should not be lower than function's total provisioned concurrency [${provisioned}].`,
    );
  }
  return next;
}

/** Provisioned concurrency of the functions without a reservation: it comes out of the shared pool. */
export function unreservedProvisioned(settings: ConcurrencySettings): number {
  let total = 0;
  for (const config of Object.values(settings.provisioned)) {
    if (settings.reserved[config.functionName] === undefined) total += config.requested;
  }
  return total;
}

/** Sets (or with `undefined`, removes) a provisioned concurrency config, keeping the account's rules. */
export function withProvisioned(
  settings: ConcurrencySettings,
  limits: ConcurrencyLimits,
  config: ProvisionedConcurrencyConfig | { functionName: string; qualifier: string; requested: undefined },
): ConcurrencySettings {
  const key = provisionedKey(config.functionName, config.qualifier);
  const next: ConcurrencySettings = { reserved: settings.reserved, provisioned: { ...settings.provisioned } };
  if (config.requested === undefined) {
    delete next.provisioned[key];
    return next;
  }
  next.provisioned[key] = config as ProvisionedConcurrencyConfig;
  const total = provisionedTotal(next, config.functionName);
  const reservation = settings.reserved[config.functionName];
  if (reservation !== undefined) {
    if (total > reservation) {
      throw invalidParameter(
        `Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function [${reservation}].`,
      );
    }
    return next;
  }
  // Provisioned concurrency of unreserved functions comes out of the shared pool, which keeps its minimum.
  const pooled = unreservedProvisioned(next);
  const available = unreservedConcurrency(settings, limits) - limits.unreservedMinimum;
  if (pooled > available) {
    throw invalidParameter(
      `Requested Provisioned Concurrency exceeds the account's UnreservedConcurrentExecution less its minimum of [${limits.unreservedMinimum}]: at most ${Math.max(0, available - (pooled - config.requested))} can be requested.`,
    );
  }
  return next;
}

/**
 * Drops everything a deleted function (or, with a qualifier, a deleted version or alias) had. Answers
 * `settings` itself when there is nothing to drop, so ConcurrencyStore.update writes nothing.
 */
export function withoutFunction(settings: ConcurrencySettings, functionName: string, qualifier?: string): ConcurrencySettings {
  const next: ConcurrencySettings = { reserved: { ...settings.reserved }, provisioned: {} };
  let dropped = false;
  if (qualifier === undefined && functionName in next.reserved) {
    delete next.reserved[functionName];
    dropped = true;
  }
  for (const [key, config] of Object.entries(settings.provisioned)) {
    const gone = config.functionName === functionName && (qualifier === undefined || config.qualifier === qualifier);
    if (gone) dropped = true;
    else next.provisioned[key] = config;
  }
  return dropped ? next : settings;
}

const decoder = new TextDecoder();

/** Parses the stored document; anything malformed in it is left out rather than trusted. */
export function decodeConcurrencySettings(value: Uint8Array): ConcurrencySettings {
  const settings = emptyConcurrencySettings();
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(value));
  } catch {
    return settings;
  }
  if (!isRecord(parsed)) return settings;
  if (isRecord(parsed["reserved"])) {
    for (const [name, count] of Object.entries(parsed["reserved"])) {
      if (Number.isInteger(count) && (count as number) >= 0) settings.reserved[name] = count as number;
    }
  }
  if (isRecord(parsed["provisioned"])) {
    for (const config of Object.values(parsed["provisioned"])) {
      if (
        isRecord(config) &&
        typeof config["functionName"] === "string" &&
        typeof config["qualifier"] === "string" &&
        Number.isInteger(config["requested"]) &&
        (config["requested"] as number) >= 1 &&
        typeof config["lastModified"] === "string"
      ) {
        // Keyed as provisionedKey spells it, whatever key the document used, so lookups find it.
        settings.provisioned[provisionedKey(config["functionName"], config["qualifier"])] = {
          functionName: config["functionName"],
          qualifier: config["qualifier"],
          requested: config["requested"] as number,
          lastModified: config["lastModified"],
        };
      }
    }
  }
  return settings;
}

/** Reads and changes the settings document by compare-and-set. */
export class ConcurrencyStore {
  constructor(
    private readonly kv: KV,
    private readonly writes: ObservedWrites,
  ) {}

  async read(): Promise<ConcurrencySettings> {
    const entry = await this.kv.get(CONCURRENCY_SETTINGS_KEY);
    // A deleted document reads as empty settings.
    return entry?.operation === "PUT" ? decodeConcurrencySettings(entry.value) : emptyConcurrencySettings();
  }

  /**
   * Read-modify-write: `change` sees the current settings and returns the new ones (or throws a
   * LambdaError); a concurrent writer makes it run again on the newer document. Returning `current`
   * itself means "no change" and writes nothing.
   */
  async update(change: (current: ConcurrencySettings) => ConcurrencySettings): Promise<ConcurrencySettings> {
    const { previous, written } = await updateByRevision(this.writes, CONCURRENCY_SETTINGS_KEY, { decode: (_key, value) => decodeConcurrencySettings(value) }, (current) => {
      // A deleted document reads as empty settings.
      const settings = current ?? emptyConcurrencySettings();
      const next = change(settings);
      return next === settings ? undefined : next;
    });
    return written ?? previous ?? emptyConcurrencySettings();
  }
}
