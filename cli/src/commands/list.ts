// `lambent list`: every function, following ListFunctions' NextMarker until the last page.
import { collectPages, createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { formatTable, writeJson, writeLine } from "../output.js";

export const listCommand: Command = {
  name: "list",
  summary: "list functions",
  usage: `Usage: lambent list [options]

Lists every function (all pages). With --json, prints {"Functions": [...]}.

${COMMON_USAGE}`,
  run: runList,
};

export async function runList(args: string[], io: CliIo): Promise<number> {
  const { common } = parseCommandArgs(args, {}, io, 0);
  if (common.help) {
    io.stdout.write(`${listCommand.usage}\n`);
    return 0;
  }
  const client = createApiClient(common.endpoint);
  const functions = await collectPages((marker) => client.listFunctions(marker), (page) => page.Functions);

  if (common.json) {
    writeJson(io.stdout, { Functions: functions });
  } else if (functions.length === 0) {
    writeLine(io.stdout, "no functions");
  } else {
    const rows = functions.map((fn) => [
      fn.FunctionName,
      fn.Runtime ?? "",
      fn.MemorySize === undefined ? "" : `${fn.MemorySize} MB`,
      fn.Timeout === undefined ? "" : `${fn.Timeout} s`,
      fn.LastModified ?? "",
    ]);
    io.stdout.write(formatTable(["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "LAST MODIFIED"], rows));
  }
  return 0;
}
