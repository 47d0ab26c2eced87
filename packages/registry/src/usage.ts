// Metered usage per function version: the KV documents workers add to and the usage report reads.
export { type UsageCounters, usageKey, usageKeysOf, USAGE_KEYS, parseUsageKey, emptyUsage, decodeUsage, addUsage } from "./usage-record.js";
export { HOUR_MS, DAY_MS, hourStart, dayStart, usageHourKey, usageDayFilter, parseUsageHourKey, openUsageBucket, readUsageDay } from "./usage-hours.js";
