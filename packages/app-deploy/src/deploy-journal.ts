// The journal of an application deploy: each change is written to the stack's lock in NATS before it is
// made (write-ahead), with what undoing it needs, so a deploy that fails midway undoes its steps in reverse
// and one whose process died is undone by the next actor that takes its expired lock. Undoing a step that
// was written but never made changes nothing: every undo tolerates what is already as it was.
import type { EventInvokeConfigRequest, EventSourceMappingConfiguration, EventSourceMappingRequest, FunctionEventInvokeConfig, FunctionSettings, FunctionUrlConfigRequest, TriggerBucket, TriggerSchedule } from "@lambent/lambda-api";
import { ApiError, getOrUndefined, type ApiClient } from "./api-client.js";
import { removeStackFunction } from "./applications.js";
import { deleteLayerVersions, undoLayerPublished, type LayerStep } from "./stack-layers.js";
import { listStateMachines, sfnClientOf, type StateMachineStep } from "./stack-state-machines.js";

export interface RouteSnapshot {
  Path: string;
  Methods: string[];
  Qualifier: string;
}

export interface TriggerSnapshot {
  FunctionName: string;
  Qualifier: string;
  Enabled: boolean;
  Description: string;
  /** The trigger's source: one of these. */
  Schedule?: TriggerSchedule;
  Topic?: { Subject: string };
  Bucket?: TriggerBucket;
}

export type JournalStep =
  /** A function the deploy creates: undone by deleting it with the triggers that invoke it. */
  | { kind: "function-created"; functionName: string }
  /** An existing function about to change: its $LATEST frozen as `restoreVersion`, and what else the deploy may change. */
  | {
      kind: "function-updated";
      functionName: string;
      restoreVersion: string;
      alias?: { name: string; version: string | null };
      reservedConcurrency: number | null;
      url: { qualifier?: string; config: FunctionUrlConfigRequest | null };
      /** The alias's provisioned concurrency before (absent in journals written before templates set it). */
      provisioned?: { qualifier: string; count: number | null };
      /** The EventInvokeConfig of each qualifier the deploy may set or remove, as it was (absent likewise). */
      eventInvokeConfigs?: { qualifier: string; config: EventInvokeConfigRequest | null }[];
    }
  /** Every route of the listed functions, as they were before the deploy replaced them. */
  | { kind: "routes-replaced"; routes: Record<string, RouteSnapshot[]> }
  | { kind: "trigger-created"; name: string }
  | { kind: "trigger-updated"; name: string; before: TriggerSnapshot }
  | { kind: "trigger-deleted"; name: string; before: TriggerSnapshot }
  /** An event source mapping created: undone by deleting the function's mappings of that source. */
  | { kind: "mapping-created"; functionName: string; eventSourceArn: string }
  /** A mapping's settings changed, or the mapping deleted: `before` is its settings (and source) as they were. */
  | { kind: "mapping-updated"; uuid: string; before: EventSourceMappingRequest }
  | { kind: "mapping-deleted"; functionName: string; eventSourceArn: string; before: EventSourceMappingRequest }
  /** A state machine created, updated (its definition and role before), or deleted (all of it before). */
  | StateMachineStep
  /** A layer version about to be published. */
  | LayerStep
  /** A permission statement replaced (or added, when `existed` is false). */
  | { kind: "permission-replaced"; functionName: string; qualifier?: string; statementId: string; existed: boolean }
  /**
   * The deploy's revision is recorded: from here on it goes forward, never back. What follows only removes
   * the functions the revision no longer lists, and the layer versions it no longer uses whose RetentionPolicy
   * is Delete, which whoever finds the journal finishes.
   */
  | { kind: "committed"; revision: number; remove: string[]; removeLayerVersions?: string[] };

export interface Journal {
  operation: "deploy" | "rollback" | "delete";
  /** The revision running when the deploy began (0: none). */
  baseRevision: number;
  steps: JournalStep[];
}

/** Reads a journal from the lock (written by any version of the CLI, or empty). */
export function journalOf(document: Record<string, unknown>): Journal | undefined {
  const steps = document.steps;
  if (!Array.isArray(steps) || steps.length === 0) return undefined;
  return { operation: (document.operation as Journal["operation"] | undefined) ?? "deploy", baseRevision: Number(document.baseRevision ?? 0), steps: steps as JournalStep[] };
}

export interface UndoOutcome {
  /** Steps undone, newest first, one line each. */
  undone: string[];
  /** Steps whose undo failed, with the reason. */
  failed: string[];
  /** A committed journal is finished instead: the functions removed. */
  finished?: string[];
}

/**
 * Undoes the journal's steps, newest first; a committed journal is finished instead (its removals made).
 * Every step is tried even when one fails, and the failures are listed.
 */
export async function undoJournal(client: ApiClient, journal: Journal, settle: (name: string) => Promise<void>): Promise<UndoOutcome> {
  const outcome: UndoOutcome = { undone: [], failed: [] };
  const committed = journal.steps.find((step): step is Extract<JournalStep, { kind: "committed" }> => step.kind === "committed");
  if (committed) {
    outcome.finished = [];
    for (const name of committed.remove) {
      await attempt(outcome, `remove ${name}`, async () => {
        await ignoreMissing(() => removeStackFunction(client, name));
        outcome.finished!.push(name);
      });
    }
    if ((committed.removeLayerVersions ?? []).length > 0) {
      await attempt(outcome, `delete layer versions ${committed.removeLayerVersions!.join(", ")}`, () => deleteLayerVersions(client, committed.removeLayerVersions!));
    }
    return outcome;
  }
  for (const step of [...journal.steps].reverse()) {
    await attempt(outcome, describeStep(step), () => undoStep(client, step, settle));
  }
  return outcome;
}

export function describeStep(step: JournalStep): string {
  switch (step.kind) {
    case "function-created":
      return `created function ${step.functionName}`;
    case "function-updated":
      return `updated function ${step.functionName} (restored from version ${step.restoreVersion})`;
    case "routes-replaced":
      return `routes of ${Object.keys(step.routes).join(", ")}`;
    case "trigger-created":
      return `created trigger ${step.name}`;
    case "trigger-updated":
      return `updated trigger ${step.name}`;
    case "trigger-deleted":
      return `deleted trigger ${step.name}`;
    case "mapping-created":
      return `created mapping of ${step.eventSourceArn} to ${step.functionName}`;
    case "mapping-updated":
      return `updated mapping ${step.uuid}`;
    case "mapping-deleted":
      return `deleted mapping of ${step.eventSourceArn} to ${step.functionName}`;
    case "state-machine-created":
      return `created state machine ${step.name}`;
    case "state-machine-updated":
      return `updated state machine ${step.arn}`;
    case "state-machine-deleted":
      return `deleted state machine ${step.plan.name}`;
    case "layer-published":
      return `published a version of layer ${step.layerName}`;
    case "permission-replaced":
      return `permission ${step.statementId} of ${step.functionName}`;
    case "committed":
      return `revision ${step.revision}`;
  }
}

async function undoStep(client: ApiClient, step: JournalStep, settle: (name: string) => Promise<void>): Promise<void> {
  switch (step.kind) {
    case "function-created":
      await ignoreMissing(() => removeStackFunction(client, step.functionName));
      return;
    case "function-updated":
      await restoreFunction(client, step, settle);
      return;
    case "routes-replaced": {
      const names = Object.keys(step.routes);
      for (const name of names) {
        for (const route of (await client.listRoutes({ functionName: name })).Routes) await ignoreMissing(() => client.deleteRoute(route.RouteId));
      }
      for (const name of names) {
        for (const route of step.routes[name]!) await ignoreMissing(() => client.createRoute({ Path: route.Path, Methods: route.Methods, FunctionName: name, Qualifier: route.Qualifier }));
      }
      return;
    }
    case "trigger-created":
      await ignoreMissing(() => client.deleteTrigger(step.name));
      return;
    case "trigger-updated":
      await client.updateTrigger(step.name, { Enabled: step.before.Enabled, Qualifier: step.before.Qualifier, Description: step.before.Description, ...(step.before.Schedule ? { Schedule: step.before.Schedule } : {}) });
      return;
    case "trigger-deleted":
      if ((await ignoreMissing(() => client.getTrigger(step.name))) === undefined) await ignoreMissing(() => client.createTrigger({ Name: step.name, ...step.before }));
      return;
    case "mapping-created": {
      const { EventSourceMappings } = await client.listEventSourceMappings({ functionName: step.functionName, eventSourceArn: step.eventSourceArn });
      for (const mapping of EventSourceMappings) await ignoreMissing(() => client.deleteEventSourceMapping(mapping.UUID));
      return;
    }
    case "mapping-updated":
      await ignoreMissing(() => client.updateEventSourceMapping(step.uuid, step.before));
      return;
    case "mapping-deleted": {
      const { EventSourceMappings } = await client.listEventSourceMappings({ functionName: step.functionName, eventSourceArn: step.eventSourceArn });
      if (EventSourceMappings.length === 0) await client.createEventSourceMapping({ FunctionName: step.functionName, EventSourceArn: step.eventSourceArn, ...step.before });
      return;
    }
    case "state-machine-created": {
      const sfn = sfnClientOf(client);
      const found = (await listStateMachines(sfn)).find((machine) => machine.name === step.name);
      if (found !== undefined) await sfn.call("DeleteStateMachine", { stateMachineArn: found.arn });
      return;
    }
    case "state-machine-updated":
      await sfnClientOf(client).call("UpdateStateMachine", { stateMachineArn: step.arn, definition: step.definition, roleArn: step.roleArn });
      return;
    case "state-machine-deleted": {
      const sfn = sfnClientOf(client);
      const { plan } = step;
      if ((await listStateMachines(sfn)).some((machine) => machine.name === plan.name)) return;
      await sfn.call("CreateStateMachine", { name: plan.name, definition: plan.definition, roleArn: plan.roleArn, type: plan.type, tags: Object.entries(plan.tags).map(([key, value]) => ({ key, value })) });
      return;
    }
    case "layer-published":
      await undoLayerPublished(client, step);
      return;
    case "permission-replaced":
      // A statement that stood before is left as the deploy wrote it: the template's, under the same id.
      if (!step.existed) await ignoreMissing(() => client.removePermission(step.functionName, step.statementId, step.qualifier));
      return;
    case "committed":
      return;
  }
}

/** The function's code and configuration back from the version frozen before the deploy touched it, then its alias, concurrency and URL. */
async function restoreFunction(client: ApiClient, step: Extract<JournalStep, { kind: "function-updated" }>, settle: (name: string) => Promise<void>): Promise<void> {
  const name = step.functionName;
  const frozen = await client.getFunction(name, step.restoreVersion);
  const current = await client.getFunctionConfiguration(name);
  await settle(name);
  if (current.CodeSha256 !== frozen.Configuration.CodeSha256) {
    await client.updateFunctionCode(name, await downloadPackage(frozen.Code.Location));
    await settle(name);
  }
  const config = frozen.Configuration;
  const settings: FunctionSettings & { Role: string } = {
    Role: config.Role,
    Runtime: config.Runtime,
    Handler: config.Handler,
    MemorySize: config.MemorySize,
    Timeout: config.Timeout,
    Description: config.Description,
    Environment: { Variables: config.Environment?.Variables ?? {} },
    DeadLetterConfig: { TargetArn: config.DeadLetterConfig?.TargetArn ?? "" },
    TracingConfig: { Mode: config.TracingConfig.Mode },
    Layers: (config.Layers ?? []).map((layer) => layer.Arn),
  };
  await client.updateFunctionConfiguration(name, settings);
  if (step.alias) {
    const alias = step.alias;
    if (alias.version === null) await ignoreMissing(() => client.deleteAlias(name, alias.name));
    else await client.updateAlias(name, alias.name, { FunctionVersion: alias.version });
  }
  // Provisioned concurrency is removed before the reservation is restored (a reservation below it is refused), then put back.
  if (step.provisioned) await ignoreMissing(() => client.deleteProvisionedConcurrencyConfig(name, step.provisioned!.qualifier));
  if (step.reservedConcurrency === null) await ignoreMissing(() => client.deleteFunctionConcurrency(name));
  else await client.putFunctionConcurrency(name, step.reservedConcurrency);
  if (step.provisioned?.count != null) await client.putProvisionedConcurrencyConfig(name, step.provisioned.qualifier, step.provisioned.count);
  for (const { qualifier, config } of step.eventInvokeConfigs ?? []) {
    if (config === null) await ignoreMissing(() => client.deleteFunctionEventInvokeConfig(name, qualifier));
    else await client.putFunctionEventInvokeConfig(name, qualifier, config);
  }
  const url = await ignoreMissing(() => client.getFunctionUrlConfig(name, step.url.qualifier));
  if (step.url.config === null) {
    if (url !== undefined) await client.deleteFunctionUrlConfig(name, step.url.qualifier);
  } else if (url === undefined) await client.createFunctionUrlConfig(name, step.url.qualifier, step.url.config);
  else await client.updateFunctionUrlConfig(name, step.url.qualifier, step.url.config);
}

/** A stored EventInvokeConfig as PutFunctionEventInvokeConfig takes it, to put it back as it was. */
export function eventInvokeRequestOf(config: FunctionEventInvokeConfig): EventInvokeConfigRequest {
  const request: EventInvokeConfigRequest = { DestinationConfig: {} };
  if (config.MaximumRetryAttempts !== undefined) request.MaximumRetryAttempts = config.MaximumRetryAttempts;
  if (config.MaximumEventAgeInSeconds !== undefined) request.MaximumEventAgeInSeconds = config.MaximumEventAgeInSeconds;
  for (const field of ["OnSuccess", "OnFailure"] as const) {
    const destination = config.DestinationConfig[field].Destination;
    if (destination !== undefined && destination !== "") request.DestinationConfig![field] = { Destination: destination };
  }
  return request;
}

/** A version's deployment package, base64, from the time-limited URL GetFunction gives. */
export async function downloadPackage(location: string): Promise<string> {
  const response = await fetch(location);
  if (!response.ok) throw new ApiError("CodeDownloadFailed", `could not download the package at ${location}: HTTP ${response.status}`, response.status);
  return Buffer.from(await response.arrayBuffer()).toString("base64");
}

async function attempt(outcome: UndoOutcome, label: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
    outcome.undone.push(label);
  } catch (error) {
    outcome.failed.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The answer, or undefined when the thing is already gone (404): undoing a step whose target is gone is done. */
export const ignoreMissing = getOrUndefined;

/** A mapping's settings as Create and UpdateEventSourceMapping take them, to put it back as it was. */
export function mappingSettingsOf(mapping: EventSourceMappingConfiguration): EventSourceMappingRequest {
  const settings: EventSourceMappingRequest = {
    Enabled: mapping.State === "Enabled" || mapping.State === "Enabling" || mapping.State === "Creating",
    BatchSize: mapping.BatchSize,
    MaximumBatchingWindowInSeconds: mapping.MaximumBatchingWindowInSeconds,
    FunctionResponseTypes: mapping.FunctionResponseTypes,
    FilterCriteria: mapping.FilterCriteria ?? {},
  };
  const optional = ["MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "ParallelizationFactor", "TumblingWindowInSeconds", "VisibilityTimeoutSeconds"] as const;
  for (const key of optional) if (mapping[key] !== undefined) (settings as Record<string, unknown>)[key] = mapping[key];
  if (mapping.ScalingConfig !== undefined) settings.ScalingConfig = mapping.ScalingConfig;
  if (mapping.DestinationConfig !== undefined) settings.DestinationConfig = mapping.DestinationConfig;
  return settings;
}
