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

/** The answer of both usage calls: every function, or the one asked for, and their sum. */
export interface UsageReport extends UsageFigures {
  Functions: FunctionUsage[];
  Prices: { PerMillionRequests: number; PerGbSecond: number };
}
