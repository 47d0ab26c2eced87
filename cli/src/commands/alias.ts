// `lambent alias set|get|list|delete`: named pointers at a version, optionally splitting traffic with one more.
import type { AliasConfiguration, AliasRoutingConfiguration } from "@lambent/lambda-api";
import { ApiError, collectPages, createApiClient } from "@lambent/app-deploy";
import {
  COMMON_USAGE,
  FUNCTION_OPTION,
  FUNCTION_USAGE,
  UsageError,
  parseCommandArgs,
  runSubcommand,
  splitFunctionName,
  withFunctionName,
  type CliIo,
  type Command,
  type Subcommands,
} from "../command.js";
import { formatFields, formatTable, writeJson, writeLine } from "../output.js";

const SET_OPTIONS = { ...FUNCTION_OPTION, weight: { type: "string", multiple: true }, description: { type: "string" } } as const;
const LIST_OPTIONS = { ...FUNCTION_OPTION, version: { type: "string" } } as const;

/** Options of any alias subcommand that take a value, so the subcommand can be found behind them. */
const VALUE_OPTIONS = new Set(["--endpoint", "--function", "--weight", "--description", "--version"]);

export const aliasCommand: Command = {
  name: "alias",
  summary: "create, move, show, list and delete aliases",
  usage: `Usage: lambent alias <set|get|list|delete> <name> ... [options]

  lambent alias set <name> <alias> <version> [--weight V=W] [--description D]
      Points <alias> at <version>, creating the alias when it does not exist. --weight V=W also sends
      the share W (0 to 1) of the alias's traffic to version V; without --weight, traffic splitting is
      turned off. An alias routes to at most two versions, and never weights $LATEST.
  lambent alias get <name> <alias>
  lambent alias list <name> [--version V]
      Every alias of the function (all pages); --version V keeps those that route to version V.
  lambent alias delete <name> <alias>

Options:
  --function NAME      the function, instead of <name>

${FUNCTION_USAGE}
With --json, set and get print the AliasConfiguration, list prints {"Aliases": [...]}, delete prints
{"FunctionName", "Name", "Deleted": true}.

${COMMON_USAGE}`,
  run: runAlias,
};

const SUBCOMMANDS: Subcommands = {
  set: runAliasSet,
  get: runAliasGet,
  list: runAliasList,
  delete: runAliasDelete,
};

export function runAlias(args: string[], io: CliIo): Promise<number> {
  return runSubcommand(aliasCommand, SUBCOMMANDS, VALUE_OPTIONS, args, io);
}

async function runAliasSet(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, SET_OPTIONS, io, withFunctionName(2));
  if (common.help) return help(io);
  const { functionName, rest } = splitFunctionName(positionals, 2, values.function, io.env);
  const [aliasName, version] = rest as [string, string];
  checkVersion(version);
  const routing = parseRouting(values.weight ?? [], version);
  const client = createApiClient(common.endpoint);

  const existing = await findAlias(client, functionName, aliasName);
  let alias: AliasConfiguration;
  if (existing === undefined) {
    alias = await client.createAlias(functionName, {
      Name: aliasName,
      FunctionVersion: version,
      ...(values.description === undefined ? {} : { Description: values.description }),
      ...(Object.keys(routing.AdditionalVersionWeights).length === 0 ? {} : { RoutingConfig: routing }),
    });
  } else {
    // RevisionId makes the move conditional on nobody else having moved the alias since it was read.
    alias = await client.updateAlias(functionName, aliasName, {
      FunctionVersion: version,
      RoutingConfig: routing,
      ...(values.description === undefined ? {} : { Description: values.description }),
      ...(existing.RevisionId === undefined ? {} : { RevisionId: existing.RevisionId }),
    });
  }

  if (common.json) writeJson(io.stdout, alias);
  else if (existing === undefined) writeLine(io.stdout, `created alias ${alias.Name}: ${describeRouting(alias)}`);
  else writeLine(io.stdout, `${alias.Name}: ${describeRouting(existing)} → ${describeRouting(alias)}`);
  return 0;
}

async function runAliasGet(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, FUNCTION_OPTION, io, withFunctionName(1));
  if (common.help) return help(io);
  const { functionName, rest } = splitFunctionName(positionals, 1, values.function, io.env);
  const alias = await createApiClient(common.endpoint).getAlias(functionName, rest[0]!);
  if (common.json) {
    writeJson(io.stdout, alias);
    return 0;
  }
  io.stdout.write(
    formatFields([
      ["Name", alias.Name],
      ["AliasArn", alias.AliasArn],
      ["FunctionVersion", alias.FunctionVersion],
      ["Weights", describeWeights(alias.RoutingConfig)],
      ["PreviousVersion", alias.PreviousVersion ?? undefined],
      ["Description", alias.Description],
      ["RevisionId", alias.RevisionId],
    ]),
  );
  return 0;
}

async function runAliasList(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, LIST_OPTIONS, io, withFunctionName(0));
  if (common.help) return help(io);
  const { functionName } = splitFunctionName(positionals, 0, values.function, io.env);
  if (values.version !== undefined) checkVersion(values.version);
  const client = createApiClient(common.endpoint);
  const aliases = await collectPages(
    (marker) => client.listAliases(functionName, { functionVersion: values.version, marker }),
    (page) => page.Aliases,
  );
  if (common.json) {
    writeJson(io.stdout, { Aliases: aliases });
  } else if (aliases.length === 0) {
    writeLine(io.stdout, `no aliases of ${functionName}`);
  } else {
    const rows = aliases.map((alias) => [
      alias.Name,
      alias.FunctionVersion,
      describeWeights(alias.RoutingConfig) ?? "",
      alias.PreviousVersion ?? "",
      alias.Description ?? "",
    ]);
    io.stdout.write(formatTable(["ALIAS", "VERSION", "WEIGHTS", "PREVIOUS", "DESCRIPTION"], rows));
  }
  return 0;
}

async function runAliasDelete(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, FUNCTION_OPTION, io, withFunctionName(1));
  if (common.help) return help(io);
  const { functionName, rest } = splitFunctionName(positionals, 1, values.function, io.env);
  const aliasName = rest[0]!;
  await createApiClient(common.endpoint).deleteAlias(functionName, aliasName);
  if (common.json) writeJson(io.stdout, { FunctionName: functionName, Name: aliasName, Deleted: true });
  else writeLine(io.stdout, `deleted alias ${aliasName} of ${functionName}`);
  return 0;
}

function help(io: CliIo): number {
  io.stdout.write(`${aliasCommand.usage}\n`);
  return 0;
}

async function findAlias(client: ReturnType<typeof createApiClient>, functionName: string, aliasName: string): Promise<AliasConfiguration | undefined> {
  try {
    return await client.getAlias(functionName, aliasName);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

const VERSION_NUMBER = /^[1-9]\d*$/;

/** An alias points at a published version number or at $LATEST. */
export function checkVersion(version: string): void {
  if (version !== "$LATEST" && !VERSION_NUMBER.test(version)) {
    throw new UsageError(`version '${version}' must be a published version number or $LATEST`);
  }
}

/**
 * `--weight V=W` → RoutingConfig: version V gets the share W (0 to 1) of the alias's traffic. Lambda's
 * rules: one additional version at most, a number (never $LATEST), and not the alias's own version. No
 * weight gives `{AdditionalVersionWeights: {}}`, which turns splitting off.
 */
export function parseRouting(weights: readonly string[], aliasVersion: string): AliasRoutingConfiguration {
  if (weights.length > 1) throw new UsageError("an alias routes to at most two versions: give --weight once");
  const routing: AliasRoutingConfiguration = { AdditionalVersionWeights: {} };
  const raw = weights[0];
  if (raw === undefined) return routing;
  const { version, weight } = parseWeight(raw);
  if (aliasVersion === "$LATEST") throw new UsageError("an alias on $LATEST cannot split traffic (--weight)");
  if (version === aliasVersion) throw new UsageError(`--weight ${raw} names the alias's own version ${aliasVersion}`);
  routing.AdditionalVersionWeights[version] = weight;
  return routing;
}

/** `4=0.1` → version "4" with weight 0.1. */
export function parseWeight(raw: string): { version: string; weight: number } {
  const equals = raw.indexOf("=");
  if (equals < 0) throw new UsageError(`--weight '${raw}' must be VERSION=WEIGHT, such as 4=0.1`);
  const version = raw.slice(0, equals);
  const text = raw.slice(equals + 1);
  if (version === "$LATEST") throw new UsageError(`--weight '${raw}': $LATEST cannot take weighted traffic; publish a version`);
  if (!VERSION_NUMBER.test(version)) throw new UsageError(`--weight '${raw}': '${version}' is not a published version number`);
  const weight = Number(text);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || !(weight >= 0 && weight <= 1)) {
    throw new UsageError(`--weight '${raw}': the weight must be a number from 0 to 1, such as 0.1 for 10%`);
  }
  return { version, weight };
}

/** `3`, or `3, 4 at 10%` when the alias splits traffic. A null RoutingConfig, as some servers answer, is none. */
export function describeRouting(alias: Pick<AliasConfiguration, "FunctionVersion"> & { RoutingConfig?: AliasRoutingConfiguration | null }): string {
  const weights = describeWeights(alias.RoutingConfig);
  return weights === undefined ? alias.FunctionVersion : `${alias.FunctionVersion}, ${weights}`;
}

/** `4 at 10%`, or undefined when no traffic goes elsewhere. */
export function describeWeights(routing: AliasRoutingConfiguration | null | undefined): string | undefined {
  const entries = Object.entries(routing?.AdditionalVersionWeights ?? {});
  if (entries.length === 0) return undefined;
  return entries.map(([version, weight]) => `${version} at ${Number((weight * 100).toFixed(2))}%`).join(", ");
}
