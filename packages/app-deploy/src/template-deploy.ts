// A SAM template deployed as one change: planned and checked in full, every package built and the cluster
// read for conflicts before the first change; then each function created or updated in place with its
// alias, URL, concurrency, routes and schedules (its layers published first), recorded as a revision.
// What the deploy did comes back as data: the CLI prints it, the API route answers it.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ApplicationDeployment, GetFunctionResponse, RouteConfiguration } from "@lambent/lambda-api";
import { planTemplate, TemplateError, type DeployFacts, type FunctionPlan, type OutputPlan, type TemplatePlan, type TemplateProblem } from "@lambent/sam-template";
import { getOrUndefined, type ApiClient } from "./api-client.js";
import { diffRevision, packageSha256, revisionDocumentOf, type ResourceChange, type RevisionLayer } from "./application-revision.js";
import type { StackFunction } from "./applications.js";
import { DeployInputError, type DeployReporter } from "./reporter.js";
import type { DeployedFunction } from "./stack-apply.js";
import { followDeployments } from "./stack-deployments.js";
import { buildLayers, layerChanges, layerVersionArnsOf, unchangedLayers, type LayerApply } from "./stack-layers.js";
import { notificationConflicts } from "./stack-notifications.js";
import { applyAsRevision, currentRevision } from "./stack-revision.js";
import { listStateMachines, sfnClientOf, stateMachineConflicts } from "./stack-state-machines.js";
import { buildPackages } from "./template-code.js";

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/** Lambent's defaults (LAMBENT_REGION, LAMBENT_ACCOUNT_ID), for a cluster with no function to read them from. */
const DEFAULT_FACTS: DeployFacts = { region: "us-east-1", accountId: "000000000000" };

export interface TemplateDeployOptions {
  /** The template file; its CodeUri and ContentUri paths are relative to its folder. */
  templatePath: string;
  stackName: string;
  parameterOverrides: Record<string, string>;
  client: ApiClient;
  /** Follow the template's gradual deployments until each is over. */
  wait?: boolean;
  /** Leave out each deployment step's progress line while following them. */
  quiet?: boolean;
  /** Read no file outside the template's folder (CodeUri, ContentUri, DefinitionUri): the folder was uploaded. */
  confineToFolder?: boolean;
}

/** The template cannot be deployed; nothing was changed. */
export interface Refused {
  refused: readonly TemplateProblem[];
}

/** What a deploy did. */
export interface TemplateDeployed {
  stackName: string;
  revision: number;
  deployed: DeployedFunction[];
  removed: StackFunction[];
  layers: RevisionLayer[];
  /** The logical ids of the layers whose version was kept (unchanged since the current revision). */
  unchangedLayers: ReadonlySet<string>;
  outputs: OutputPlan[];
  /** The gradual deployments as they ended, when the deploy followed them. */
  ended?: ApplicationDeployment[];
}

/** What deploying a template would change against the stack's current revision. */
export interface TemplateDiff {
  stackName: string;
  currentRevision: number;
  changes: ResourceChange[];
}

/** A template planned, its packages built and the cluster checked. */
interface PreparedTemplate {
  text: string;
  templatePath: string;
  facts: DeployFacts;
  plan: TemplatePlan;
  packages: Map<string, string>;
  existing: Map<string, GetFunctionResponse>;
  /** The template's layers, built, with those unchanged since the current revision; absent without layers. */
  layers?: LayerApply;
  planOf(facts: DeployFacts): TemplatePlan;
}

/** Everything that can refuse the template, before the first change. */
async function prepareTemplate(options: TemplateDeployOptions, reporter: DeployReporter): Promise<PreparedTemplate | Refused> {
  const { client, stackName } = options;
  if (!STACK_NAME.test(stackName)) throw new DeployInputError(`'${stackName}' is not a stack name: a letter, then letters, digits and '-' (128 at most); give --stack-name`);
  const templatePath = resolve(options.templatePath);
  const text = await readFile(templatePath, "utf8");
  const facts = await clusterFacts(client);
  const planOf = (known: DeployFacts): TemplatePlan => planTemplate(text, { templatePath, stackName, parameterOverrides: options.parameterOverrides, facts: known, confineToFolder: options.confineToFolder === true });
  let plan: TemplatePlan;
  try {
    plan = planOf(facts);
  } catch (error) {
    if (error instanceof TemplateError) return { refused: error.problems };
    throw error;
  }
  const { packages, problems } = await buildPackages(plan.functions);
  const layerPlans = plan.layers ?? [];
  const builtLayers = await buildLayers(layerPlans);
  problems.push(...builtLayers.problems);
  const existing = await checkOwnership(client, stackName, plan.functions, problems);
  problems.push(...(await conflictsWithCluster(client, plan)));
  problems.push(...(await notificationConflicts(client, plan.functions)));
  if (plan.stateMachines !== undefined) problems.push(...stateMachineConflicts(stackName, plan.stateMachines, await listStateMachines(sfnClientOf(client))));
  if (problems.length > 0) return { refused: problems };
  for (const warning of plan.warnings) reporter.warning(warning);
  const zips = new Map([...packages].map(([logicalId, built]) => [logicalId, built.zipFile]));
  if (layerPlans.length === 0) return { text, templatePath, facts, plan, packages: zips, existing, planOf };
  // A layer unchanged since the current revision keeps its version: the functions are planned with its ARN.
  const current = await currentRevision(client, stackName);
  const recorded = current === undefined ? [] : (revisionDocumentOf(current.Document, current.Revision).Layers ?? []);
  const known = await unchangedLayers(client, layerPlans, builtLayers.packages, recorded);
  const layers: LayerApply = { plans: layerPlans, packages: builtLayers.packages, known, functionsWith: (arns) => planOf({ ...facts, layerVersionArns: arns }).functions };
  return { text, templatePath, facts, plan: planOf({ ...facts, layerVersionArns: layerVersionArnsOf([...known.values()]) }), packages: zips, existing, layers, planOf };
}

/** What deploying the template would change against the stack's current revision; changes nothing. */
export async function diffTemplate(options: TemplateDeployOptions, reporter: DeployReporter): Promise<TemplateDiff | Refused> {
  const prepared = await prepareTemplate(options, reporter);
  if ("refused" in prepared) return prepared;
  const { plan, packages } = prepared;
  const current = await currentRevision(options.client, options.stackName);
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
  return { stackName: options.stackName, currentRevision: current?.Revision ?? 0, changes };
}

/** Deploys the template under the stack's lock, all or nothing; a refusal changes nothing. */
export async function deployTemplate(options: TemplateDeployOptions, reporter: DeployReporter): Promise<TemplateDeployed | Refused> {
  const prepared = await prepareTemplate(options, reporter);
  if ("refused" in prepared) return prepared;
  const { client, stackName } = options;
  const { plan, packages, existing, text, templatePath, facts, planOf, layers: layerApply } = prepared;
  const document = {
    Operation: "deploy" as const,
    Template: text,
    TemplatePath: templatePath,
    Parameters: options.parameterOverrides,
  };
  const { deployed, removed, revision, layers } = await applyAsRevision(
    client,
    { stackName, functions: plan.functions, permissions: plan.permissions, stateMachines: plan.stateMachines ?? [], packages, existing, document, operation: "deploy", ...(layerApply ? { layers: layerApply } : {}) },
    reporter,
  );
  const outputs = planOf({ ...factsAfter(facts, deployed), layerVersionArns: layerVersionArnsOf(layers) }).outputs;
  const gradual = deployed.filter((item) => item.deployment !== undefined);
  const ended = options.wait === true && gradual.length > 0 ? await followDeployments(client, stackName, revision, reporter, options.quiet === true) : undefined;
  return { stackName, revision, deployed, removed, layers, unchangedLayers: new Set(layerApply?.known.keys() ?? []), outputs, ...(ended !== undefined ? { ended } : {}) };
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
