// `lambent app list|history|diff|rollback|delete`: the applications (stacks) deployed from templates. A
// template deploy tags each function it makes with `lambent:stack`, so a stack is found by its functions'
// tags; its revisions and deploy lock live in the control plane. Deleting it removes those functions (their
// routes, URLs and permissions go with them) and the triggers that invoke them, and nothing else.
import { resolve } from "node:path";
import type { ApplicationRevisionDescription } from "@lambent/lambda-api";
import { type ApiClient, ApiError, applyAsRevision, createApiClient, currentRevision, deleteLayerVersions, deleteStackStateMachines, describeDeployment, downloadPackage, ignoreMissing, missingLayerVersions, recoverAbandonedLock, removeStackFunction, revisionDocumentOf, settle, sfnClientOf, stackFunctions, takeApplicationLock } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, runSubcommand, type CliIo, type Command, type Subcommands } from "../command.js";
import { formatTable, writeJson, writeLine } from "../output.js";
import { diffTemplate, findTemplate, parameterOverridesOf, reporterOf, takeParameterOverrides } from "../template-deploy.js";

const VALUE_OPTIONS = new Set(["--endpoint", "--stack-name", "--to"]);

export const appCommand: Command = {
  name: "app",
  summary: "list and delete applications deployed from templates",
  usage: `Usage: lambent app <list|history|diff|rollback|delete> ... [options]

  lambent app list
      Every application (stack) deployed with lambent deploy <template>, with its functions.
  lambent app history <stack>
      The stack's revisions, oldest first, the current one marked; under them each revision's gradual
      deployments (DeploymentPreference): how far each went, or why it rolled back.
  lambent app diff <template.yaml | dir> [--stack-name S] [--parameter-overrides K=V …]
      What deploying the template would change against the stack's current revision (functions and
      permissions added, changed with what differs, removed); changes nothing.
  lambent app rollback <stack> [--to REVISION]
      Returns the stack to its previous revision (or REVISION) in one call: each function's code and
      configuration from the version frozen by that revision, its routes, schedules, alias, URL,
      concurrency and permissions; recorded as a new revision.
  lambent app delete <stack>
      Deletes the stack's functions (with their versions, aliases, routes, URLs and permissions), the
      triggers that invoke them, and its layer versions whose RetentionPolicy is Delete. Functions of other stacks, and functions not deployed from a template,
      are left alone.

One deploy, rollback or delete of a stack runs at a time: another is refused while it holds the stack's
lock. A deploy that died midway is undone by the next of these commands for its stack (history and diff
too) once its lock has expired (LAMBENT_DEPLOY_LOCK_TTL seconds after its process stopped renewing it, default 60).

With --json, list prints {"Applications": [{"StackName", "Functions": [{"FunctionName", "LogicalId"}]}]}
and delete prints {"StackName", "DeletedFunctions", "DeletedTriggers", "DeletedStateMachines", "DeletedLayerVersions"}.

${COMMON_USAGE}`,
  run: runApp,
};

const SUBCOMMANDS: Subcommands = {
  list: runAppList,
  history: runAppHistory,
  diff: runAppDiff,
  rollback: runAppRollback,
  delete: runAppDelete,
};

export function runApp(args: string[], io: CliIo): Promise<number> {
  return runSubcommand(appCommand, SUBCOMMANDS, VALUE_OPTIONS, args, io);
}

async function runAppList(args: string[], io: CliIo): Promise<number> {
  const { common } = parseCommandArgs(args, {}, io, 0);
  if (common.help) return help(io);
  const found = [...(await stackFunctions(createApiClient(common.endpoint)))].sort(([a], [b]) => (a < b ? -1 : 1));
  if (common.json) {
    writeJson(io.stdout, { Applications: found.map(([StackName, Functions]) => ({ StackName, Functions })) });
    return 0;
  }
  if (found.length === 0) {
    writeLine(io.stdout, "no applications: deploy one with lambent deploy <template.yaml>");
    return 0;
  }
  io.stdout.write(formatTable(["STACK", "FUNCTION", "LOGICAL ID"], found.flatMap(([stack, functions]) => functions.map((fn) => [stack, fn.FunctionName, fn.LogicalId]))));
  return 0;
}

async function runAppDelete(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, 1);
  if (common.help) return help(io);
  const stackName = positionals[0]!;
  const client = createApiClient(common.endpoint);
  const functions = (await stackFunctions(client)).get(stackName);
  const revisions = await revisionsOrUndefined(client, stackName);
  if (functions === undefined && revisions === undefined) throw new UsageError(`no application named '${stackName}': lambent app list shows them`);
  const lock = await takeApplicationLock(client, stackName, "delete", 0, reporterOf(io), (name) => settle(client, name));
  const deletedTriggers: string[] = [];
  for (const { FunctionName } of functions ?? []) deletedTriggers.push(...(await removeStackFunction(client, FunctionName)));
  const deletedStateMachines = await deleteStackStateMachines(sfnClientOf(client), stackName);
  const current = revisions === undefined ? undefined : await currentRevision(client, stackName);
  const deletedLayerVersions = (current === undefined ? [] : (revisionDocumentOf(current.Document, current.Revision).Layers ?? [])).filter((layer) => layer.Plan.retentionPolicy === "Delete").map((layer) => layer.LayerVersionArn);
  await deleteLayerVersions(client, deletedLayerVersions);
  await client.deleteApplication(stackName, lock.lockId);
  await lock.release();
  const deletedFunctions = (functions ?? []).map((fn) => fn.FunctionName);
  if (common.json) writeJson(io.stdout, { StackName: stackName, DeletedFunctions: deletedFunctions, DeletedTriggers: deletedTriggers, DeletedStateMachines: deletedStateMachines, DeletedLayerVersions: deletedLayerVersions });
  else {
    writeLine(io.stdout, `deleted application ${stackName}: ${deletedFunctions.length} function${deletedFunctions.length === 1 ? "" : "s"}, ${deletedTriggers.length} trigger${deletedTriggers.length === 1 ? "" : "s"}`);
    for (const name of deletedFunctions) writeLine(io.stdout, `  deleted function ${name}`);
    for (const name of deletedTriggers) writeLine(io.stdout, `  deleted trigger ${name}`);
    for (const name of deletedStateMachines) writeLine(io.stdout, `  deleted state machine ${name}`);
    for (const arn of deletedLayerVersions) writeLine(io.stdout, `  deleted layer version ${arn}`);
  }
  return 0;
}

async function runAppHistory(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, 1);
  if (common.help) return help(io);
  const stackName = positionals[0]!;
  const client = createApiClient(common.endpoint);
  const { heldBy } = await recoverAbandonedLock(client, stackName, reporterOf(io), (name) => settle(client, name));
  const revisions = await revisionsOrUndefined(client, stackName);
  if (revisions === undefined) throw new UsageError(`the application '${stackName}' has no revisions: deploy it with lambent deploy <template>`);
  const current = (await currentRevision(client, stackName))?.Revision ?? 0;
  const rows = revisions.map((revision) => {
    const document = revisionDocumentOf(revision.Document, revision.Revision);
    return {
      Revision: revision.Revision,
      CreatedAt: revision.CreatedAt,
      Operation: document.Operation,
      ...(document.RestoredRevision !== undefined ? { RestoredRevision: document.RestoredRevision } : {}),
      Current: revision.Revision === current,
      Functions: document.Functions.map((fn) => ({ LogicalId: fn.LogicalId, FunctionName: fn.FunctionName, Version: fn.Version, CodeSha256: fn.CodeSha256 })),
      ...(revision.Deployments !== undefined ? { Deployments: revision.Deployments } : {}),
    };
  });
  if (common.json) {
    writeJson(io.stdout, { StackName: stackName, CurrentRevision: current, Revisions: rows, ...(heldBy ? { LockedBy: heldBy } : {}) });
    return 0;
  }
  if (heldBy) writeLine(io.stdout, `a deploy is under way: ${heldBy}`);
  io.stdout.write(
    formatTable(
      ["REVISION", "CREATED", "OPERATION", "FUNCTIONS"],
      rows.map((row) => [`${row.Revision}${row.Current ? " *" : ""}`, row.CreatedAt, row.RestoredRevision ? `rollback to ${row.RestoredRevision}` : row.Operation, row.Functions.map((fn) => `${fn.FunctionName}:${fn.Version}`).join(" ")]),
    ),
  );
  // Gradual deployments under their revision: how far each went, and why one rolled back.
  for (const row of rows) for (const deployment of row.Deployments ?? []) writeLine(io.stdout, `revision ${row.Revision} deployment ${describeDeployment(deployment)}`);
  return 0;
}

async function runAppDiff(args: string[], io: CliIo): Promise<number> {
  const overrides = takeParameterOverrides(args);
  const { values, positionals, common } = parseCommandArgs(overrides.args, { "stack-name": { type: "string" } }, io, 1);
  if (common.help) return help(io);
  const template = await findTemplate(resolve(io.cwd, positionals[0]!));
  if (template === undefined) throw new UsageError(`'${positionals[0]}' is not a template, nor a folder with template.yaml`);
  const parameterOverrides = parameterOverridesOf(overrides.pairs);
  if (values["stack-name"]) {
    const client = createApiClient(common.endpoint);
    await recoverAbandonedLock(client, values["stack-name"], reporterOf(io), (name) => settle(client, name));
  }
  return diffTemplate({ templatePath: template, ...(values["stack-name"] ? { stackName: values["stack-name"] } : {}), parameterOverrides, endpoint: common.endpoint, json: common.json }, io);
}

async function runAppRollback(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, { to: { type: "string" } }, io, 1);
  if (common.help) return help(io);
  const stackName = positionals[0]!;
  const client = createApiClient(common.endpoint);
  await recoverAbandonedLock(client, stackName, reporterOf(io), (name) => settle(client, name));
  const revisions = await revisionsOrUndefined(client, stackName);
  const current = await currentRevision(client, stackName);
  if (revisions === undefined || current === undefined) throw new UsageError(`the application '${stackName}' has no revisions to roll back to`);
  const targetNumber = values.to === undefined ? current.Revision - 1 : Number(values.to);
  const target = revisions.find((revision) => revision.Revision === targetNumber);
  if (target === undefined || targetNumber === current.Revision) {
    throw new UsageError(values.to === undefined ? `the application '${stackName}' is on its first revision: there is none before it` : `--to ${values.to}: the application '${stackName}' has revisions ${revisions.map((revision) => revision.Revision).join(", ")}, and is on ${current.Revision}`);
  }
  const document = revisionDocumentOf(target.Document, target.Revision);
  // The revision's layer versions must still be there: one deleted since (RetentionPolicy Delete) cannot be published again as it was.
  const targetLayers = document.Layers ?? [];
  const missing = await missingLayerVersions(client, targetLayers);
  if (missing.length > 0) throw new Error(`revision ${target.Revision}'s layer version ${missing.map((layer) => layer.LayerVersionArn).join(", ")} no longer exists (its RetentionPolicy is Delete); deploy that revision's template again instead`);
  // Each function's package from the version the target revision froze; a function deleted since took its versions with it.
  const packages = new Map<string, string>();
  const existing = new Map<string, Awaited<ReturnType<ApiClient["getFunction"]>>>();
  for (const fn of document.Functions) {
    let frozen;
    try {
      frozen = await client.getFunction(fn.FunctionName, fn.Version);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) throw new Error(`revision ${target.Revision}'s function ${fn.FunctionName} version ${fn.Version} no longer exists (the function was deleted since, with its versions); deploy that revision's template again instead`);
      throw error;
    }
    packages.set(fn.LogicalId, await downloadPackage(frozen.Code.Location));
    const found = await ignoreMissing(() => client.getFunction(fn.FunctionName));
    if (found?.Tags?.["lambent:stack"] === stackName) existing.set(fn.LogicalId, found);
  }
  const { deployed, removed, revision } = await applyAsRevision(
    client,
    {
      stackName,
      operation: "rollback",
      functions: document.Functions.map((fn) => fn.Plan),
      permissions: document.Permissions,
      stateMachines: document.StateMachines ?? [],
      packages,
      existing,
      ...(targetLayers.length > 0 ? { layers: { plans: targetLayers.map((layer) => layer.Plan), packages: new Map(), known: new Map(targetLayers.map((layer) => [layer.LogicalId, layer])), functionsWith: () => document.Functions.map((fn) => fn.Plan) } } : {}),
      document: { Operation: "rollback", RestoredRevision: target.Revision, Parameters: document.Parameters, ...(document.Template !== undefined ? { Template: document.Template } : {}), ...(document.TemplatePath !== undefined ? { TemplatePath: document.TemplatePath } : {}) },
    },
    reporterOf(io),
  );
  if (common.json) {
    writeJson(io.stdout, { StackName: stackName, RestoredRevision: target.Revision, Revision: revision, Functions: deployed.map((item) => ({ FunctionName: item.plan.functionName, Version: item.frozenVersion, CodeSha256: item.codeSha256 })), Removed: removed.map((fn) => fn.FunctionName) });
    return 0;
  }
  writeLine(io.stdout, `rolled back stack ${stackName} from revision ${current.Revision} to revision ${target.Revision} (recorded as revision ${revision})`);
  for (const item of deployed) writeLine(io.stdout, `  restored ${item.plan.functionName} (${item.plan.logicalId}) as version ${item.frozenVersion}`);
  for (const fn of removed) writeLine(io.stdout, `  removed ${fn.FunctionName} (${fn.LogicalId}): not in revision ${target.Revision}`);
  return 0;
}

/** The stack's revisions, or undefined for a stack with none. */
async function revisionsOrUndefined(client: ApiClient, stackName: string): Promise<ApplicationRevisionDescription[] | undefined> {
  try {
    return await client.listApplicationRevisions(stackName);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

function help(io: CliIo): Promise<number> {
  io.stdout.write(`${appCommand.usage}\n`);
  return Promise.resolve(0);
}
