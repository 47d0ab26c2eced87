// `lambent provisioned`: list, show, set or remove provisioned concurrency of a function's versions and aliases.
import type { ProvisionedConcurrencyConfigListItem, ProvisionedConcurrencyConfiguration } from "@lambent/lambda-api";
import { collectPages, createApiClient } from "@lambent/app-deploy";
import {
  COMMON_USAGE,
  FUNCTION_OPTION,
  FUNCTION_USAGE,
  UsageError,
  parseCommandArgs,
  parsePositiveInteger,
  splitFunctionName,
  withFunctionName,
  type CliIo,
  type Command,
} from "../command.js";
import { formatFields, formatTable, writeJson, writeLine } from "../output.js";

const OPTIONS = {
  ...FUNCTION_OPTION,
  qualifier: { type: "string" },
  count: { type: "string" },
  delete: { type: "boolean", default: false },
} as const;

export const provisionedCommand: Command = {
  name: "provisioned",
  summary: "list, show, set or remove provisioned concurrency",
  usage: `Usage: lambent provisioned <name> [--qualifier Q [--count N | --delete]] [options]

  lambent provisioned <name>
      Lists every provisioned concurrency config of the function (all pages).
  lambent provisioned <name> --qualifier Q
      Shows the config of version or alias Q: requested, allocated so far, and status.
  lambent provisioned <name> --qualifier Q --count N
      Keeps N environments of Q initialised and ready. Q is a published version or an alias of one,
      never $LATEST. Status is IN_PROGRESS until all N are allocated, then READY.
  lambent provisioned <name> --qualifier Q --delete
      Removes the config of Q.

Options:
  --qualifier Q        a published version number or an alias
  --count N            environments to keep ready, 1 or more
  --delete             remove the config
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, the list prints {"ProvisionedConcurrencyConfigs": [...]}, show and --count print the
config, --delete prints {"FunctionName", "Qualifier", "Deleted": true}.

${COMMON_USAGE}`,
  run: runProvisioned,
};

export async function runProvisioned(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${provisionedCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const count = parsePositiveInteger("count", values.count);
  const remove = values.delete === true;
  const qualifier = values.qualifier;
  if (count !== undefined && remove) throw new UsageError("--count and --delete cannot be combined");
  if (qualifier === undefined && (count !== undefined || remove)) throw new UsageError(`--${remove ? "delete" : "count"} needs --qualifier`);
  if (qualifier === "") throw new UsageError("--qualifier is empty");
  const client = createApiClient(common.endpoint);

  if (qualifier === undefined) {
    const configs = await collectPages(
      (marker) => client.listProvisionedConcurrencyConfigs(functionName, marker),
      (page) => page.ProvisionedConcurrencyConfigs,
    );
    if (common.json) writeJson(io.stdout, { ProvisionedConcurrencyConfigs: configs });
    else if (configs.length === 0) writeLine(io.stdout, `no provisioned concurrency for ${functionName}`);
    else io.stdout.write(formatTable(["QUALIFIER", "REQUESTED", "ALLOCATED", "STATUS", "LAST MODIFIED"], configs.map(tableRow)));
    return 0;
  }
  if (remove) {
    await client.deleteProvisionedConcurrencyConfig(functionName, qualifier);
    if (common.json) writeJson(io.stdout, { FunctionName: functionName, Qualifier: qualifier, Deleted: true });
    else writeLine(io.stdout, `deleted provisioned concurrency of ${functionName}:${qualifier}`);
    return 0;
  }
  const config =
    count === undefined
      ? await client.getProvisionedConcurrencyConfig(functionName, qualifier)
      : await client.putProvisionedConcurrencyConfig(functionName, qualifier, count);
  if (common.json) writeJson(io.stdout, config);
  else if (count !== undefined) writeLine(io.stdout, `${functionName}:${qualifier}: ${describeConfig(config)}`);
  else {
    io.stdout.write(
      formatFields([
        ["Qualifier", qualifier],
        ["Requested", config.RequestedProvisionedConcurrentExecutions],
        ["Allocated", config.AllocatedProvisionedConcurrentExecutions],
        ["Available", config.AvailableProvisionedConcurrentExecutions],
        ["Status", config.Status],
        ["StatusReason", config.StatusReason],
        ["LastModified", config.LastModified],
      ]),
    );
  }
  return 0;
}

/** "3 requested, 1 allocated (IN_PROGRESS)". */
export function describeConfig(config: ProvisionedConcurrencyConfiguration): string {
  const allocated = config.AllocatedProvisionedConcurrentExecutions ?? 0;
  return `${config.RequestedProvisionedConcurrentExecutions} requested, ${allocated} allocated (${config.Status ?? "unknown status"})`;
}

function tableRow(config: ProvisionedConcurrencyConfigListItem): string[] {
  return [
    qualifierOfArn(config.FunctionArn ?? ""),
    String(config.RequestedProvisionedConcurrentExecutions),
    String(config.AllocatedProvisionedConcurrentExecutions ?? 0),
    config.Status ?? "",
    config.LastModified ?? "",
  ];
}

/** The version or alias at the end of a qualified ARN (`…:function:name:prod` → `prod`). */
export function qualifierOfArn(arn: string): string {
  const parts = arn.split(":");
  return parts.length >= 8 ? parts.at(-1)! : "";
}
