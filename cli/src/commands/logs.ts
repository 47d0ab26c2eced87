// `lambent logs`: a function's log lines (START, its own lines, END, REPORT) since a time, one invocation's
// with --request-id, or followed as new invocations finish with --follow.
import type { LogEventResponse } from "@lambent/lambda-api";
import { createApiClient } from "@lambent/app-deploy";
import {
  COMMON_USAGE,
  FUNCTION_OPTION,
  FUNCTION_USAGE,
  UsageError,
  parseCommandArgs,
  splitFunctionName,
  withFunctionName,
  type CliIo,
  type Command,
} from "../command.js";
import { writeJson, writeLine } from "../output.js";

const OPTIONS = {
  ...FUNCTION_OPTION,
  since: { type: "string" },
  "request-id": { type: "string" },
  limit: { type: "string" },
  follow: { type: "boolean", short: "f", default: false },
} as const;

export const logsCommand: Command = {
  name: "logs",
  summary: "show or follow a function's log",
  usage: `Usage: lambent logs <name> [options]

Prints the function's log lines as Lambda writes them: START, the function's own console lines
(<time>\\t<request id>\\t<LEVEL>\\t<message>), END and REPORT with durations and memory.

Options:
  --since T            from this far back (10m, 2h, 7d) or this ISO 8601 time (default: 10m)
  --request-id ID      only this invocation's lines
  --limit N            at most the N most recent lines (default: 1000; not with --follow)
  -f, --follow         keep printing new lines as invocations finish, until Ctrl-C
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, prints {"FunctionName", "Events": [{"Timestamp", "RequestId", "Version", "LogStreamName", "Message"}]},
or with --follow one such event per line.

${COMMON_USAGE}`,
  run: runLogs,
};

export async function runLogs(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${logsCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a positive integer, got '${values.limit}'`);
  if (limit !== undefined && values.follow) throw new UsageError("--limit does not go with --follow");
  const options = {
    ...(values.since !== undefined ? { since: values.since } : {}),
    ...(values["request-id"] !== undefined ? { requestId: values["request-id"] } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
  const client = createApiClient(common.endpoint);
  const print = (event: LogEventResponse): void => (common.json ? writeLine(io.stdout, JSON.stringify(event)) : writeLine(io.stdout, event.Message));

  if (values.follow) {
    const signal = io.signal ?? new AbortController().signal;
    for await (const event of client.followLogs(functionName, options, signal)) print(event);
    return 0;
  }
  const logs = await client.getLogs(functionName, options);
  if (common.json) writeJson(io.stdout, logs);
  else for (const event of logs.Events) print(event);
  return 0;
}
