// `lambent usage`: requests, billed duration, GB-seconds and estimated cost per function and version, for
// all time or a period.
import type { UsageFigures, UsagePeriodQuery } from "@lambent/lambda-api";
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { formatTable, writeJson, writeLine } from "../output.js";
import { resolveUsageTime } from "../usage-period.js";

const OPTIONS = {
  since: { type: "string" },
  until: { type: "string" },
} as const;

export const usageCommand: Command = {
  name: "usage",
  summary: "show requests, GB-seconds and estimated cost",
  usage: `Usage: lambent usage [name] [--since T [--until T]]

Shows, for every function (or the one named) and each of its versions that ran: requests, billed
duration, GB-seconds (memory in GB x billed seconds) and the estimated cost at the cluster's prices
(LAMBENT_PRICE_PER_MILLION_REQUESTS, LAMBENT_PRICE_PER_GB_SECOND); since metering began, or in a period.

Options:
  --since T            from this far back (30m, 24h, 7d), the start of this UTC month (month), or this
                       ISO 8601 time or epoch seconds or milliseconds; widened to whole UTC hours
  --until T            up to this time, written the same way (default: now); needs --since

A period is at most 93 days and reaches back as far as the cluster keeps hourly usage
(LAMBENT_USAGE_RETENTION_DAYS, 90 by default).

With --json, prints {"Functions": [{"FunctionName", "Versions": [...], "Requests", "BilledDurationMs", "GbSeconds",
"EstimatedCost"}], "Requests", "BilledDurationMs", "GbSeconds", "EstimatedCost", "Prices"}, and with a period
"Period": {"Start", "End"} and "Daily": [{"Date", "Requests", ...}] too.

${COMMON_USAGE}`,
  run: runUsage,
};

export async function runUsage(args: string[], io: CliIo): Promise<number> {
  const { positionals, values, common } = parseCommandArgs(args, OPTIONS, io, { min: 0, max: 1 });
  if (common.help) {
    io.stdout.write(`${usageCommand.usage}\n`);
    return 0;
  }
  if (values.until !== undefined && values.since === undefined) throw new UsageError("--until needs --since");
  const now = Date.now();
  const period: UsagePeriodQuery = {};
  if (values.since !== undefined) period.Start = resolveUsageTime("--since", values.since, now);
  if (values.until !== undefined) period.End = resolveUsageTime("--until", values.until, now);
  const report = await createApiClient(common.endpoint).getUsage(positionals[0], period);
  if (common.json) {
    writeJson(io.stdout, report);
    return 0;
  }
  const cells = (usage: UsageFigures): string[] => [
    String(usage.Requests),
    String(usage.BilledDurationMs),
    usage.GbSeconds.toFixed(6),
    `$${usage.EstimatedCost.toFixed(8)}`,
  ];
  const rows: string[][] = [];
  for (const fn of report.Functions) {
    rows.push([fn.FunctionName, "(all)", ...cells(fn)]);
    for (const version of fn.Versions) rows.push(["", version.Version, ...cells(version)]);
  }
  if (report.Functions.length > 1) rows.push(["TOTAL", "", ...cells(report)]);
  if (report.Period) writeLine(io.stdout, `Period: ${report.Period.Start} to ${report.Period.End}`);
  io.stdout.write(formatTable(["FUNCTION", "VERSION", "REQUESTS", "BILLED MS", "GB-SECONDS", "EST. COST"], rows));
  writeLine(io.stdout, `Prices: $${report.Prices.PerMillionRequests} per million requests, $${report.Prices.PerGbSecond} per GB-second`);
  return 0;
}
