// `lambent permission`: a function's resource-based policy — show it, add a statement, remove one.
import type { AddPermissionRequest } from "@lambent/lambda-api";
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, FUNCTION_OPTION, FUNCTION_USAGE, UsageError, parseCommandArgs, splitFunctionName, withFunctionName, type CliIo, type Command } from "../command.js";
import { writeJson, writeLine } from "../output.js";

const OPTIONS = {
  ...FUNCTION_OPTION,
  qualifier: { type: "string" },
  add: { type: "string" },
  remove: { type: "string" },
  principal: { type: "string" },
  action: { type: "string" },
  "source-arn": { type: "string" },
  "source-account": { type: "string" },
} as const;

export const permissionCommand: Command = {
  name: "permission",
  summary: "show, add or remove statements of a function's resource-based policy",
  usage: `Usage: lambent permission <name> [--qualifier Q]
       lambent permission <name> [--qualifier Q] --add ID --principal P [--action A] [--source-arn ARN] [--source-account ACCOUNT]
       lambent permission <name> [--qualifier Q] --remove ID

Without --add or --remove, prints the policy of the function (or of version or alias Q) as JSON. --add
adds statement ID allowing principal P ("*", an account id, an IAM ARN or a service such as
s3.amazonaws.com) action A (default lambda:InvokeFunction); --remove removes statement ID. The policy is
kept for callers' access checks.

Options:
  --qualifier Q           a published version or an alias; the function's own policy without it
  --add ID                add a statement with this id
  --principal P           who the statement allows
  --action A              what it allows (default lambda:InvokeFunction)
  --source-arn ARN        only calls on behalf of this resource
  --source-account ID     only calls on behalf of this account
  --remove ID             remove the statement with this id
  --function NAME         the function, instead of <name>

${FUNCTION_USAGE}
With --json, --add prints AddPermission's answer, --remove {"FunctionName", "StatementId", "Removed": true}.

${COMMON_USAGE}`,
  run: runPermission,
};

export async function runPermission(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${permissionCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const qualifier = values.qualifier;
  if (values.add !== undefined && values.remove !== undefined) throw new UsageError("--add and --remove cannot be combined");
  const client = createApiClient(common.endpoint);

  if (values.remove !== undefined) {
    await client.removePermission(functionName, values.remove, qualifier);
    if (common.json) writeJson(io.stdout, { FunctionName: functionName, StatementId: values.remove, Removed: true });
    else writeLine(io.stdout, `removed statement ${values.remove} from the policy of ${functionName}${qualifier ? `:${qualifier}` : ""}`);
    return 0;
  }
  if (values.add !== undefined) {
    if (values.principal === undefined) throw new UsageError("--add needs --principal");
    const request: AddPermissionRequest = { StatementId: values.add, Principal: values.principal, Action: values.action ?? "lambda:InvokeFunction" };
    if (values["source-arn"] !== undefined) request.SourceArn = values["source-arn"];
    if (values["source-account"] !== undefined) request.SourceAccount = values["source-account"];
    const added = await client.addPermission(functionName, qualifier, request);
    if (common.json) writeJson(io.stdout, added);
    else writeLine(io.stdout, added.Statement);
    return 0;
  }
  const policy = await client.getPolicy(functionName, qualifier);
  if (common.json) writeJson(io.stdout, policy);
  else writeJson(io.stdout, JSON.parse(policy.Policy) as unknown);
  return 0;
}
