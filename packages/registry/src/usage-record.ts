// Metered usage per function version in the functions KV bucket: `usage.<name>.<version token>` holds
// `{"requests", "billedDurationMs", "megabyteMilliseconds"}`, totals since the version's first call.
// Workers add their deltas with compare-and-set; the frontend reads them for the usage report. Integers
// only, so sums never drift: GB-seconds = megabyteMilliseconds / 1024 / 1000.
import { versionFromKeyToken, versionKeyToken } from "./function-name.js";

export interface UsageCounters {
  /** Invocations a worker ran (init failures included), each billed at least 1 ms. */
  requests: number;
  /** Billed duration summed, in milliseconds. */
  billedDurationMs: number;
  /** Memory size (MB) × billed duration (ms), summed. */
  megabyteMilliseconds: number;
}

export const usageKey = (functionName: string, version: string): string => `usage.${functionName}.${versionKeyToken(version)}`;

/** Every usage key of one function (what deleting the function purges). */
export const usageKeysOf = (functionName: string): string => `usage.${functionName}.*`;

/** Every usage key of every function. */
export const USAGE_KEYS = "usage.>";

export function parseUsageKey(key: string): { functionName: string; version: string } | undefined {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[0] !== "usage") return undefined;
  return { functionName: parts[1]!, version: versionFromKeyToken(parts[2]!) };
}

export const emptyUsage = (): UsageCounters => ({ requests: 0, billedDurationMs: 0, megabyteMilliseconds: 0 });

const decoder = new TextDecoder();

/** A stored document; a malformed one (or a field missing) counts as zero rather than failing the read. */
export function decodeUsage(value: Uint8Array | undefined): UsageCounters {
  const usage = emptyUsage();
  if (!value || value.length === 0) return usage;
  try {
    const parsed = JSON.parse(decoder.decode(value)) as Record<string, unknown>;
    for (const name of Object.keys(usage) as (keyof UsageCounters)[]) {
      const field = parsed[name];
      if (typeof field === "number" && Number.isFinite(field)) usage[name] = field;
    }
  } catch {
    // Malformed: reads as zero (see above); the next flush rewrites it whole.
  }
  return usage;
}

export function addUsage(total: UsageCounters, delta: UsageCounters): void {
  total.requests += delta.requests;
  total.billedDurationMs += delta.billedDurationMs;
  total.megabyteMilliseconds += delta.megabyteMilliseconds;
}
