// `lambent deploy <template.yaml | folder with one>`: a SAM template planned and checked in full, every
// package built and the cluster read for conflicts before the first change; then each function created or
// updated in place with its alias, URL, concurrency, routes and schedules, and the Outputs printed.
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { FunctionConfiguration, FunctionSettings, RouteConfiguration } from "@lambent/lambda-api";
import { describeProblem, planTemplate, TemplateError, type DeployFacts, type FunctionPlan, type TemplatePlan, type TemplateProblem } from "@lambent/sam-template";
import { ApiError, createApiClient, type ApiClient } from "./api-client.js";
import { UsageError, type CliIo } from "./command.js";
import { writeJson, writeLine } from "./output.js";
import { buildPackages, type BuiltPackage } from "./template-code.js";
import { removeStackFunction, stackFunctions } from "./applications.js";

const TEMPLATE_NAMES = ["template.yaml", "template.yml"];
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/** Lambent's defaults (LAMBENT_REGION, LAMBENT_ACCOUNT_ID), for a cluster with no function to read them from. */
const DEFAULT_FACTS: DeployFacts = { region: "us-east-1", accountId: "000000000000" };
const SETTLE_WAIT_MS = 60_000;
const SETTLE_POLL_MS = 250;

export interface TemplateDeployOptions {
  templatePath: string;
  stackName?: string;
  parameterOverrides: Record<string, string>;
  endpoint: string;
  json: boolean;
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

/** What this deploy created, so a deploy that fails midway can remove it again. */
interface MadeByDeploy {
  functions: string[];
  triggers: string[];
  /** Existing functions whose update had begun. */
  updated: string[];
}

/** What one function's deploy did, for the summary. */
interface DeployedFunction {
  plan: FunctionPlan;
  action: "created" | "updated";
  configuration: FunctionConfiguration;
  version?: string;
  url?: string;
  routes: RouteConfiguration[];
}

export async function deployTemplate(options: TemplateDeployOptions, io: CliIo): Promise<number> {
  const templatePath = resolve(options.templatePath);
  const stackName = options.stackName ?? basename(dirname(templatePath)).replace(/[^A-Za-z0-9-]/g, "-");
  if (!STACK_NAME.test(stackName)) throw new UsageError(`'${stackName}' is not a stack name: a letter, then letters, digits and '-' (128 at most); give --stack-name`);
  const text = await readFile(templatePath, "utf8");
  const client = createApiClient(options.endpoint);
  const facts = await clusterFacts(client);
  const planOf = (known: DeployFacts): TemplatePlan => planTemplate(text, { templatePath, stackName, parameterOverrides: options.parameterOverrides, facts: known });

  // Everything that can refuse the template happens before the first change.
  let plan: TemplatePlan;
  try {
    plan = planOf(facts);
  } catch (error) {
    if (error instanceof TemplateError) return refuse(error.problems, io);
    throw error;
  }
  const { packages, problems } = await buildPackages(plan.functions);
  const existing = new Map<string, Awaited<ReturnType<ApiClient["getFunction"]>>>();
  for (const fn of plan.functions) {
    const found = await getOrUndefined(() => client.getFunction(fn.functionName));
    if (found === undefined) continue;
    existing.set(fn.logicalId, found);
    const owner = found.Tags?.["lambent:stack"];
    if (owner !== stackName) {
      problems.push({ where: fn.logicalId, message: `the function ${fn.functionName} exists and ${owner === undefined ? "was not deployed from a template" : `belongs to the stack ${owner}`}; give this one another FunctionName` });
    }
  }
  problems.push(...(await conflictsWithCluster(client, plan)));
  if (problems.length > 0) return refuse(problems, io);
  for (const warning of plan.warnings) writeLine(io.stderr, `warning: ${warning}`);

  const deployed: DeployedFunction[] = [];
  const made: MadeByDeploy = { functions: [], triggers: [], updated: [] };
  // New functions first: a failure among them is undone in full, before any existing function is touched.
  const order = [...plan.functions.filter((fn) => !existing.has(fn.logicalId)), ...plan.functions.filter((fn) => existing.has(fn.logicalId))];
  try {
    for (const fn of order) {
      const found = existing.get(fn.logicalId);
      deployed.push(await deployFunction(client, fn, packages.get(fn.logicalId)!, found !== undefined, found?.Concurrency !== undefined, made));
    }
    deployed.sort((a, b) => plan.functions.indexOf(a.plan) - plan.functions.indexOf(b.plan));
    await applyRoutes(client, deployed);
    for (const fn of plan.functions) await applySchedules(client, fn, made);
    for (const permission of plan.permissions) {
      await getOrUndefined(() => client.removePermission(permission.functionName, permission.request.StatementId, permission.qualifier));
      await client.addPermission(permission.functionName, permission.qualifier, permission.request);
    }
  } catch (error) {
    await undoWhatWasMade(client, made, io);
    throw error;
  }
  // What the stack had and the template no longer lists goes, once everything it lists is in place.
  const listed = new Set(plan.functions.map((fn) => fn.functionName));
  const removed = ((await stackFunctions(client)).get(stackName) ?? []).filter((fn) => !listed.has(fn.FunctionName));
  for (const fn of removed) await removeStackFunction(client, fn.FunctionName);

  const outputs = planOf(factsAfter(facts, deployed)).outputs;
  if (options.json) {
    writeJson(io.stdout, {
      StackName: stackName,
      Functions: deployed.map((item) => ({ LogicalId: item.plan.logicalId, FunctionName: item.plan.functionName, FunctionArn: item.configuration.FunctionArn, Action: item.action, ...(item.version ? { Version: item.version } : {}), ...(item.url ? { FunctionUrl: item.url } : {}), Routes: item.routes.map((route) => route.RouteUrl) })),
      Outputs: Object.fromEntries(outputs.map((output) => [output.name, output.value ?? null])),
      Removed: removed.map((fn) => ({ LogicalId: fn.LogicalId, FunctionName: fn.FunctionName })),
    });
    return 0;
  }
  writeLine(io.stdout, `deployed stack ${stackName}: ${deployed.length} function${deployed.length === 1 ? "" : "s"}`);
  for (const item of deployed) {
    writeLine(io.stdout, `  ${item.action} ${item.plan.functionName} (${item.plan.logicalId})${item.version ? `, version ${item.version} as ${item.plan.alias}` : ""}`);
    for (const route of item.routes) writeLine(io.stdout, `    route  ${route.Methods.join(",")} ${route.RouteUrl}`);
    for (const schedule of item.plan.schedules) writeLine(io.stdout, `    schedule  ${schedule.name}: ${schedule.expression}${schedule.enabled ? "" : " (disabled)"}`);
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
  return 0;
}

function refuse(problems: readonly TemplateProblem[], io: CliIo): number {
  writeLine(io.stderr, "error: the template cannot be deployed; nothing was changed:");
  for (const problem of problems) writeLine(io.stderr, `  ${describeProblem(problem)}`);
  return 1;
}

/** The cluster's region and account, read from any function's ARN; Lambent's defaults on an empty cluster. */
async function clusterFacts(client: ApiClient): Promise<DeployFacts> {
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
    for (const schedule of fn.schedules) {
      const trigger = await getOrUndefined(() => client.getTrigger(schedule.name));
      if (trigger !== undefined && (trigger.FunctionName !== fn.functionName || trigger.Schedule === undefined)) {
        problems.push({ where: fn.logicalId, property: `Events.${schedule.eventId}`, message: `the trigger ${schedule.name} already exists for the function ${trigger.FunctionName}` });
      }
    }
  }
  return problems;
}

async function deployFunction(client: ApiClient, fn: FunctionPlan, built: BuiltPackage, exists: boolean, hadConcurrency: boolean, made: MadeByDeploy): Promise<DeployedFunction> {
  const name = fn.functionName;
  let configuration: FunctionConfiguration;
  if (!exists) {
    configuration = await client.createFunction({ FunctionName: name, Role: fn.role, ...fn.settings, Code: { ZipFile: built.zipFile } });
    made.functions.push(name);
  } else {
    await settle(client, name);
    made.updated.push(name);
    await client.updateFunctionCode(name, built.zipFile);
    await settle(client, name);
    // What the template leaves out goes back to Lambda's default, as CloudFormation's update does.
    const settings: FunctionSettings & { Role: string } = {
      Layers: [],
      DeadLetterConfig: { TargetArn: "" },
      TracingConfig: { Mode: "PassThrough" },
      ...fn.settings,
      Role: fn.role,
    };
    configuration = await client.updateFunctionConfiguration(name, settings);
  }
  await client.tagResource(configuration.FunctionArn, fn.tags);
  const result: DeployedFunction = { plan: fn, action: exists ? "updated" : "created", configuration, routes: [] };
  if (fn.alias !== undefined) {
    await settle(client, name);
    const version = (await client.publishVersion(name)).Version;
    const alias = await getOrUndefined(() => client.getAlias(name, fn.alias!));
    if (alias === undefined) await client.createAlias(name, { Name: fn.alias, FunctionVersion: version });
    else await client.updateAlias(name, fn.alias, { FunctionVersion: version });
    result.version = version;
  }
  if (fn.reservedConcurrency !== undefined) await client.putFunctionConcurrency(name, fn.reservedConcurrency);
  else if (hadConcurrency) await client.deleteFunctionConcurrency(name);
  const current = await getOrUndefined(() => client.getFunctionUrlConfig(name, fn.alias));
  if (fn.url !== undefined) result.url = (current === undefined ? await client.createFunctionUrlConfig(name, fn.alias, fn.url) : await client.updateFunctionUrlConfig(name, fn.alias, fn.url)).FunctionUrl;
  else if (current !== undefined) await client.deleteFunctionUrlConfig(name, fn.alias);
  return result;
}

/**
 * The template's functions end with exactly the routes it lists: a route is never changed in place, so one
 * that differs is removed and added again. Every stale route goes first, so a path may move between two of
 * the template's functions in one deploy.
 */
async function applyRoutes(client: ApiClient, deployed: DeployedFunction[]): Promise<void> {
  const wanted = (item: DeployedFunction): { path: string; methods: string[]; qualifier: string }[] =>
    item.plan.routes.map((route) => ({ path: route.path, methods: route.methods, qualifier: item.plan.alias ?? "$LATEST" }));
  const same = (route: RouteConfiguration, want: { path: string; methods: string[]; qualifier: string }): boolean =>
    route.Path === want.path && route.Qualifier === want.qualifier && route.Methods.length === want.methods.length && want.methods.every((method) => route.Methods.includes(method));
  const kept = new Map<DeployedFunction, RouteConfiguration[]>();
  for (const item of deployed) {
    const current = (await client.listRoutes({ functionName: item.plan.functionName })).Routes;
    const keep: RouteConfiguration[] = [];
    for (const route of current) {
      if (wanted(item).some((want) => same(route, want))) keep.push(route);
      else await client.deleteRoute(route.RouteId);
    }
    kept.set(item, keep);
  }
  for (const item of deployed) {
    const keep = kept.get(item)!;
    for (const want of wanted(item)) {
      const route = keep.find((candidate) => same(candidate, want)) ?? (await client.createRoute({ Path: want.path, Methods: want.methods, FunctionName: item.plan.functionName, Qualifier: want.qualifier }));
      item.routes.push(route);
    }
  }
}

/** Each schedule created or updated by name; a schedule trigger named for the function's events that the template no longer lists is removed. */
async function applySchedules(client: ApiClient, fn: FunctionPlan, made: MadeByDeploy): Promise<void> {
  const qualifier = fn.alias ?? "$LATEST";
  for (const schedule of fn.schedules) {
    const existing = await getOrUndefined(() => client.getTrigger(schedule.name));
    const source = { Expression: schedule.expression, ...(schedule.timezone ? { Timezone: schedule.timezone } : {}), Input: schedule.input ?? "" };
    if (existing === undefined) {
      const { Input, ...created } = source;
      await client.createTrigger({ Name: schedule.name, FunctionName: fn.functionName, Qualifier: qualifier, Enabled: schedule.enabled, Description: schedule.description ?? "", Schedule: Input === "" ? created : { ...created, Input } });
      made.triggers.push(schedule.name);
    } else {
      await client.updateTrigger(schedule.name, { Enabled: schedule.enabled, Qualifier: qualifier, Description: schedule.description ?? "", Schedule: { Timezone: "UTC", ...source } });
    }
  }
  const wanted = new Set(fn.schedules.map((schedule) => schedule.name));
  const { Triggers } = await client.listTriggers({ functionName: fn.functionName });
  for (const trigger of Triggers) {
    if (trigger.Schedule !== undefined && trigger.Name.startsWith(`${fn.functionName}-`) && !wanted.has(trigger.Name)) await client.deleteTrigger(trigger.Name);
  }
}

/**
 * After a failure midway: the functions and triggers this deploy created are deleted again (a function's
 * routes, URL and permissions go with it), so a first deploy that fails leaves nothing behind. Functions that
 * existed and were already updated stay updated, and the message says which: undoing those needs the
 * application revisions that are not built yet.
 */
async function undoWhatWasMade(client: ApiClient, made: MadeByDeploy, io: CliIo): Promise<void> {
  const failedUndo: string[] = [];
  for (const name of made.triggers) await client.deleteTrigger(name).catch(() => failedUndo.push(`trigger ${name}`));
  for (const name of made.functions) await client.deleteFunction(name).catch(() => failedUndo.push(`function ${name}`));
  if (made.functions.length === 0 && made.triggers.length === 0 && made.updated.length === 0) {
    writeLine(io.stderr, "error: the deploy failed at its first change; nothing was changed");
    return;
  }
  writeLine(io.stderr, "error: the deploy failed midway");
  if (made.functions.length > 0) writeLine(io.stderr, `  removed again the functions it had created: ${made.functions.join(", ")}`);
  if (made.updated.length > 0) writeLine(io.stderr, `  functions that existed before and were updated stay updated (there is no rollback yet): ${made.updated.join(", ")}`);
  if (failedUndo.length > 0) writeLine(io.stderr, `  could not remove: ${failedUndo.join(", ")}`);
}

/** Waits while the function is Pending or an update is InProgress: Lambda refuses the next change meanwhile. */
async function settle(client: ApiClient, name: string): Promise<void> {
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const configuration = await client.getFunctionConfiguration(name);
    if (configuration.State !== "Pending" && configuration.LastUpdateStatus !== "InProgress") return;
    if (Date.now() > deadline) throw new ApiError("ResourceConflictException", `${name} is still being updated`, 409);
    await new Promise((done) => setTimeout(done, SETTLE_POLL_MS));
  }
}

/** The answer, or undefined when the API says the thing is not there (404). */
async function getOrUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}
