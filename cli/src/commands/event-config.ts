// `lambent event-config`: show, change, remove or list how a function's asynchronous invocations are handled
// (Lambda's EventInvokeConfig: retries, maximum event age, destinations).
import type { EventInvokeConfigRequest, FunctionEventInvokeConfig } from "@lambent/lambda-api";
import { ApiError, collectPages, createApiClient, type ApiClient } from "@lambent/app-deploy";
import {
  COMMON_USAGE,
  FUNCTION_OPTION,
  FUNCTION_USAGE,
  UsageError,
  parseCommandArgs,
  parsePositiveInteger,
  parseWholeNumber,
  splitFunctionName,
  withFunctionName,
  type CliIo,
  type Command,
} from "../command.js";
import { formatFields, formatTable, writeJson, writeLine } from "../output.js";
import { qualifierOfArn } from "./provisioned.js";

const OPTIONS = {
  ...FUNCTION_OPTION,
  qualifier: { type: "string" },
  retries: { type: "string" },
  "max-age": { type: "string" },
  "on-success": { type: "string" },
  "on-failure": { type: "string" },
  delete: { type: "boolean", default: false },
  list: { type: "boolean", default: false },
} as const;

export const eventConfigCommand: Command = {
  name: "event-config",
  summary: "show, change, remove or list asynchronous invocation settings",
  usage: `Usage: lambent event-config <name> [--qualifier Q] [--retries N] [--max-age S] [--on-success ARN] [--on-failure ARN]
       lambent event-config <name> [--qualifier Q] --delete
       lambent event-config <name> --list

Without a setting, shows the event invoke config of $LATEST (or of Q). With settings, changes only the
settings given and keeps the others (UpdateFunctionEventInvokeConfig); a qualifier without a config
gets one, Lambda's defaults filling what is not given (2 retries, events kept 21600 s, no destinations).

Options:
  --qualifier Q        $LATEST (the default), a published version or an alias
  --retries N          retries after a failed attempt, 0 to 2
  --max-age S          seconds an event may wait to run, 60 to 21600
  --on-success ARN     where the record of a successful invocation goes; '' removes it
  --on-failure ARN     where an event goes after its last failed attempt or when too old; '' removes it
                       ARNs: arn:aws:sns:<region>:<account>:<subject> (NATS publish),
                       arn:aws:sqs:<region>:<account>:<subject> (JetStream publish),
                       arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] (async invoke)
  --delete             remove the config: Lambda's defaults apply again
  --list               list every config of the function (all pages)
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, show and changes print the FunctionEventInvokeConfig, --list prints
{"FunctionEventInvokeConfigs": [...]}, --delete prints {"FunctionName", "Qualifier", "Deleted": true}.

${COMMON_USAGE}`,
  run: runEventConfig,
};

export async function runEventConfig(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, withFunctionName(0));
  if (common.help) {
    io.stdout.write(`${eventConfigCommand.usage}\n`);
    return 0;
  }
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  const request = parseEventInvokeSettings(values);
  const changing = Object.keys(request).length > 0;
  const remove = values.delete === true;
  const list = values.list === true;
  const qualifier = values.qualifier;
  if (qualifier === "") throw new UsageError("--qualifier is empty");
  if (remove && changing) throw new UsageError("--delete cannot be combined with settings");
  if (list && (changing || remove || qualifier !== undefined)) throw new UsageError("--list cannot be combined with --qualifier, --delete or settings");
  const client = createApiClient(common.endpoint);

  if (list) {
    const configs = await collectPages(
      (marker) => client.listFunctionEventInvokeConfigs(functionName, marker),
      (page) => page.FunctionEventInvokeConfigs,
    );
    if (common.json) writeJson(io.stdout, { FunctionEventInvokeConfigs: configs });
    else if (configs.length === 0) writeLine(io.stdout, `no event invoke configs for ${functionName}`);
    else io.stdout.write(formatTable(["QUALIFIER", "RETRIES", "MAX AGE", "ON SUCCESS", "ON FAILURE"], configs.map(tableRow)));
    return 0;
  }
  if (remove) {
    await client.deleteFunctionEventInvokeConfig(functionName, qualifier);
    if (common.json) writeJson(io.stdout, { FunctionName: functionName, Qualifier: qualifier ?? "$LATEST", Deleted: true });
    else writeLine(io.stdout, `deleted the event invoke config of ${functionName}:${qualifier ?? "$LATEST"}`);
    return 0;
  }
  const config = changing ? await changeSettings(client, functionName, qualifier, request) : await client.getFunctionEventInvokeConfig(functionName, qualifier);
  if (common.json) writeJson(io.stdout, config);
  else io.stdout.write(describeEventInvokeConfig(config));
  return 0;
}

/**
 * Changes the settings given and keeps the others (UpdateFunctionEventInvokeConfig); a qualifier without
 * a config yet gets one with them (PutFunctionEventInvokeConfig), as Lambda's Update refuses to create one.
 */
async function changeSettings(client: ApiClient, functionName: string, qualifier: string | undefined, request: EventInvokeConfigRequest): Promise<FunctionEventInvokeConfig> {
  try {
    return await client.updateFunctionEventInvokeConfig(functionName, qualifier, request);
  } catch (error) {
    if (!(error instanceof ApiError && error.type === "ResourceNotFoundException" && /doesn't have an EventInvokeConfig/.test(error.message))) throw error;
    return client.putFunctionEventInvokeConfig(functionName, qualifier, request);
  }
}

/** The settings flags given, as an UpdateFunctionEventInvokeConfig body; an empty ARN removes that destination. */
export function parseEventInvokeSettings(values: {
  retries?: string | undefined;
  "max-age"?: string | undefined;
  "on-success"?: string | undefined;
  "on-failure"?: string | undefined;
}): EventInvokeConfigRequest {
  const request: EventInvokeConfigRequest = {};
  const retries = parseWholeNumber("retries", values.retries);
  if (retries !== undefined) request.MaximumRetryAttempts = retries;
  const maxAge = parsePositiveInteger("max-age", values["max-age"]);
  if (maxAge !== undefined) request.MaximumEventAgeInSeconds = maxAge;
  const onSuccess = values["on-success"];
  const onFailure = values["on-failure"];
  if (onSuccess !== undefined || onFailure !== undefined) {
    request.DestinationConfig = {};
    if (onSuccess !== undefined) request.DestinationConfig.OnSuccess = onSuccess === "" ? {} : { Destination: onSuccess };
    if (onFailure !== undefined) request.DestinationConfig.OnFailure = onFailure === "" ? {} : { Destination: onFailure };
  }
  return request;
}

export function describeEventInvokeConfig(config: FunctionEventInvokeConfig): string {
  return formatFields([
    ["FunctionArn", config.FunctionArn],
    ["MaximumRetryAttempts", config.MaximumRetryAttempts ?? "default"],
    ["MaximumEventAge", config.MaximumEventAgeInSeconds === undefined ? "default" : `${config.MaximumEventAgeInSeconds} s`],
    ["OnSuccess", config.DestinationConfig?.OnSuccess?.Destination ?? "none"],
    ["OnFailure", config.DestinationConfig?.OnFailure?.Destination ?? "none"],
    ["LastModified", config.LastModified === undefined ? undefined : new Date(config.LastModified * 1000).toISOString()],
  ]);
}

function tableRow(config: FunctionEventInvokeConfig): string[] {
  return [
    qualifierOfArn(config.FunctionArn ?? ""),
    String(config.MaximumRetryAttempts ?? "default"),
    config.MaximumEventAgeInSeconds === undefined ? "default" : `${config.MaximumEventAgeInSeconds} s`,
    config.DestinationConfig?.OnSuccess?.Destination ?? "-",
    config.DestinationConfig?.OnFailure?.Destination ?? "-",
  ];
}
