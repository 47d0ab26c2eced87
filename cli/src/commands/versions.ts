// `lambent versions`: a function's versions, following ListVersionsByFunction's NextMarker to the last page.
import { collectPages, createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, FUNCTION_OPTION, FUNCTION_USAGE, parseCommandArgs, splitFunctionName, withFunctionName, type CliIo, type Command } from "../command.js";
import { formatTable, writeJson, writeLine } from "../output.js";

export const versionsCommand: Command = {
  name: "versions",
  summary: "list a function's versions",
  usage: `Usage: lambent versions <name> [options]

Lists every version of the function ($LATEST and the published ones, all pages).

Options:
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, prints {"Versions": [...]}.

${COMMON_USAGE}`,
  run: runVersions,
};

export async function runVersions(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, FUNCTION_OPTION, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${versionsCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const client = createApiClient(common.endpoint);
  const versions = await collectPages((marker) => client.listVersionsByFunction(functionName, marker), (page) => page.Versions);

  if (common.json) {
    writeJson(io.stdout, { Versions: versions });
  } else if (versions.length === 0) {
    writeLine(io.stdout, `no versions of ${functionName}`);
  } else {
    const rows = versions.map((version) => [
      version.Version ?? "",
      version.CodeSha256 ?? "",
      version.LastModified ?? "",
      version.Description ?? "",
    ]);
    io.stdout.write(formatTable(["VERSION", "CODE SHA256", "LAST MODIFIED", "DESCRIPTION"], rows));
  }
  return 0;
}
