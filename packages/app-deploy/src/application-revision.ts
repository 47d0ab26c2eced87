// An application revision as the CLI records it (CreateApplicationRevision's Document): the template and
// parameters, and for each function its plan and the version frozen after the deploy, whose code and
// configuration a rollback restores. And the diff of a plan against a revision: what a deploy would change.
import { createHash } from "node:crypto";
import type { FunctionPlan, LayerPlan, PermissionPlan, StateMachinePlan } from "@lambent/sam-template";

export interface RevisionFunction {
  LogicalId: string;
  FunctionName: string;
  /** The version frozen after the deploy. */
  Version: string;
  CodeSha256: string;
  /** The SHA-256 of the package as the deployer uploaded it, so a diff sees a code change before any upload. */
  PackageSha256: string;
  Plan: FunctionPlan;
}

/** A layer version a revision uses (stack-layers.ts). */
export interface RevisionLayer {
  LogicalId: string;
  LayerName: string;
  Version: number;
  LayerVersionArn: string;
  /** The SHA-256 (base64) of the zip as published, so an unchanged layer is known before any upload. */
  ContentSha256: string;
  Plan: LayerPlan;
}

export interface RevisionDocument {
  Operation: "deploy" | "rollback";
  /** The template's text and path, and the parameter overrides, of a deploy. */
  Template?: string;
  TemplatePath?: string;
  Parameters: Record<string, string>;
  /** For a rollback: the revision it returned to. */
  RestoredRevision?: number;
  Functions: RevisionFunction[];
  Permissions: PermissionPlan[];
  /** Absent in revisions recorded before state machines were deployed from templates. */
  StateMachines?: StateMachinePlan[];
  /** Absent in revisions of templates without layers. */
  Layers?: RevisionLayer[];
}

/** A revision document as stored; one this CLI cannot read is an error naming the revision. */
export function revisionDocumentOf(document: Record<string, unknown>, revision: number): RevisionDocument {
  if (!Array.isArray(document.Functions) || !Array.isArray(document.Permissions) || (document.Operation !== "deploy" && document.Operation !== "rollback")) {
    throw new Error(`revision ${revision} was not recorded by lambent deploy: it lists no Functions`);
  }
  return document as unknown as RevisionDocument;
}

export function packageSha256(zipFileBase64: string): string {
  return createHash("sha256").update(Buffer.from(zipFileBase64, "base64")).digest("base64");
}

export interface ResourceChange {
  action: "add" | "change" | "remove";
  /** `function <name>` or `permission <LogicalId>`. */
  resource: string;
  logicalId: string;
  /** For a change: what differs, one item each. */
  details: string[];
}

/** What a function's plan would become: its plan and the hash of its new package. */
export interface PlannedFunction {
  plan: FunctionPlan;
  packageSha256: string;
}

/** The changes from `current` (undefined: nothing deployed) to the planned functions and permissions, in the template's order, removals last. */
export function diffRevision(current: RevisionDocument | undefined, functions: readonly PlannedFunction[], permissions: readonly PermissionPlan[], stateMachines: readonly StateMachinePlan[] = []): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const before = new Map((current?.Functions ?? []).map((fn) => [fn.FunctionName, fn]));
  for (const { plan, packageSha256: sha } of functions) {
    const old = before.get(plan.functionName);
    if (old === undefined) {
      changes.push({ action: "add", resource: `function ${plan.functionName}`, logicalId: plan.logicalId, details: [] });
      continue;
    }
    const details = functionDifferences(old, plan, sha);
    if (details.length > 0) changes.push({ action: "change", resource: `function ${plan.functionName}`, logicalId: plan.logicalId, details });
  }
  const oldPermissions = new Map((current?.Permissions ?? []).map((permission) => [permission.logicalId, permission]));
  for (const permission of permissions) {
    const old = oldPermissions.get(permission.logicalId);
    if (old === undefined) changes.push({ action: "add", resource: `permission ${permission.logicalId}`, logicalId: permission.logicalId, details: [] });
    else if (!sameJson(old, permission)) changes.push({ action: "change", resource: `permission ${permission.logicalId}`, logicalId: permission.logicalId, details: ["statement"] });
  }
  const oldMachines = new Map((current?.StateMachines ?? []).map((machine) => [machine.name, machine]));
  for (const machine of stateMachines) {
    const old = oldMachines.get(machine.name);
    if (old === undefined) changes.push({ action: "add", resource: `state machine ${machine.name}`, logicalId: machine.logicalId, details: [] });
    else {
      const details = (["definition", "roleArn", "type", "tags"] as const).filter((key) => !sameJson(old[key], machine[key]));
      if (details.length > 0) changes.push({ action: "change", resource: `state machine ${machine.name}`, logicalId: machine.logicalId, details: [...details] });
    }
  }
  const planned = new Set(functions.map((fn) => fn.plan.functionName));
  for (const old of current?.Functions ?? []) {
    if (!planned.has(old.FunctionName)) changes.push({ action: "remove", resource: `function ${old.FunctionName}`, logicalId: old.LogicalId, details: [] });
  }
  for (const old of current?.StateMachines ?? []) {
    if (!stateMachines.some((machine) => machine.name === old.name)) changes.push({ action: "remove", resource: `state machine ${old.name}`, logicalId: old.logicalId, details: [] });
  }
  const kept = new Set(permissions.map((permission) => permission.logicalId));
  for (const old of current?.Permissions ?? []) {
    if (!kept.has(old.logicalId)) changes.push({ action: "remove", resource: `permission ${old.logicalId}`, logicalId: old.logicalId, details: [] });
  }
  return changes;
}

function functionDifferences(old: RevisionFunction, plan: FunctionPlan, sha: string): string[] {
  const details: string[] = [];
  if (old.PackageSha256 !== sha) details.push("code");
  const oldSettings: Record<string, unknown> = { ...old.Plan.settings, Role: old.Plan.role };
  const newSettings: Record<string, unknown> = { ...plan.settings, Role: plan.role };
  for (const key of [...new Set([...Object.keys(oldSettings), ...Object.keys(newSettings)])].sort()) {
    if (!sameJson(oldSettings[key], newSettings[key])) details.push(`${key}: ${show(oldSettings[key])} → ${show(newSettings[key])}`);
  }
  const simple: [string, unknown, unknown][] = [
    ["Tags", old.Plan.tags, plan.tags],
    ["ReservedConcurrentExecutions", old.Plan.reservedConcurrency, plan.reservedConcurrency],
    ["ProvisionedConcurrencyConfig", old.Plan.provisionedConcurrency, plan.provisionedConcurrency],
    ["EventInvokeConfig", old.Plan.eventInvokeConfig, plan.eventInvokeConfig],
    ["AutoPublishAlias", old.Plan.alias, plan.alias],
    ["FunctionUrlConfig", old.Plan.url, plan.url],
  ];
  for (const [name, was, now] of simple) if (!sameJson(was, now)) details.push(`${name}: ${show(was)} → ${show(now)}`);
  const routeKey = (route: { path: string; methods: string[] }): string => `${route.methods.join(",")} ${route.path}`;
  details.push(...setChanges("route", old.Plan.routes.map(routeKey), plan.routes.map(routeKey)));
  const scheduleKey = (schedule: FunctionPlan["schedules"][number]): string => `${schedule.name} ${JSON.stringify({ ...schedule, eventId: undefined })}`;
  const oldSchedules = new Map(old.Plan.schedules.map((schedule) => [schedule.name, scheduleKey(schedule)]));
  const newSchedules = new Map(plan.schedules.map((schedule) => [schedule.name, scheduleKey(schedule)]));
  for (const [name, key] of newSchedules) {
    if (!oldSchedules.has(name)) details.push(`schedule + ${name}`);
    else if (oldSchedules.get(name) !== key) details.push(`schedule ~ ${name}`);
  }
  for (const name of oldSchedules.keys()) if (!newSchedules.has(name)) details.push(`schedule - ${name}`);
  const oldMappings = new Map((old.Plan.mappings ?? []).map((mapping) => [mapping.eventSourceArn, mapping.settings]));
  const newMappings = new Map((plan.mappings ?? []).map((mapping) => [mapping.eventSourceArn, mapping.settings]));
  for (const [source, settings] of newMappings) {
    if (!oldMappings.has(source)) details.push(`mapping + ${source}`);
    else if (!sameJson(oldMappings.get(source), settings)) details.push(`mapping ~ ${source}`);
  }
  for (const source of oldMappings.keys()) if (!newMappings.has(source)) details.push(`mapping - ${source}`);
  const oldTriggers = new Map((old.Plan.notifications ?? []).map((trigger) => [trigger.name, trigger]));
  const newTriggers = new Map((plan.notifications ?? []).map((trigger) => [trigger.name, trigger]));
  for (const [name, trigger] of newTriggers) {
    if (!oldTriggers.has(name)) details.push(`trigger + ${name}`);
    else if (!sameJson(oldTriggers.get(name), trigger)) details.push(`trigger ~ ${name}`);
  }
  for (const name of oldTriggers.keys()) if (!newTriggers.has(name)) details.push(`trigger - ${name}`);
  return details;
}

function setChanges(label: string, before: string[], after: string[]): string[] {
  return [...after.filter((item) => !before.includes(item)).map((item) => `${label} + ${item}`), ...before.filter((item) => !after.includes(item)).map((item) => `${label} - ${item}`)];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

/** Keys in order, so two objects written in another order compare equal. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, item]) => [key, sorted(item)]),
  );
}

function show(value: unknown): string {
  if (value === undefined) return "(none)";
  return typeof value === "string" ? value : JSON.stringify(value);
}
