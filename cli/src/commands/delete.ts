// `lambent delete`: remove a function (or, with a qualifier, one of its versions).
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { writeJson, writeLine } from "../output.js";

const OPTIONS = { qualifier: { type: "string" } } as const;

export const deleteCommand: Command = {
  name: "delete",
  summary: "delete a function, or one of its versions",
  usage: `Usage: lambent delete <name> [options]

Options:
  --qualifier N        delete only version N, not the whole function with all its versions and
                       aliases (a version an alias routes to cannot be deleted)

With --json, prints {"FunctionName": ..., "Deleted": true}.

${COMMON_USAGE}`,
  run: runDelete,
};

export async function runDelete(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, 1);
  if (common.help) {
    io.stdout.write(`${deleteCommand.usage}\n`);
    return 0;
  }
  const name = positionals[0]!;
  await createApiClient(common.endpoint).deleteFunction(name, values.qualifier);
  if (common.json) writeJson(io.stdout, { FunctionName: name, Qualifier: values.qualifier, Deleted: true });
  else writeLine(io.stdout, `deleted function ${name}${values.qualifier === undefined ? "" : `:${values.qualifier}`}`);
  return 0;
}
