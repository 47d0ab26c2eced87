// `lambent account`: the account's limits and usage (GetAccountSettings).
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { formatBytes, formatFields, writeJson } from "../output.js";

export const accountCommand: Command = {
  name: "account",
  summary: "show the account's concurrency and code limits and usage",
  usage: `Usage: lambent account [options]

Prints the account's concurrency limit, the part of it functions without a reservation share (the limit
less every reservation), how many functions there are and how much code they store (every version).

With --json, prints the GetAccountSettings response.

${COMMON_USAGE}`,
  run: runAccount,
};

export async function runAccount(args: string[], io: CliIo): Promise<number> {
  const { common } = parseCommandArgs(args, {}, io, 0);
  if (common.help) {
    io.stdout.write(`${accountCommand.usage}\n`);
    return 0;
  }
  const settings = await createApiClient(common.endpoint).getAccountSettings();
  if (common.json) {
    writeJson(io.stdout, settings);
    return 0;
  }
  const { AccountLimit: limit, AccountUsage: usage } = settings;
  const bytes = (value: number | undefined) => (value === undefined ? undefined : formatBytes(value));
  const stored = bytes(usage.TotalCodeSize);
  io.stdout.write(
    formatFields([
      ["ConcurrentExecutions", limit.ConcurrentExecutions],
      ["UnreservedConcurrentExecutions", limit.UnreservedConcurrentExecutions],
      ["FunctionCount", usage.FunctionCount],
      ["TotalCodeSize", stored === undefined || limit.TotalCodeSize === undefined ? stored : `${stored} of ${formatBytes(limit.TotalCodeSize)}`],
      ["CodeSizeZipped", bytes(limit.CodeSizeZipped)],
      ["CodeSizeUnzipped", bytes(limit.CodeSizeUnzipped)],
    ]),
  );
  return 0;
}
