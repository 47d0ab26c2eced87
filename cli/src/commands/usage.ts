// `lambent usage`: requests, billed duration, GB-seconds and estimated cost per function and version.
import type { UsageFigures } from "@lambent/lambda-api";
import { createApiClient } from "../api-client.js";
import { COMMON_USAGE, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { formatTable, writeJson, writeLine } from "../output.js";

export const usageCommand: Command = {
  name: "usage",
  summary: "show requests, GB-seconds and estimated cost",
  usage: `Usage: lambent usage [name]

Shows, for every function (or the one named) and each of its versions that ran: requests, billed
duration, GB-seconds (memory in GB x billed seconds) and the estimated cost at the cluster's prices
(LAMBENT_PRICE_PER_MILLION_REQUESTS, LAMBENT_PRICE_PER_GB_SECOND).

With --json, prints {"Functions": [{"FunctionName", "Versions": [...], "Requests", "BilledDurationMs", "GbSeconds",
"EstimatedCost"}], "Requests", "BilledDurationMs", "GbSeconds", "EstimatedCost", "Prices"}.

${COMMON_USAGE}`,
  run: runUsage,
};

export async function runUsage(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, { min: 0, max: 1 });
  if (common.help) {
    io.stdout.write(`${usageCommand.usage}\n`);
    return 0;
  }
  const report = await createApiClient(common.endpoint).getUsage(positionals[0]);
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
  io.stdout.write(formatTable(["FUNCTION", "VERSION", "REQUESTS", "BILLED MS", "GB-SECONDS", "EST. COST"], rows));
  writeLine(io.stdout, `Prices: $${report.Prices.PerMillionRequests} per million requests, $${report.Prices.PerGbSecond} per GB-second`);
  return 0;
}
