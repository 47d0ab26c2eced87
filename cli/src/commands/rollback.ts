// `lambent rollback`: move an alias back to the version it pointed at before its last move.
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, FUNCTION_OPTION, FUNCTION_USAGE, parseCommandArgs, splitFunctionName, withFunctionName, type CliIo, type Command } from "../command.js";
import { writeJson, writeLine } from "../output.js";
import { describeRouting } from "./alias.js";

export const rollbackCommand: Command = {
  name: "rollback",
  summary: "move an alias back to its previous version",
  usage: `Usage: lambent rollback <name> <alias> [options]

Reads the alias and moves it back to its PreviousVersion, the version it pointed at before its last
move, sending all of its traffic there (weighted routing is turned off). The move is conditional on the
alias's RevisionId, so it fails with PreconditionFailedException if someone moved the alias meanwhile.
Prints "<alias>: <from> → <to>". Rolling back twice returns to where it started.

Options:
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, prints the updated AliasConfiguration.

${COMMON_USAGE}`,
  run: runRollback,
};

export async function runRollback(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, FUNCTION_OPTION, io, withFunctionName(1));
  if (common.help) {
    io.stdout.write(`${rollbackCommand.usage}\n`);
    return 0;
  }
  const { functionName, rest } = splitFunctionName(positionals, 1, values.function, io.env);
  const aliasName = rest[0]!;
  const client = createApiClient(common.endpoint);
  const current = await client.getAlias(functionName, aliasName);
  const previous = current.PreviousVersion;
  if (typeof previous !== "string" || previous === "") {
    throw new Error(`alias ${aliasName} of ${functionName} has no previous version to roll back to (it is on ${current.FunctionVersion})`);
  }
  const updated = await client.updateAlias(functionName, aliasName, {
    FunctionVersion: previous,
    RoutingConfig: { AdditionalVersionWeights: {} },
    ...(current.RevisionId === undefined ? {} : { RevisionId: current.RevisionId }),
  });
  if (common.json) writeJson(io.stdout, updated);
  else writeLine(io.stdout, `${updated.Name}: ${describeRouting(current)} → ${describeRouting(updated)}`);
  return 0;
}
