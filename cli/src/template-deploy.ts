// `lambent deploy <template.yaml | folder with one>`: a SAM template planned and checked in full, every
// package built and the cluster read for conflicts before the first change; then each function created or
// updated in place with its alias, URL, concurrency, routes and schedules (its layers published first), and
// the Outputs printed.
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { GetFunctionResponse, RouteConfiguration } from "@lambent/lambda-api";
import { describeProblem, parseParameterOverrides, planTemplate, ResolveError, TemplateError, type DeployFacts, type FunctionPlan, type TemplatePlan, type TemplateProblem } from "@lambent/sam-template";
import { createApiClient, getOrUndefined, type ApiClient } from "./api-client.js";
import { UsageError, type CliIo } from "./command.js";
import { writeJson, writeLine } from "./output.js";
import { buildPackages } from "./template-code.js";
import type { DeployedFunction } from "./stack-apply.js";
import { applyAsRevision, currentRevision } from "./stack-revision.js";
import { describeDeployment, followDeployments } from "./stack-deployments.js";
import { listStateMachines, sfnClientOf, stateMachineConflicts } from "./stack-state-machines.js";
import { diffRevision, packageSha256, revisionDocumentOf, type RevisionLayer } from "./application-revision.js";
import { buildLayers, layerChanges, layerVersionArnsOf, unchangedLayers, type LayerApply } from "./stack-layers.js";
import { notificationConflicts } from "./stack-notifications.js";

const TEMPLATE_NAMES = ["template.yaml", "template.yml"];
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/** Lambent's defaults (LAMBENT_REGION, LAMBENT_ACCOUNT_ID), for a cluster with no function to read them from. */
const DEFAULT_FACTS: DeployFacts = { region: "us-east-1", accountId: "000000000000" };

export interface TemplateDeployOptions {
  templatePath: string;
  stackName?: string;
  parameterOverrides: Record<string, string>;
  endpoint: string;
  json: boolean;
  /** Follow the template's gradual deployments until each is over; the exit code says whether all succeeded. */
  wait?: boolean;
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

/** A template planned, its packages built and the cluster checked; `problems` refuse it. */
interface PreparedTemplate {
  stackName: string;
  templatePath: string;
  text: string;
  client: ApiClient;
  facts: DeployFacts;
  plan: TemplatePlan;
  packages: Map<string, string>;
  existing: Map<string, GetFunctionResponse>;
  /** The template's layers, built, with those unchanged since the current revision; absent without layers. */
  layers?: LayerApply;
  planOf(facts: DeployFacts): TemplatePlan;
}

/** A stack named for the template's folder, when --stack-name is not given. */
export function defaultStackName(templatePath: string): string {
  return basename(dirname(resolve(templatePath))).replace(/[^A-Za-z0-9-]/g, "-");
}

/** Everything that can refuse the template, before the first change: a refusal is printed and answered as the exit code. */
async function prepareTemplate(options: Omit<TemplateDeployOptions, "json">, io: CliIo): Promise<PreparedTemplate | number> {
  const templatePath = resolve(options.templatePath);
  const stackName = options.stackName ?? defaultStackName(templatePath);
  if (!STACK_NAME.test(stackName)) throw new UsageError(`'${stackName}' is not a stack name: a letter, then letters, digits and '-' (128 at most); give --stack-name`);
  const text = await readFile(templatePath, "utf8");
  const client = createApiClient(options.endpoint);
  const facts = await clusterFacts(client);
  const planOf = (known: DeployFacts): TemplatePlan => planTemplate(text, { templatePath, stackName, parameterOverrides: options.parameterOverrides, facts: known });
  let plan: TemplatePlan;
  try {
    plan = planOf(facts);
  } catch (error) {
    if (error instanceof TemplateError) return refuse(error.problems, io);
    throw error;
  }
  const { packages, problems } = await buildPackages(plan.functions);
  const layerPlans = plan.layers ?? [];
  const builtLayers = await buildLayers(layerPlans);
  problems.push(...builtLayers.problems);
  const existing = await checkOwnership(client, stackName, plan.functions, problems);
  problems.push(...(await conflictsWithCluster(client, plan)));
  problems.push(...(await notificationConflicts(client, plan.functions)));
  if (plan.stateMachines !== undefined) problems.push(...stateMachineConflicts(stackName, plan.stateMachines, await listStateMachines(sfnClientOf(options.endpoint))));
  if (problems.length > 0) return refuse(problems, io);
  for (const warning of plan.warnings) writeLine(io.stderr, `warning: ${warning}`);
  const zips = new Map([...packages].map(([logicalId, built]) => [logicalId, built.zipFile]));
  if (layerPlans.length === 0) return { stackName, templatePath, text, client, facts, plan, packages: zips, existing, planOf };
  // A layer unchanged since the current revision keeps its version: the functions are planned with its ARN.
  const current = await currentRevision(client, stackName);
  const recorded = current === undefined ? [] : (revisionDocumentOf(current.Document, current.Revision).Layers ?? []);
  const known = await unchangedLayers(client, layerPlans, builtLayers.packages, recorded);
  const layers: LayerApply = { plans: layerPlans, packages: builtLayers.packages, known, functionsWith: (arns) => planOf({ ...facts, layerVersionArns: arns }).functions };
  return { stackName, templatePath, text, client, facts, plan: planOf({ ...facts, layerVersionArns: layerVersionArnsOf([...known.values()]) }), packages: zips, existing, layers, planOf };
}

/** `lambent app diff`: what deploying the template would change against the stack's current revision; changes nothing. */
export async function diffTemplate(options: TemplateDeployOptions, io: CliIo): Promise<number> {
  const prepared = await prepareTemplate(options, io);
  if (typeof prepared === "number") return prepared;
  const { client, stackName, plan, packages } = prepared;
  const current = await currentRevision(client, stackName);
  const currentDocument = current === undefined ? undefined : revisionDocumentOf(current.Document, current.Revision);
  const changes = [
    ...diffRevision(
      currentDocument,
      plan.functions.map((fn) => ({ plan: fn, packageSha256: packageSha256(packages.get(fn.logicalId)!) })),
      plan.permissions,
      plan.stateMachines ?? [],
    ),
    ...layerChanges(currentDocument?.Layers ?? [], prepared.layers),
  ];
  if (options.json) {
    writeJson(io.stdout, { StackName: stackName, CurrentRevision: current?.Revision ?? 0, Changes: changes.map((change) => ({ Action: change.action, Resource: change.resource, LogicalId: change.logicalId, Details: change.details })) });
    return 0;
  }
  writeLine(io.stdout, `stack ${stackName}, against ${current === undefined ? "nothing deployed" : `revision ${current.Revision}`}: ${changes.length === 0 ? "no changes" : `${changes.length} change${changes.length === 1 ? "" : "s"}`}`);
  const sign = { add: "+", change: "~", remove: "-" } as const;
  for (const change of changes) {
    writeLine(io.stdout, `  ${sign[change.action]} ${change.resource} (${change.logicalId})`);
    for (const detail of change.details) writeLine(io.stdout, `      ${detail}`);
  }
  return 0;
}

export async function deployTemplate(options: TemplateDeployOptions, io: CliIo): Promise<number> {
  const prepared = await prepareTemplate(options, io);
  if (typeof prepared === "number") return prepared;
  const { client, stackName, plan, packages: zips, existing, text, templatePath, facts, planOf, layers: layerApply } = prepared;
  const document = {
    Operation: "deploy" as const,
    Template: text,
    TemplatePath: templatePath,
    Parameters: options.parameterOverrides,
  };
  const { deployed, removed, revision, layers } = await applyAsRevision(
    client,
    { stackName, functions: plan.functions, permissions: plan.permissions, stateMachines: plan.stateMachines ?? [], packages: zips, existing, document, operation: "deploy", ...(layerApply ? { layers: layerApply } : {}) },
    io,
  );
  const layerAction = (layer: RevisionLayer): string => (layerApply?.known.has(layer.LogicalId) ? "unchanged" : "published");

  const outputs = planOf({ ...factsAfter(facts, deployed), layerVersionArns: layerVersionArnsOf(layers) }).outputs;
  const gradual = deployed.filter((item) => item.deployment !== undefined);
  const ended = options.wait === true && gradual.length > 0 ? await followDeployments(client, stackName, revision, io, options.json) : undefined;
  const exitCode = ended === undefined || ended.every((deployment) => deployment.Status === "Succeeded") ? 0 : 1;
  if (options.json) {
    writeJson(io.stdout, {
      StackName: stackName,
      Revision: revision,
      ...(ended !== undefined ? { Deployments: ended } : {}),
      Functions: deployed.map((item) => ({ LogicalId: item.plan.logicalId, FunctionName: item.plan.functionName, FunctionArn: item.configuration.FunctionArn, Action: item.action, ...(item.version ? { Version: item.version } : {}), ...(item.deployment ? { Deployment: { Config: item.plan.deployment!.config, FromVersion: item.deployment.fromVersion, ToVersion: item.deployment.toVersion } } : {}), ...(item.url ? { FunctionUrl: item.url } : {}), Routes: item.routes.map((route) => route.RouteUrl) })),
      Outputs: Object.fromEntries(outputs.map((output) => [output.name, output.value ?? null])),
      Removed: removed.map((fn) => ({ LogicalId: fn.LogicalId, FunctionName: fn.FunctionName })),
      ...(layers.length > 0 ? { Layers: layers.map((layer) => ({ LogicalId: layer.LogicalId, LayerName: layer.LayerName, LayerVersionArn: layer.LayerVersionArn, Action: layerAction(layer) })) } : {}),
    });
    return exitCode;
  }
  writeLine(io.stdout, `deployed stack ${stackName}: ${deployed.length} function${deployed.length === 1 ? "" : "s"}, revision ${revision}`);
  for (const layer of layers) writeLine(io.stdout, `  layer ${layer.LayerName} (${layer.LogicalId}): version ${layer.Version}, ${layerAction(layer)}`);
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

/** Each function of the plan that exists must be this stack's; the ones that exist, by logical id. */
async function checkOwnership(client: ApiClient, stackName: string, functions: readonly FunctionPlan[], problems: TemplateProblem[]): Promise<Map<string, GetFunctionResponse>> {
  const existing = new Map<string, GetFunctionResponse>();
  for (const fn of functions) {
    const found = await getOrUndefined(() => client.getFunction(fn.functionName));
    if (found === undefined) continue;
    existing.set(fn.logicalId, found);
    const owner = found.Tags?.["lambent:stack"];
    if (owner !== stackName) {
      problems.push({ where: fn.logicalId, message: `the function ${fn.functionName} exists and ${owner === undefined ? "was not deployed from a template" : `belongs to the stack ${owner}`}; give this one another FunctionName` });
    }
  }
  return existing;
}

function refuse(problems: readonly TemplateProblem[], io: CliIo): number {
  writeLine(io.stderr, "error: the template cannot be deployed; nothing was changed:");
  for (const problem of problems) writeLine(io.stderr, `  ${describeProblem(problem)}`);
  return 1;
}

/** The cluster's region and account, read from any function's ARN; Lambent's defaults on an empty cluster. */
export async function clusterFacts(client: ApiClient): Promise<DeployFacts> {
  const { Functions } = await client.listFunctions();
  const arn = Functions[0] ? parseArn(Functions[0].FunctionArn) : undefined;
  return arn ?? DEFAULT_FACTS;
}

function parseArn(arn: string): DeployFacts | undefined {
  const match = /^arn:[^:]+:lambda:([^:]+):([^:]+):function:/.exec(arn);
  return match ? { region: match[1]!, accountId: match[2]! } : undefined;
}

/** The facts the Outputs need, from what the deploy made. */
function factsAfter(before: DeployFacts, deployed: readonly DeployedFunction[]): DeployFacts {
  const facts: DeployFacts = { ...(deployed[0] ? parseArn(deployed[0].configuration.FunctionArn) : undefined) ?? before };
  const route = deployed.flatMap((item) => item.routes)[0];
  if (route !== undefined) facts.routeBaseUrl = route.Path === "/" ? route.RouteUrl.replace(/\/$/, "") : route.RouteUrl.slice(0, route.RouteUrl.length - route.Path.length);
  facts.functionUrls = Object.fromEntries(deployed.filter((item) => item.url !== undefined).map((item) => [item.plan.functionName, item.url!]));
  return facts;
}

/** Routes and schedule names the template wants that another function already has: found now, not midway. */
async function conflictsWithCluster(client: ApiClient, plan: TemplatePlan): Promise<TemplateProblem[]> {
  const problems: TemplateProblem[] = [];
  const ours = new Set(plan.functions.map((fn) => fn.functionName));
  const routes: RouteConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await client.listRoutes(marker === undefined ? {} : { marker });
    routes.push(...page.Routes);
    marker = page.NextMarker;
  } while (marker !== undefined);
  for (const fn of plan.functions) {
    for (const route of fn.routes) {
      const clash = routes.find((other) => other.Path === route.path && !ours.has(other.FunctionName) && (other.Methods.includes("ANY") || route.methods.includes("ANY") || other.Methods.some((method) => route.methods.includes(method))));
      if (clash) problems.push({ where: fn.logicalId, property: `Events.${route.eventId}`, message: `${route.methods.join(",")} ${route.path} is already a route of the function ${clash.FunctionName}` });
    }
    // A function destination outside the template must exist: PutFunctionEventInvokeConfig refuses one that does not.
    for (const [field, target] of Object.entries(fn.eventInvokeConfig?.DestinationConfig ?? {})) {
      const destination = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(target?.Destination ?? "")?.[1];
      if (destination === undefined || ours.has(destination)) continue;
      if ((await getOrUndefined(() => client.getFunction(destination))) === undefined) {
        problems.push({ where: fn.logicalId, property: `EventInvokeConfig.DestinationConfig.${field}.Destination`, message: `the function ${destination} does not exist` });
      }
    }
    for (const schedule of fn.schedules) {
      const trigger = await getOrUndefined(() => client.getTrigger(schedule.name));
      if (trigger !== undefined && (trigger.FunctionName !== fn.functionName || trigger.Schedule === undefined)) {
        problems.push({ where: fn.logicalId, property: `Events.${schedule.eventId}`, message: `the trigger ${schedule.name} already exists for the function ${trigger.FunctionName}` });
      }
    }
  }
  return problems;
}
