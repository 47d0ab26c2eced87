// `lambent tags`: show, add or remove a function's tags (TagResource, UntagResource, ListTags on its ARN).
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, FUNCTION_OPTION, FUNCTION_USAGE, UsageError, parseCommandArgs, splitFunctionName, withFunctionName, type CliIo, type Command } from "../command.js";
import { formatFields, writeJson } from "../output.js";

const OPTIONS = { ...FUNCTION_OPTION, set: { type: "string", multiple: true }, remove: { type: "string", multiple: true } } as const;

export const tagsCommand: Command = {
  name: "tags",
  summary: "show, add or remove a function's tags",
  usage: `Usage: lambent tags <name> [--set KEY=VALUE]... [--remove KEY]... [options]

Shows the function's tags; --set adds a tag or changes its value, --remove removes one (a key the
function does not have is ignored). Tags belong to the function: its versions and aliases share them.

Options:
  --set KEY=VALUE      add or change a tag; repeat for more
  --remove KEY         remove a tag; repeat for more
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, prints ListTags' answer {"Tags": {…}} after the changes.

${COMMON_USAGE}`,
  run: runTags,
};

export async function runTags(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${tagsCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const set: Record<string, string> = {};
  for (const pair of values.set ?? []) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new UsageError(`--set takes KEY=VALUE, got '${pair}'`);
    set[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  const removed = values.remove ?? [];
  const client = createApiClient(common.endpoint);
  // Tags are kept on the function's ARN, which GetFunction names.
  const arn = (await client.getFunction(functionName)).Configuration.FunctionArn;
  if (Object.keys(set).length > 0) await client.tagResource(arn, set);
  if (removed.length > 0) await client.untagResource(arn, removed);
  const tags = await client.listTags(arn);
  if (common.json) writeJson(io.stdout, tags);
  else if (Object.keys(tags.Tags).length === 0) io.stdout.write(`${functionName}: no tags\n`);
  else io.stdout.write(formatFields(Object.entries(tags.Tags).sort(([a], [b]) => (a < b ? -1 : 1))));
  return 0;
}
