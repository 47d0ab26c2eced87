// What the Usage page makes of the usage report: each function's cost at the prices shown (the cluster's
// configured prices, or ones typed on the page), costliest first, and their sum; and the period chosen as
// GetUsage's Start and End. Pure, for tests.
import type { UsageFigures, UsagePeriodQuery, UsageReport } from "@lambent/lambda-api";

export interface Prices {
  perMillionRequests: number;
  perGbSecond: number;
}

export interface UsageRow {
  functionName: string;
  requests: number;
  billedDurationMs: number;
  gbSeconds: number;
  cost: number;
}

/** Dollars for `figures` at `prices`: requests per million plus GB-seconds, as the report computes it. */
export function costOf(figures: Pick<UsageFigures, "Requests" | "GbSeconds">, prices: Prices): number {
  return (figures.Requests / 1_000_000) * prices.perMillionRequests + figures.GbSeconds * prices.perGbSecond;
}

/** The functions that ran, costliest first (then by name), with the total over all of them. */
export function usageRowsOf(report: UsageReport, prices: Prices): { rows: UsageRow[]; total: UsageRow } {
  const rows = report.Functions.filter((fn) => fn.Requests > 0)
    .map((fn) => ({ functionName: fn.FunctionName, requests: fn.Requests, billedDurationMs: fn.BilledDurationMs, gbSeconds: fn.GbSeconds, cost: costOf(fn, prices) }))
    .sort((a, b) => b.cost - a.cost || a.functionName.localeCompare(b.functionName));
  const total = { functionName: "Total", requests: report.Requests, billedDurationMs: report.BilledDurationMs, gbSeconds: report.GbSeconds, cost: costOf(report, prices) };
  return { rows, total };
}

/** A price typed on the page: a non-negative decimal, or undefined. */
export function parsePrice(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() !== "" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Dollars with enough digits to show a fraction of a cent. */
export function formatDollars(value: number): string {
  if (value === 0) return "$0";
  if (value >= 0.01) return `$${value.toFixed(2)}`;
  // Three significant digits, written out in full (never 9.96e-7).
  return `$${value.toFixed(Math.min(20, 2 - Math.floor(Math.log10(value))))}`;
}

/** The periods the Usage page offers. */
export const USAGE_PERIODS = [
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "month", label: "This month (UTC)" },
  { value: "all", label: "All time" },
  { value: "custom", label: "Custom range" },
] as const;

export type UsagePeriodChoice = (typeof USAGE_PERIODS)[number]["value"];

/** Custom range: first and last day (`YYYY-MM-DD`, UTC, both included), as the date inputs hold them. */
export interface CustomRange {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/**
 * GetUsage's period for a choice at `now`; undefined while a custom range lacks a day. A custom range ends
 * at the end of its last day; the API checks the rest (an end before the start, a range too long).
 */
export function usagePeriodOf(choice: UsagePeriodChoice, now: number, custom: CustomRange): UsagePeriodQuery | undefined {
  switch (choice) {
    case "24h":
      return { Start: new Date(now - DAY_MS).toISOString() };
    case "7d":
      return { Start: new Date(now - 7 * DAY_MS).toISOString() };
    case "month": {
      const date = new Date(now);
      return { Start: new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)).toISOString() };
    }
    case "all":
      return {};
    case "custom": {
      if (custom.from === "" || custom.to === "") return undefined;
      const to = Date.parse(`${custom.to}T00:00:00Z`);
      return { Start: `${custom.from}T00:00:00Z`, End: Number.isFinite(to) ? new Date(to + DAY_MS).toISOString() : custom.to };
    }
  }
}
