// Lambent's usage report: requests, billed duration and GB-seconds per function and version, priced.

export interface UsageFigures {
  Requests: number;
  BilledDurationMs: number;
  GbSeconds: number;
  /** Dollars, at the prices in the report. */
  EstimatedCost: number;
}

export interface VersionUsage extends UsageFigures {
  Version: string;
}

export interface FunctionUsage extends UsageFigures {
  FunctionName: string;
  /** `$LATEST` first, then published versions; only versions that ran. */
  Versions: VersionUsage[];
}

/** One UTC day of a period's usage, for a chart. */
export interface DailyUsage extends UsageFigures {
  /** `YYYY-MM-DD`. */
  Date: string;
}

/** What the usage calls take: a period (ISO 8601, or epoch seconds or milliseconds); neither means all time. */
export interface UsagePeriodQuery {
  Start?: string;
  End?: string;
}

/**
 * The answer of both usage calls: every function, or the one asked for, and their sum. With a period, its
 * bounds (widened to whole UTC hours, the buckets' size) and the sum per UTC day; without one, everything
 * since metering began.
 */
export interface UsageReport extends UsageFigures {
  Functions: FunctionUsage[];
  Prices: { PerMillionRequests: number; PerGbSecond: number };
  Period?: { Start: string; End: string };
  Daily?: DailyUsage[];
}
