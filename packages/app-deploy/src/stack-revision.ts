// An application's change as one revision: under the stack's lock, the stack applied step by step with its
// journal (stack-apply.ts), its layers published first (stack-layers.ts), the revision recorded, then what it
// no longer lists removed. A failure before the
// revision is recorded undoes every step, so the previous revision keeps running.
import type { ApplicationRevisionDescription } from "@lambent/lambda-api";
import { getOrUndefined, type ApiClient } from "./api-client.js";
import { takeApplicationLock, type HeldLock } from "./application-lock.js";
import { packageSha256, type RevisionDocument, type RevisionFunction, type RevisionLayer } from "./application-revision.js";
import { removeStackFunction, stackFunctions, type StackFunction } from "./applications.js";
import { undoJournal } from "./deploy-journal.js";
import type { DeployReporter } from "./reporter.js";
import { applyStack, settle, type DeployedFunction, type StackApplyInput } from "./stack-apply.js";
import { deploymentsDocument } from "./stack-deployments.js";
import { applyLayers, deleteLayerVersions, layerVersionArnsOf, staleLayerVersions, type LayerApply } from "./stack-layers.js";

export interface RevisionApply extends StackApplyInput {
  operation: "deploy" | "rollback";
  /** The revision document's own fields (template, parameters, the revision restored). */
  document: Omit<RevisionDocument, "Functions" | "Permissions" | "StateMachines" | "Layers">;
  /** The stack's layers, published before the functions, which are planned again with their version ARNs. */
  layers?: LayerApply;
}

/**
 * Under the stack's lock: applies the functions and the rest, journaled; records the revision; then removes
 * the stack's functions it no longer lists. A failure before the revision is recorded undoes every step
 * (the previous revision keeps running), says so on stderr and throws the failure.
 */
export async function applyAsRevision(client: ApiClient, input: RevisionApply, io: DeployReporter): Promise<{ deployed: DeployedFunction[]; removed: StackFunction[]; revision: number; layers: RevisionLayer[] }> {
  const { stackName } = input;
  const base = await currentRevision(client, stackName);
  const baseRevision = base?.Revision ?? 0;
  const lock = await takeApplicationLock(client, stackName, input.operation, baseRevision, io, (name) => settle(client, name));
  let deployed: DeployedFunction[];
  let revision: number;
  let layers: RevisionLayer[] = [];
  try {
    if (input.layers !== undefined) layers = await applyLayers(client, input.layers, lock);
    const planned = input.layers === undefined ? input.functions : input.layers.functionsWith(layerVersionArnsOf(layers));
    deployed = await applyStack(client, { ...input, functions: planned }, lock);
    const functions: RevisionFunction[] = deployed.map((item) => ({
      LogicalId: item.plan.logicalId,
      FunctionName: item.plan.functionName,
      Version: item.frozenVersion,
      CodeSha256: item.codeSha256,
      PackageSha256: packageSha256(input.packages.get(item.plan.logicalId)!),
      Plan: item.plan,
    }));
    const document: RevisionDocument = { ...input.document, Functions: functions, Permissions: [...input.permissions], StateMachines: [...input.stateMachines], ...(layers.length > 0 ? { Layers: layers } : {}) };
    revision = (await client.createApplicationRevision(stackName, lock.lockId, { ...document, ...deploymentsDocument(deployed) })).Revision;
  } catch (error) {
    await undoAfterFailure(client, lock, io);
    throw error;
  }
  // What the stack had and the revision no longer lists goes, once everything it lists is in place.
  const listed = new Set(input.functions.map((fn) => fn.functionName));
  const removed = ((await stackFunctions(client)).get(stackName) ?? []).filter((fn) => !listed.has(fn.FunctionName));
  const staleLayers = staleLayerVersions(base === undefined ? [] : (base.Document as Partial<RevisionDocument>).Layers ?? [], layers);
  await lock.record({ kind: "committed", revision, remove: removed.map((fn) => fn.FunctionName), ...(staleLayers.length > 0 ? { removeLayerVersions: staleLayers } : {}) });
  try {
    for (const fn of removed) await removeStackFunction(client, fn.FunctionName);
    await deleteLayerVersions(client, staleLayers);
  } catch (error) {
    // The revision stands; the lock keeps the committed journal, and whoever takes it next finishes the removals.
    lock.abandon();
    throw error;
  }
  await lock.release();
  return { deployed, removed, revision, layers };
}

/** The stack's current revision, or undefined for a stack never deployed with revisions. */
export async function currentRevision(client: ApiClient, stackName: string): Promise<ApplicationRevisionDescription | undefined> {
  const revisions = await getOrUndefined(() => client.listApplicationRevisions(stackName));
  if (revisions === undefined || revisions.length === 0) return undefined;
  const summary = (await client.listApplications()).Applications.find((app) => app.StackName === stackName);
  return revisions.find((item) => item.Revision === summary?.CurrentRevision) ?? revisions[revisions.length - 1];
}

/** After a failure midway: every journaled step undone, newest first, and the lock released (kept to expire if an undo failed, so the next actor retries). */
async function undoAfterFailure(client: ApiClient, lock: HeldLock, io: DeployReporter): Promise<void> {
  const steps = lock.journal.steps.length;
  const outcome = await undoJournal(client, lock.journal, (name) => settle(client, name));
  if (steps === 0) io.progress("error: the deploy failed at its first change; nothing was changed");
  else if (outcome.failed.length === 0) {
    io.progress(`error: the deploy failed midway; undid its ${steps} step${steps === 1 ? "" : "s"}: the stack is back on ${lock.journal.baseRevision === 0 ? "what it was before (it had no revision)" : `revision ${lock.journal.baseRevision}`}, nothing was changed`);
    for (const line of outcome.undone) io.progress(`  undid ${line}`);
  } else {
    io.progress("error: the deploy failed midway, and undoing it failed too; the next lambent deploy or app command for this stack retries once its lock expires:");
    for (const line of outcome.failed) io.progress(`  ${line}`);
    lock.abandon();
    return;
  }
  await lock.release().catch((error: unknown) => io.progress(`  (the lock could not be released and expires by itself: ${error instanceof Error ? error.message : String(error)})`));
}
