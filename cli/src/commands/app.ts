// `lambent app list|delete`: the applications (stacks) deployed from templates. A template deploy tags
// each function it makes with `lambent:stack`, so a stack is found by its functions' tags; deleting it
// removes those functions (their routes, URLs and permissions go with them) and the triggers that invoke
// them, and nothing else.
import { createApiClient } from "../api-client.js";
import { removeStackFunction, stackFunctions } from "../applications.js";
import { COMMON_USAGE, UsageError, parseCommandArgs, runSubcommand, type CliIo, type Command, type Subcommands } from "../command.js";
import { formatTable, writeJson, writeLine } from "../output.js";

const VALUE_OPTIONS = new Set(["--endpoint"]);

export const appCommand: Command = {
  name: "app",
  summary: "list and delete applications deployed from templates",
  usage: `Usage: lambent app <list|delete> ... [options]

  lambent app list
      Every application (stack) deployed with lambent deploy <template>, with its functions.
  lambent app delete <stack>
      Deletes the stack's functions (with their versions, aliases, routes, URLs and permissions) and the
      triggers that invoke them. Functions of other stacks, and functions not deployed from a template,
      are left alone.

With --json, list prints {"Applications": [{"StackName", "Functions": [{"FunctionName", "LogicalId"}]}]}
and delete prints {"StackName", "DeletedFunctions", "DeletedTriggers"}.

${COMMON_USAGE}`,
  run: runApp,
};

const SUBCOMMANDS: Subcommands = {
  list: runAppList,
  delete: runAppDelete,
};

export function runApp(args: string[], io: CliIo): Promise<number> {
  return runSubcommand(appCommand, SUBCOMMANDS, VALUE_OPTIONS, args, io);
}

async function runAppList(args: string[], io: CliIo): Promise<number> {
  const { common } = parseCommandArgs(args, {}, io, 0);
  if (common.help) return help(io);
  const found = [...(await stackFunctions(createApiClient(common.endpoint)))].sort(([a], [b]) => (a < b ? -1 : 1));
  if (common.json) {
    writeJson(io.stdout, { Applications: found.map(([StackName, Functions]) => ({ StackName, Functions })) });
    return 0;
  }
  if (found.length === 0) {
    writeLine(io.stdout, "no applications: deploy one with lambent deploy <template.yaml>");
    return 0;
  }
  io.stdout.write(formatTable(["STACK", "FUNCTION", "LOGICAL ID"], found.flatMap(([stack, functions]) => functions.map((fn) => [stack, fn.FunctionName, fn.LogicalId]))));
  return 0;
}

async function runAppDelete(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, 1);
  if (common.help) return help(io);
  const stackName = positionals[0]!;
  const client = createApiClient(common.endpoint);
  const functions = (await stackFunctions(client)).get(stackName);
  if (functions === undefined) throw new UsageError(`no application named '${stackName}': lambent app list shows them`);
  const deletedTriggers: string[] = [];
  for (const { FunctionName } of functions) deletedTriggers.push(...(await removeStackFunction(client, FunctionName)));
  const deletedFunctions = functions.map((fn) => fn.FunctionName);
  if (common.json) writeJson(io.stdout, { StackName: stackName, DeletedFunctions: deletedFunctions, DeletedTriggers: deletedTriggers });
  else {
    writeLine(io.stdout, `deleted application ${stackName}: ${deletedFunctions.length} function${deletedFunctions.length === 1 ? "" : "s"}, ${deletedTriggers.length} trigger${deletedTriggers.length === 1 ? "" : "s"}`);
    for (const name of deletedFunctions) writeLine(io.stdout, `  deleted function ${name}`);
    for (const name of deletedTriggers) writeLine(io.stdout, `  deleted trigger ${name}`);
  }
  return 0;
}

function help(io: CliIo): Promise<number> {
  io.stdout.write(`${appCommand.usage}\n`);
  return Promise.resolve(0);
}
