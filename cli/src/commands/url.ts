// `lambent url`: show, create, change or remove a function's URL (Lambda's FunctionUrlConfig), served by
// the frontend at <endpoint>/lambent-url/<url id>/.
import type { FunctionUrlConfigRequest, FunctionUrlConfigResponse } from "@lambent/lambda-api";
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
import { formatFields, writeJson, writeLine } from "../output.js";

const OPTIONS = {
  ...FUNCTION_OPTION,
  qualifier: { type: "string" },
  create: { type: "boolean", default: false },
  delete: { type: "boolean", default: false },
  "cors-origin": { type: "string", multiple: true },
  "auth-type": { type: "string" },
} as const;

export const urlCommand: Command = {
  name: "url",
  summary: "show, create, change or remove a function URL",
  usage: `Usage: lambent url <name> [--qualifier Q]
       lambent url <name> [--qualifier Q] --create [--auth-type NONE|AWS_IAM] [--cors-origin ORIGIN]...
       lambent url <name> [--qualifier Q] [--auth-type NONE|AWS_IAM] [--cors-origin ORIGIN]...
       lambent url <name> [--qualifier Q] --delete

Without a flag, shows the function URL of $LATEST (or of alias Q). --create gives it one (AuthType NONE
unless --auth-type says AWS_IAM: requests must then be signed with SigV4 by a key in the frontend's
LAMBENT_ACCESS_KEYS). Without --create, --auth-type and --cors-origin change an existing URL: the auth
type, and the CORS settings replaced with the origins given.

Options:
  --qualifier Q         $LATEST (the default) or an alias
  --create              create the URL
  --delete              remove the URL; requests to it get 404 from then on
  --auth-type T         NONE (anyone may call) or AWS_IAM (SigV4-signed requests only)
  --cors-origin ORIGIN  an origin browsers may call the URL from ('*' for any); repeat for more
  --function NAME       the function, instead of <name>

${FUNCTION_USAGE}
With --json, show, create and change print the FunctionUrlConfig, --delete prints
{"FunctionName", "Qualifier", "Deleted": true}.

${COMMON_USAGE}`,
  run: runUrl,
};

export async function runUrl(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${urlCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const qualifier = values.qualifier;
  if (qualifier === "") throw new UsageError("--qualifier is empty");
  const create = values.create === true;
  const remove = values.delete === true;
  const origins = values["cors-origin"];
  const authType = values["auth-type"];
  if (authType !== undefined && authType !== "NONE" && authType !== "AWS_IAM") throw new UsageError(`--auth-type must be NONE or AWS_IAM, got '${authType}'`);
  if (create && remove) throw new UsageError("--create and --delete cannot be combined");
  if (remove && (origins !== undefined || authType !== undefined)) throw new UsageError("--delete cannot be combined with --cors-origin or --auth-type");
  const client = createApiClient(common.endpoint);

  if (remove) {
    await client.deleteFunctionUrlConfig(functionName, qualifier);
    if (common.json) writeJson(io.stdout, { FunctionName: functionName, Qualifier: qualifier ?? "$LATEST", Deleted: true });
    else writeLine(io.stdout, `deleted the function URL of ${functionName}:${qualifier ?? "$LATEST"}`);
    return 0;
  }
  const request: FunctionUrlConfigRequest = {
    ...(authType === undefined ? {} : { AuthType: authType }),
    ...(origins === undefined ? {} : { Cors: { AllowOrigins: origins } }),
  };
  const config = create
    ? await client.createFunctionUrlConfig(functionName, qualifier, { AuthType: "NONE", ...request })
    : Object.keys(request).length > 0
      ? await client.updateFunctionUrlConfig(functionName, qualifier, request)
      : await client.getFunctionUrlConfig(functionName, qualifier);
  if (common.json) writeJson(io.stdout, config);
  else io.stdout.write(describeFunctionUrlConfig(config));
  return 0;
}

/** AuthType and InvokeMode are read as text, so a value this CLI does not know still prints. */
export function describeFunctionUrlConfig(
  config: Omit<FunctionUrlConfigResponse, "AuthType" | "InvokeMode"> & { AuthType: string; InvokeMode?: string },
): string {
  return formatFields([
    ["FunctionUrl", config.FunctionUrl],
    ["FunctionArn", config.FunctionArn],
    ["AuthType", config.AuthType],
    ["CorsOrigins", config.Cors?.AllowOrigins?.join(", ") ?? "none"],
    ["InvokeMode", config.InvokeMode],
    ["CreationTime", config.CreationTime],
    ["LastModifiedTime", config.LastModifiedTime],
  ]);
}
