// `lambent concurrency`: show, set or remove a function's reserved concurrency.
import { createApiClient } from "@lambent/app-deploy";
import {
  COMMON_USAGE,
  FUNCTION_OPTION,
  FUNCTION_USAGE,
  UsageError,
  parseCommandArgs,
  parseWholeNumber,
  splitFunctionName,
  withFunctionName,
  type CliIo,
  type Command,
} from "../command.js";
import { writeJson, writeLine } from "../output.js";

const OPTIONS = { ...FUNCTION_OPTION, reserved: { type: "string" }, delete: { type: "boolean", default: false } } as const;

export const concurrencyCommand: Command = {
  name: "concurrency",
  summary: "show, set or remove a function's reserved concurrency",
  usage: `Usage: lambent concurrency <name> [--reserved N | --delete] [options]

Without --reserved or --delete, shows the function's reserved concurrency.

Options:
  --reserved N         reserve N concurrent executions for the function: at most N of its calls run at
                       once, and no other function can use them. 0 throttles every call. They come out
                       of the account's unreserved pool, which keeps its minimum (see lambent account)
  --delete             remove the reservation: the function shares the unreserved pool again
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, show and --reserved print {"ReservedConcurrentExecutions": N} (or {} without a
reservation), --delete prints {"FunctionName", "Deleted": true}.

${COMMON_USAGE}`,
  run: runConcurrency,
};

export async function runConcurrency(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${concurrencyCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const reserved = parseWholeNumber("reserved", values.reserved);
  if (reserved !== undefined && values.delete === true) throw new UsageError("--reserved and --delete cannot be combined");
  const client = createApiClient(common.endpoint);

  if (values.delete === true) {
    await client.deleteFunctionConcurrency(functionName);
    if (common.json) writeJson(io.stdout, { FunctionName: functionName, Deleted: true });
    else writeLine(io.stdout, `${functionName}: reservation removed, it shares the unreserved pool`);
    return 0;
  }
  const concurrency =
    reserved === undefined ? await client.getFunctionConcurrency(functionName) : await client.putFunctionConcurrency(functionName, reserved);
  if (common.json) writeJson(io.stdout, concurrency);
  else if (concurrency.ReservedConcurrentExecutions === undefined) writeLine(io.stdout, `${functionName}: no reserved concurrency, it shares the unreserved pool`);
  else writeLine(io.stdout, `${functionName}: ${concurrency.ReservedConcurrentExecutions} reserved`);
  return 0;
}
