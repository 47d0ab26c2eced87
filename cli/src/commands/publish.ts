// `lambent publish`: freeze $LATEST's code and configuration into a new numbered version (PublishVersion).
import type { PublishVersionRequest } from "@lambent/lambda-api";
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, FUNCTION_OPTION, FUNCTION_USAGE, parseCommandArgs, splitFunctionName, withFunctionName, type CliIo, type Command } from "../command.js";
import { writeJson, writeLine } from "../output.js";

const OPTIONS = {
  ...FUNCTION_OPTION,
  description: { type: "string" },
  "code-sha256": { type: "string" },
  "revision-id": { type: "string" },
} as const;

export const publishCommand: Command = {
  name: "publish",
  summary: "publish $LATEST as a new immutable version",
  usage: `Usage: lambent publish <name> [options]

Publishes the function's current code and configuration ($LATEST) as a new numbered version and prints
its number. When nothing changed since the last version, the server answers that version instead.

Options:
  --description D      the version's description
  --code-sha256 SHA    publish only if $LATEST's CodeSha256 is SHA (else PreconditionFailedException)
  --revision-id R      publish only if $LATEST's RevisionId is R (else PreconditionFailedException)
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, prints the version's FunctionConfiguration.

${COMMON_USAGE}`,
  run: runPublish,
};

export async function runPublish(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${publishCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const request: PublishVersionRequest = {};
  if (values.description !== undefined) request.Description = values.description;
  if (values["code-sha256"] !== undefined) request.CodeSha256 = values["code-sha256"];
  if (values["revision-id"] !== undefined) request.RevisionId = values["revision-id"];

  const version = await createApiClient(common.endpoint).publishVersion(functionName, request);
  if (common.json) {
    writeJson(io.stdout, version);
  } else {
    writeLine(io.stdout, `published version ${version.Version ?? "?"} of ${version.FunctionName}`);
    if (version.CodeSha256 !== undefined) writeLine(io.stdout, `  CodeSha256: ${version.CodeSha256}`);
  }
  return 0;
}
