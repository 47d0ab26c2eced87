// `lambent layer publish|list|get|delete`: layer versions, zips of shared files unpacked under /opt for the
// functions that name them (their Layers).
import { readFile } from "node:fs/promises";
import type { LayerVersionResponse } from "@lambent/lambda-api";
import { collectPages, createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, parsePositiveInteger, runSubcommand, type CliIo, type Command, type Subcommands } from "../command.js";
import { formatFields, formatTable, writeJson, writeLine } from "../output.js";

const PUBLISH_OPTIONS = { zip: { type: "string" }, description: { type: "string" }, runtime: { type: "string", multiple: true }, license: { type: "string" } } as const;

/** Options of any layer subcommand that take a value, so the subcommand can be found behind them. */
const VALUE_OPTIONS = new Set(["--endpoint", "--zip", "--description", "--runtime", "--license"]);

export const layerCommand: Command = {
  name: "layer",
  summary: "publish, list, show and delete layer versions",
  usage: `Usage: lambent layer <publish|list|get|delete> ... [options]

  lambent layer publish <layer> --zip FILE [--description D] [--runtime R]... [--license L]
      Publishes FILE (a zip, e.g. nodejs/node_modules/...) as the layer's next version.
  lambent layer list [<layer>]
      Every layer with its newest version; with <layer>, that layer's versions, newest first.
  lambent layer get <layer> <version>
  lambent layer delete <layer> <version>
      Functions that use the version keep it.

A function uses layers through its configuration: Layers: [layer version ARN, ...] (at most 5), unpacked
under /opt in that order, with /opt/nodejs/node_modules on its module path.

With --json, publish and get print the layer version, list prints ListLayers' or ListLayerVersions'
answer, delete prints {"LayerName", "Version", "Deleted": true}.

${COMMON_USAGE}`,
  run: runLayer,
};

const SUBCOMMANDS: Subcommands = {
  publish: runLayerPublish,
  list: runLayerList,
  get: runLayerGet,
  delete: runLayerDelete,
};

export function runLayer(args: string[], io: CliIo): Promise<number> {
  return runSubcommand(layerCommand, SUBCOMMANDS, VALUE_OPTIONS, args, io);
}

async function runLayerPublish(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, PUBLISH_OPTIONS, io, 1);
  if (common.help) return help(io);
  if (values.zip === undefined) throw new UsageError("--zip FILE is required");
  const zip = await readFile(values.zip).catch((error: unknown) => {
    throw new UsageError(`cannot read ${values.zip}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const version = await createApiClient(common.endpoint).publishLayerVersion(positionals[0]!, {
    Content: { ZipFile: zip.toString("base64") },
    ...(values.description === undefined ? {} : { Description: values.description }),
    ...(values.runtime === undefined ? {} : { CompatibleRuntimes: values.runtime }),
    ...(values.license === undefined ? {} : { LicenseInfo: values.license }),
  });
  if (common.json) writeJson(io.stdout, version);
  else writeLine(io.stdout, `published ${version.LayerVersionArn} (${version.Content.CodeSize} bytes)`);
  return 0;
}

async function runLayerList(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, { min: 0, max: 1 });
  if (common.help) return help(io);
  const client = createApiClient(common.endpoint);
  const layerName = positionals[0];
  if (layerName === undefined) {
    const layers = await collectPages((marker) => client.listLayers(marker), (page) => page.Layers);
    if (common.json) writeJson(io.stdout, { Layers: layers });
    else if (layers.length === 0) writeLine(io.stdout, "no layers");
    else io.stdout.write(formatTable(["LAYER", "LATEST", "DESCRIPTION"], layers.map((layer) => [layer.LayerName, String(layer.LatestMatchingVersion.Version), layer.LatestMatchingVersion.Description])));
    return 0;
  }
  const versions = await collectPages((marker) => client.listLayerVersions(layerName, marker), (page) => page.LayerVersions);
  if (common.json) writeJson(io.stdout, { LayerVersions: versions });
  else if (versions.length === 0) writeLine(io.stdout, `${layerName}: no versions`);
  else io.stdout.write(formatTable(["VERSION", "CREATED", "DESCRIPTION"], versions.map((version) => [String(version.Version), version.CreatedDate, version.Description])));
  return 0;
}

async function runLayerGet(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, 2);
  if (common.help) return help(io);
  const version = await createApiClient(common.endpoint).getLayerVersion(positionals[0]!, versionOf(positionals[1]));
  if (common.json) writeJson(io.stdout, version);
  else io.stdout.write(describe(version));
  return 0;
}

async function runLayerDelete(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, 2);
  if (common.help) return help(io);
  const version = versionOf(positionals[1]);
  await createApiClient(common.endpoint).deleteLayerVersion(positionals[0]!, version);
  if (common.json) writeJson(io.stdout, { LayerName: positionals[0], Version: version, Deleted: true });
  else writeLine(io.stdout, `deleted version ${version} of layer ${positionals[0]}`);
  return 0;
}

function versionOf(raw: string | undefined): number {
  const version = parsePositiveInteger("version", raw);
  if (version === undefined) throw new UsageError("missing argument");
  return version;
}

function describe(version: LayerVersionResponse): string {
  return formatFields([
    ["arn", version.LayerVersionArn],
    ["version", version.Version],
    ["description", version.Description],
    ["created", version.CreatedDate],
    ["size", version.Content.CodeSize],
    ["sha256", version.Content.CodeSha256],
    ["runtimes", version.CompatibleRuntimes?.join(", ")],
    ["license", version.LicenseInfo],
  ]);
}

function help(io: CliIo): number {
  io.stdout.write(`${layerCommand.usage}\n`);
  return 0;
}
