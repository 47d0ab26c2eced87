// Applies a stack's planned functions, routes, schedules and permissions through Lambent's API, each change
// written to the deploy's journal (deploy-journal.ts) before it is made, so a failure anywhere is undone.
// Used by a template deploy and by a rollback (which applies an earlier revision's plans and packages).
import type { EventInvokeConfigRequest, FunctionConfiguration, FunctionSettings, GetFunctionResponse, RouteConfiguration, TriggerSchedule } from "@lambent/lambda-api";
import type { FunctionPlan, PermissionPlan, StateMachinePlan } from "@lambent/sam-template";
import { ApiError, type ApiClient } from "./api-client.js";
import type { HeldLock } from "./application-lock.js";
import { eventInvokeRequestOf, ignoreMissing, mappingSettingsOf, type RouteSnapshot, type TriggerSnapshot } from "./deploy-journal.js";
import { applyNotifications } from "./stack-notifications.js";
import { applyStateMachines, sfnClientOf } from "./stack-state-machines.js";

const SETTLE_WAIT_MS = 60_000;
const SETTLE_POLL_MS = 250;

export interface StackApplyInput {
  stackName: string;
  functions: readonly FunctionPlan[];
  stateMachines: readonly StateMachinePlan[];
  permissions: readonly PermissionPlan[];
  /** Each function's package (base64 zip), by logical id. */
  packages: ReadonlyMap<string, string>;
  /** The functions that exist already, by logical id. */
  existing: ReadonlyMap<string, GetFunctionResponse>;
  /** A deploy leaves an alias with a DeploymentPreference for the scheduler to move; a rollback moves it at once. */
  operation?: "deploy" | "rollback";
}

/** What one function's deploy did. */
export interface DeployedFunction {
  plan: FunctionPlan;
  action: "created" | "updated";
  configuration: FunctionConfiguration;
  /** The version AutoPublishAlias published. */
  version?: string;
  /** A gradual deployment (DeploymentPreference): the alias stays on `fromVersion` and the leading scheduler moves it. */
  deployment?: { fromVersion: string; toVersion: string };
  /** The version frozen after the deploy, which a rollback to this revision restores. */
  frozenVersion: string;
  codeSha256: string;
  url?: string;
  routes: RouteConfiguration[];
}

/** Applies everything, journaled; throws at the first failure, leaving the undo to the caller (it holds the journal). */
export async function applyStack(client: ApiClient, input: StackApplyInput, lock: HeldLock): Promise<DeployedFunction[]> {
  const { functions } = input;
  const deployed: DeployedFunction[] = [];
  // New functions first: a failure among them never reaches a function that existed.
  const order = [...functions.filter((fn) => !input.existing.has(fn.logicalId)), ...functions.filter((fn) => input.existing.has(fn.logicalId))];
  for (const fn of order) deployed.push(await deployFunction(client, fn, input.packages.get(fn.logicalId)!, input.existing.get(fn.logicalId), lock, input.operation === "deploy"));
  deployed.sort((a, b) => functions.indexOf(a.plan) - functions.indexOf(b.plan));
  // Once every function exists: a destination may be another function of the template.
  for (const fn of functions) await applyEventInvokeConfig(client, fn);
  await applyRoutes(client, deployed, lock);
  for (const fn of functions) await applySchedules(client, fn, lock);
  for (const fn of functions) await applyNotifications(client, fn, lock);
  for (const fn of functions) await applyMappings(client, fn, lock);
  for (const permission of input.permissions) await applyPermission(client, permission, lock);
  // After the functions: a definition's tasks name them.
  await applyStateMachines(sfnClientOf(client), input.stackName, input.stateMachines, lock);
  return deployed;
}

async function deployFunction(client: ApiClient, fn: FunctionPlan, zipFile: string, existing: GetFunctionResponse | undefined, lock: HeldLock, gradual: boolean): Promise<DeployedFunction> {
  const name = fn.functionName;
  let configuration: FunctionConfiguration;
  if (existing === undefined) {
    await lock.record({ kind: "function-created", functionName: name });
    configuration = await client.createFunction({ FunctionName: name, Role: fn.role, ...fn.settings, Code: { ZipFile: zipFile } });
  } else {
    await settle(client, name);
    // $LATEST frozen as it is (an unchanged $LATEST gives back its last version), so the undo can restore it.
    const restoreVersion = (await client.publishVersion(name)).Version;
    const aliasVersion = fn.alias === undefined ? undefined : ((await ignoreMissing(() => client.getAlias(name, fn.alias!)))?.FunctionVersion ?? null);
    const url = await ignoreMissing(() => client.getFunctionUrlConfig(name, fn.alias));
    const provisioned = fn.alias === undefined || aliasVersion === null ? undefined : await ignoreMissing(() => client.getProvisionedConcurrencyConfig(name, fn.alias!));
    const eventInvokeConfigs: { qualifier: string; config: EventInvokeConfigRequest | null }[] = [];
    for (const qualifier of eventInvokeQualifiers(fn)) {
      const config = fn.alias === qualifier && aliasVersion === null ? undefined : await ignoreMissing(() => client.getFunctionEventInvokeConfig(name, qualifier));
      eventInvokeConfigs.push({ qualifier, config: config === undefined ? null : eventInvokeRequestOf(config) });
    }
    await lock.record({
      kind: "function-updated",
      functionName: name,
      restoreVersion,
      ...(fn.alias !== undefined ? { alias: { name: fn.alias, version: aliasVersion ?? null } } : {}),
      reservedConcurrency: existing.Concurrency?.ReservedConcurrentExecutions ?? null,
      url: { ...(fn.alias !== undefined ? { qualifier: fn.alias } : {}), config: url === undefined ? null : { AuthType: url.AuthType, ...(url.Cors ? { Cors: url.Cors } : {}), ...(url.InvokeMode ? { InvokeMode: url.InvokeMode } : {}) } },
      ...(fn.alias !== undefined ? { provisioned: { qualifier: fn.alias, count: provisioned?.RequestedProvisionedConcurrentExecutions ?? null } } : {}),
      eventInvokeConfigs,
    });
    await client.updateFunctionCode(name, zipFile);
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
  await settle(client, name);
  const frozen = await client.publishVersion(name);
  const result: DeployedFunction = { plan: fn, action: existing ? "updated" : "created", configuration, frozenVersion: frozen.Version, codeSha256: frozen.CodeSha256, routes: [] };
  if (fn.alias !== undefined) {
    const alias = await ignoreMissing(() => client.getAlias(name, fn.alias!));
    if (alias === undefined) await client.createAlias(name, { Name: fn.alias, FunctionVersion: frozen.Version });
    else if (gradual && fn.deployment !== undefined && alias.FunctionVersion !== frozen.Version && alias.FunctionVersion !== "$LATEST") {
      // The alias stays on the version it serves, without the weights of a deployment this one replaces.
      await client.updateAlias(name, fn.alias, { FunctionVersion: alias.FunctionVersion, RoutingConfig: { AdditionalVersionWeights: {} } });
      result.deployment = { fromVersion: alias.FunctionVersion, toVersion: frozen.Version };
    } else await client.updateAlias(name, fn.alias, { FunctionVersion: frozen.Version, ...(alias.RoutingConfig !== undefined ? { RoutingConfig: { AdditionalVersionWeights: {} } } : {}) });
    result.version = frozen.Version;
  }
  await applyConcurrency(client, fn, existing);
  const current = await ignoreMissing(() => client.getFunctionUrlConfig(name, fn.alias));
  if (fn.url !== undefined) result.url = (current === undefined ? await client.createFunctionUrlConfig(name, fn.alias, fn.url) : await client.updateFunctionUrlConfig(name, fn.alias, fn.url)).FunctionUrl;
  else if (current !== undefined) await client.deleteFunctionUrlConfig(name, fn.alias);
  return result;
}

/**
 * Reserved concurrency, and provisioned concurrency on the alias, as the plan says (none when it says
 * nothing). A reservation may not be below what is provisioned, so provisioned concurrency that goes down
 * goes down first, and one that goes up goes up after the reservation.
 */
async function applyConcurrency(client: ApiClient, fn: FunctionPlan, existing: GetFunctionResponse | undefined): Promise<void> {
  const name = fn.functionName;
  const current = fn.alias === undefined || existing === undefined ? undefined : (await ignoreMissing(() => client.getProvisionedConcurrencyConfig(name, fn.alias!)))?.RequestedProvisionedConcurrentExecutions;
  const provision = async (): Promise<void> => {
    if (fn.provisionedConcurrency !== undefined) {
      if (current !== fn.provisionedConcurrency) await client.putProvisionedConcurrencyConfig(name, fn.alias!, fn.provisionedConcurrency);
    } else if (current !== undefined) await client.deleteProvisionedConcurrencyConfig(name, fn.alias!);
  };
  const lowering = current !== undefined && (fn.provisionedConcurrency === undefined || fn.provisionedConcurrency < current);
  if (lowering) await provision();
  if (fn.reservedConcurrency !== undefined) await client.putFunctionConcurrency(name, fn.reservedConcurrency);
  else if (existing?.Concurrency !== undefined) await client.deleteFunctionConcurrency(name);
  if (!lowering) await provision();
}

/** The qualifiers whose EventInvokeConfig a deploy sets or removes: the alias's (the template's) and $LATEST's, or $LATEST's alone. */
function eventInvokeQualifiers(fn: FunctionPlan): string[] {
  return fn.alias === undefined ? ["$LATEST"] : [fn.alias, "$LATEST"];
}

/**
 * The function's EventInvokeConfig as the plan says, on its alias when it has one (else on $LATEST); the
 * other qualifier the deploy manages is left without one, as is the target when the plan has none. The
 * function-updated step holds them as they were (a created function goes with its configs).
 */
async function applyEventInvokeConfig(client: ApiClient, fn: FunctionPlan): Promise<void> {
  const [target, ...others] = eventInvokeQualifiers(fn);
  for (const qualifier of others) await ignoreMissing(() => client.deleteFunctionEventInvokeConfig(fn.functionName, qualifier));
  if (fn.eventInvokeConfig !== undefined) await client.putFunctionEventInvokeConfig(fn.functionName, target, fn.eventInvokeConfig);
  else await ignoreMissing(() => client.deleteFunctionEventInvokeConfig(fn.functionName, target));
}

/**
 * The template's functions end with exactly the routes it lists: a route is never changed in place, so one
 * that differs is removed and added again. Every stale route goes first, so a path may move between two of
 * the template's functions in one deploy.
 */
async function applyRoutes(client: ApiClient, deployed: DeployedFunction[], lock: HeldLock): Promise<void> {
  const wanted = (item: DeployedFunction): RouteSnapshot[] => item.plan.routes.map((route) => ({ Path: route.path, Methods: route.methods, Qualifier: item.plan.alias ?? "$LATEST" }));
  const same = (route: RouteConfiguration, want: RouteSnapshot): boolean =>
    route.Path === want.Path && route.Qualifier === want.Qualifier && route.Methods.length === want.Methods.length && want.Methods.every((method) => route.Methods.includes(method));
  const current = new Map<DeployedFunction, RouteConfiguration[]>();
  for (const item of deployed) current.set(item, (await client.listRoutes({ functionName: item.plan.functionName })).Routes);
  await lock.record({
    kind: "routes-replaced",
    routes: Object.fromEntries(deployed.map((item) => [item.plan.functionName, current.get(item)!.map((route) => ({ Path: route.Path, Methods: route.Methods, Qualifier: route.Qualifier }))])),
  });
  const kept = new Map<DeployedFunction, RouteConfiguration[]>();
  for (const item of deployed) {
    const keep: RouteConfiguration[] = [];
    for (const route of current.get(item)!) {
      if (wanted(item).some((want) => same(route, want))) keep.push(route);
      else await client.deleteRoute(route.RouteId);
    }
    kept.set(item, keep);
  }
  for (const item of deployed) {
    const keep = kept.get(item)!;
    for (const want of wanted(item)) {
      const route = keep.find((candidate) => same(candidate, want)) ?? (await client.createRoute({ Path: want.Path, Methods: want.Methods, FunctionName: item.plan.functionName, Qualifier: want.Qualifier }));
      item.routes.push(route);
    }
  }
}

/** Each schedule created or updated by name; a schedule trigger named for the function's events that the template no longer lists is removed. */
async function applySchedules(client: ApiClient, fn: FunctionPlan, lock: HeldLock): Promise<void> {
  const qualifier = fn.alias ?? "$LATEST";
  for (const schedule of fn.schedules) {
    const existing = await ignoreMissing(() => client.getTrigger(schedule.name));
    const source = { Expression: schedule.expression, ...(schedule.timezone ? { Timezone: schedule.timezone } : {}), Input: schedule.input ?? "" };
    if (existing === undefined) {
      await lock.record({ kind: "trigger-created", name: schedule.name });
      const { Input, ...created } = source;
      await client.createTrigger({ Name: schedule.name, FunctionName: fn.functionName, Qualifier: qualifier, Enabled: schedule.enabled, Description: schedule.description ?? "", Schedule: Input === "" ? created : { ...created, Input } });
    } else {
      if (existing.Schedule !== undefined) await lock.record({ kind: "trigger-updated", name: schedule.name, before: snapshotOf(existing.FunctionName, existing, existing.Schedule) });
      await client.updateTrigger(schedule.name, { Enabled: schedule.enabled, Qualifier: qualifier, Description: schedule.description ?? "", Schedule: { Timezone: "UTC", ...source } });
    }
  }
  const wanted = new Set(fn.schedules.map((schedule) => schedule.name));
  const { Triggers } = await client.listTriggers({ functionName: fn.functionName });
  for (const trigger of Triggers) {
    if (trigger.Schedule !== undefined && trigger.Name.startsWith(`${fn.functionName}-`) && !wanted.has(trigger.Name)) {
      await lock.record({ kind: "trigger-deleted", name: trigger.Name, before: snapshotOf(fn.functionName, trigger, trigger.Schedule) });
      await client.deleteTrigger(trigger.Name);
    }
  }
}

function snapshotOf(functionName: string, trigger: { Qualifier: string; Enabled: boolean; Description: string }, schedule: TriggerSchedule): TriggerSnapshot {
  return { FunctionName: functionName, Qualifier: trigger.Qualifier, Enabled: trigger.Enabled, Description: trigger.Description, Schedule: { Expression: schedule.Expression, Timezone: schedule.Timezone, ...(schedule.Input !== undefined ? { Input: schedule.Input } : {}) } };
}

/**
 * The function ends with one mapping per source the template lists: an existing mapping of the source is
 * updated with the template's settings, a missing one created, and a mapping of a source the template no
 * longer lists deleted (a stack's function reads what its template says).
 */
async function applyMappings(client: ApiClient, fn: FunctionPlan, lock: HeldLock): Promise<void> {
  const wanted = fn.mappings ?? [];
  const current = (await client.listEventSourceMappings({ functionName: fn.functionName })).EventSourceMappings;
  for (const mapping of wanted) {
    const existing = current.find((candidate) => candidate.EventSourceArn === mapping.eventSourceArn);
    if (existing === undefined) {
      await lock.record({ kind: "mapping-created", functionName: fn.functionName, eventSourceArn: mapping.eventSourceArn });
      await client.createEventSourceMapping({ FunctionName: fn.functionName, EventSourceArn: mapping.eventSourceArn, ...mapping.settings });
    } else {
      await lock.record({ kind: "mapping-updated", uuid: existing.UUID, before: mappingSettingsOf(existing) });
      // Only the settings given change: the position a stream is read from stays, as Lambda keeps it.
      const { StartingPosition: _position, StartingPositionTimestamp: _timestamp, ...settings } = mapping.settings;
      await client.updateEventSourceMapping(existing.UUID, { Enabled: true, ...settings });
    }
  }
  for (const mapping of current) {
    if (wanted.some((want) => want.eventSourceArn === mapping.EventSourceArn)) continue;
    await lock.record({ kind: "mapping-deleted", functionName: fn.functionName, eventSourceArn: mapping.EventSourceArn, before: { ...mappingSettingsOf(mapping), ...(mapping.StartingPosition ? { StartingPosition: mapping.StartingPosition } : {}) } });
    await client.deleteEventSourceMapping(mapping.UUID);
  }
}

async function applyPermission(client: ApiClient, permission: PermissionPlan, lock: HeldLock): Promise<void> {
  const policy = await ignoreMissing(() => client.getPolicy(permission.functionName, permission.qualifier));
  const statements = policy === undefined ? [] : ((JSON.parse(policy.Policy) as { Statement?: { Sid?: string }[] }).Statement ?? []);
  const existed = statements.some((statement) => statement.Sid === permission.request.StatementId);
  await lock.record({ kind: "permission-replaced", functionName: permission.functionName, ...(permission.qualifier ? { qualifier: permission.qualifier } : {}), statementId: permission.request.StatementId, existed });
  if (existed) await client.removePermission(permission.functionName, permission.request.StatementId, permission.qualifier);
  await client.addPermission(permission.functionName, permission.qualifier, permission.request);
}

/** Waits while the function is Pending or an update is InProgress: Lambda refuses the next change meanwhile. */
export async function settle(client: ApiClient, name: string): Promise<void> {
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const configuration = await client.getFunctionConfiguration(name);
    if (configuration.State !== "Pending" && configuration.LastUpdateStatus !== "InProgress") return;
    if (Date.now() > deadline) throw new ApiError("ResourceConflictException", `${name} is still being updated`, 409);
    await new Promise((done) => setTimeout(done, SETTLE_POLL_MS));
  }
}
