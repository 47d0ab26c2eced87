// `lambent queue`: what a function's asynchronous event queue holds now and what became of its events.
import { createApiClient } from "@lambent/app-deploy";
import {
  COMMON_USAGE,
  FUNCTION_OPTION,
  FUNCTION_USAGE,
  parseCommandArgs,
  splitFunctionName,
  withFunctionName,
  type CliIo,
  type Command,
} from "../command.js";
import { formatFields, writeJson } from "../output.js";

export const queueCommand: Command = {
  name: "queue",
  summary: "show a function's asynchronous event queue",
  usage: `Usage: lambent queue <name> [options]

Shows how many events of the function wait or run now (Depth, retries waiting out their delay included),
how old the oldest is, and how many so far succeeded, were retried, went to the dead-letter target or
on-failure destination, or were dropped for their age.

Options:
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, prints {"FunctionName", "Depth", "OldestEventAgeMs", "Succeeded", "Retried", "DeadLettered", "DroppedForAge"}.

${COMMON_USAGE}`,
  run: runQueue,
};

export async function runQueue(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, FUNCTION_OPTION, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${queueCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const stats = await createApiClient(common.endpoint).getQueueStats(functionName);
  if (common.json) {
    writeJson(io.stdout, stats);
    return 0;
  }
  io.stdout.write(
    formatFields([
      ["Function", stats.FunctionName],
      ["Depth", stats.Depth],
      ["OldestEventAge", `${stats.OldestEventAgeMs} ms`],
      ["Succeeded", stats.Succeeded],
      ["Retried", stats.Retried],
      ["DeadLettered", stats.DeadLettered],
      ["DroppedForAge", stats.DroppedForAge],
    ]),
  );
  return 0;
}
