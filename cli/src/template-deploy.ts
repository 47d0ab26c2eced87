// `lambent deploy <template.yaml | folder with one>` and `lambent app diff`: the arguments read, the deploy
// run by @lambent/app-deploy (which plans, checks and applies the template through the cluster's API), and
// what it did printed for people or as JSON.
import { stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { describeProblem, parseParameterOverrides, ResolveError, type TemplateProblem } from "@lambent/sam-template";
import {
  createApiClient,
  deployResultJson,
  deployTemplate as runTemplateDeploy,
  diffResultJson,
  diffTemplate as runTemplateDiff,
  layerAction,
  DeployInputError,
  describeDeployment,
  type DeployReporter,
  type TemplateDeployOptions as DeployOptions,
} from "@lambent/app-deploy";
import { UsageError, type CliIo } from "./command.js";
import { writeJson, writeLine } from "./output.js";

const TEMPLATE_NAMES = ["template.yaml", "template.yml"];

export interface TemplateDeployOptions {
  templatePath: string;
  stackName?: string;
  parameterOverrides: Record<string, string>;
  endpoint: string;
  json: boolean;
  /** Follow the template's gradual deployments until each is over; the exit code says whether all succeeded. */
  wait?: boolean;
}

/** The deploy's warnings and progress, on stderr. */
export function reporterOf(io: CliIo): DeployReporter {
  return {
    warning: (text) => writeLine(io.stderr, `warning: ${text}`),
    progress: (line) => writeLine(io.stderr, line),
    env: io.env,
  };
}

/** The template a deploy argument names: the file itself, or template.yaml / template.yml in the folder; undefined for a folder without one. */
export async function findTemplate(path: string): Promise<string | undefined> {
  const found = await stat(path).catch(() => undefined);
  if (found?.isFile()) return path;
  if (!found?.isDirectory()) return undefined;
  for (const name of TEMPLATE_NAMES) {
    if ((await stat(join(path, name)).catch(() => undefined))?.isFile()) return join(path, name);
  }
  return undefined;
}

/**
 * Splits SAM's `--parameter-overrides A=1 B=2` (several values after one flag, or one value holding several
 * pairs separated by spaces) out of the arguments, so the rest parse as usual.
 */
export function takeParameterOverrides(args: readonly string[]): { args: string[]; pairs: string[] } {
  const rest: string[] = [];
  const pairs: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg !== "--parameter-overrides" && !arg.startsWith("--parameter-overrides=")) {
      rest.push(arg);
      continue;
    }
    const values = arg.includes("=") ? [arg.slice(arg.indexOf("=") + 1)] : [];
    while (index + 1 < args.length && !args[index + 1]!.startsWith("-") && args[index + 1]!.includes("=")) values.push(args[(index += 1)]!);
    if (values.length === 0) throw new UsageError("--parameter-overrides needs Key=Value pairs");
    for (const value of values) pairs.push(...(value.trim().split(/\s+/).every((part) => part.includes("=")) ? value.trim().split(/\s+/) : [value]));
  }
  return { args: rest, pairs };
}

/** The overrides' pairs as the template's parameter values; a malformed pair is the user's error. */
export function parameterOverridesOf(pairs: readonly string[]): Record<string, string> {
  try {
    return parseParameterOverrides(pairs);
  } catch (error) {
    if (error instanceof ResolveError) throw new UsageError(`--parameter-overrides: ${error.message}`);
    throw error;
  }
}

/** A stack named for the template's folder, when --stack-name is not given. */
export function defaultStackName(templatePath: string): string {
  return basename(dirname(resolve(templatePath))).replace(/[^A-Za-z0-9-]/g, "-");
}

/** The deploy's own options from the CLI's, with the stack named for the template's folder when not given. */
function deployOptionsOf(options: TemplateDeployOptions): DeployOptions {
  const stackName = options.stackName ?? defaultStackName(options.templatePath);
  return { templatePath: options.templatePath, stackName, parameterOverrides: options.parameterOverrides, client: createApiClient(options.endpoint), ...(options.wait !== undefined ? { wait: options.wait } : {}), quiet: options.json };
}

/** The package's input errors are the user's, as the CLI's own. */
async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DeployInputError) throw new UsageError(error.message);
    throw error;
  }
}

/** `lambent app diff`: what deploying the template would change against the stack's current revision; changes nothing. */
export async function diffTemplate(options: TemplateDeployOptions, io: CliIo): Promise<number> {
  const diff = await asUsage(() => runTemplateDiff(deployOptionsOf(options), reporterOf(io)));
  if ("refused" in diff) return refuse(diff.refused, io);
  const { stackName, changes, currentRevision } = diff;
  if (options.json) {
    writeJson(io.stdout, diffResultJson(diff));
    return 0;
  }
  writeLine(io.stdout, `stack ${stackName}, against ${currentRevision === 0 ? "nothing deployed" : `revision ${currentRevision}`}: ${changes.length === 0 ? "no changes" : `${changes.length} change${changes.length === 1 ? "" : "s"}`}`);
  const sign = { add: "+", change: "~", remove: "-" } as const;
  for (const change of changes) {
    writeLine(io.stdout, `  ${sign[change.action]} ${change.resource} (${change.logicalId})`);
    for (const detail of change.details) writeLine(io.stdout, `      ${detail}`);
  }
  return 0;
}

export async function deployTemplate(options: TemplateDeployOptions, io: CliIo): Promise<number> {
  const result = await asUsage(() => runTemplateDeploy(deployOptionsOf(options), reporterOf(io)));
  if ("refused" in result) return refuse(result.refused, io);
  const { stackName, deployed, removed, revision, layers, outputs, ended } = result;
  const exitCode = ended === undefined || ended.every((deployment) => deployment.Status === "Succeeded") ? 0 : 1;
  if (options.json) {
    writeJson(io.stdout, deployResultJson(result));
    return exitCode;
  }
  writeLine(io.stdout, `deployed stack ${stackName}: ${deployed.length} function${deployed.length === 1 ? "" : "s"}, revision ${revision}`);
  for (const layer of layers) writeLine(io.stdout, `  layer ${layer.LayerName} (${layer.LogicalId}): version ${layer.Version}, ${layerAction(result, layer.LogicalId)}`);
  for (const item of deployed) {
    writeLine(io.stdout, `  ${item.action} ${item.plan.functionName} (${item.plan.logicalId})${item.version ? `, version ${item.version} ${item.deployment ? "published" : `as ${item.plan.alias}`}` : ""}`);
    if (item.deployment) writeLine(io.stdout, `    gradual deployment ${item.plan.deployment!.config}: ${item.plan.alias} moves from version ${item.deployment.fromVersion} to ${item.deployment.toVersion}${ended ? "" : ` (lambent app history ${stackName} shows how far)`}`);
    for (const route of item.routes) writeLine(io.stdout, `    route  ${route.Methods.join(",")} ${route.RouteUrl}`);
    for (const schedule of item.plan.schedules) writeLine(io.stdout, `    schedule  ${schedule.name}: ${schedule.expression}${schedule.enabled ? "" : " (disabled)"}`);
    for (const trigger of item.plan.notifications ?? []) writeLine(io.stdout, `    trigger  ${trigger.name}: ${trigger.topic ? `topic ${trigger.topic.Subject}` : `bucket ${trigger.bucket!.Bucket}`}`);
    if (item.url) writeLine(io.stdout, `    url    ${item.url}`);
  }
  for (const fn of removed) writeLine(io.stdout, `  removed ${fn.FunctionName} (${fn.LogicalId}): no longer in the template`);
  if (outputs.length > 0) {
    writeLine(io.stdout, "Outputs:");
    for (const output of outputs) {
      writeLine(io.stdout, `  ${output.name}: ${output.value ?? `(unavailable: ${output.unavailable})`}`);
      if (output.description) writeLine(io.stdout, `    ${output.description}`);
    }
  }
  if (ended !== undefined) {
    writeLine(io.stdout, "Deployments:");
    for (const deployment of ended) writeLine(io.stdout, `  ${describeDeployment(deployment)}`);
  }
  return exitCode;
}

function refuse(problems: readonly TemplateProblem[], io: CliIo): number {
  writeLine(io.stderr, "error: the template cannot be deployed; nothing was changed:");
  for (const problem of problems) writeLine(io.stderr, `  ${describeProblem(problem)}`);
  return 1;
}
