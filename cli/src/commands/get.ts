// `lambent get`: one function's configuration (GetFunction).
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { formatFields, writeJson } from "../output.js";

const OPTIONS = { qualifier: { type: "string" } } as const;

export const getCommand: Command = {
  name: "get",
  summary: "show a function's configuration",
  usage: `Usage: lambent get <name> [options]

Options:
  --qualifier Q        version or alias (default: $LATEST)

${COMMON_USAGE}`,
  run: runGet,
};

export async function runGet(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, 1);
  if (common.help) {
    io.stdout.write(`${getCommand.usage}\n`);
    return 0;
  }
  const response = await createApiClient(common.endpoint).getFunction(positionals[0]!, values.qualifier);
  if (common.json) {
    writeJson(io.stdout, response);
    return 0;
  }
  const fn = response.Configuration;
  const variables = Object.entries(fn.Environment?.Variables ?? {});
  io.stdout.write(
    formatFields([
      ["Name", fn.FunctionName],
      ["ARN", fn.FunctionArn],
      ["Version", fn.Version],
      ["Description", fn.Description],
      ["Runtime", fn.Runtime],
      ["Handler", fn.Handler],
      ["Memory", fn.MemorySize === undefined ? undefined : `${fn.MemorySize} MB`],
      ["Timeout", fn.Timeout === undefined ? undefined : `${fn.Timeout} s`],
      ["CodeSize", fn.CodeSize === undefined ? undefined : `${fn.CodeSize} bytes`],
      ["CodeSha256", fn.CodeSha256],
      ["LastModified", fn.LastModified],
      ["State", fn.State],
      ["LastUpdateStatus", fn.LastUpdateStatus],
      ["RevisionId", fn.RevisionId],
      ["ReservedConcurrency", response.Concurrency?.ReservedConcurrentExecutions],
      ["DeadLetterTarget", fn.DeadLetterConfig?.TargetArn],
      ["Environment", variables.length === 0 ? undefined : variables.map(([key, value]) => `${key}=${value}`).join(" ")],
    ]),
  );
  return 0;
}
