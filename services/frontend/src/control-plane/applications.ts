// Lambent's applications (ListApplications, revisions, the deploy lock and its journal, DeleteApplication):
// what any client deploying a template needs from the control plane so that one deploy of a stack runs at
// a time, a deploy that dies is undone by the next actor, and every deploy is a revision to return to.
import { randomUUID } from "node:crypto";
import { LambdaError, invalidParameter, resourceConflict, resourceNotFound } from "@lambent/errors";
import { parseDeploymentRequests, type ApplicationLock, type ApplicationRevision, type ApplicationStore, type DeploymentRecord, type DeploymentRequest, type DeploymentStore } from "@lambent/registry/applications";
import { LATEST, type FunctionStore } from "@lambent/registry/functions";
import type {
  ApplicationDeployment,
  AcquireApplicationLockResponse,
  ApplicationLockDescription,
  ApplicationRevisionDescription,
  ListApplicationRevisionsResponse,
  ListApplicationsResponse,
} from "@lambent/lambda-api";
import { optionalInteger, optionalObject, requireBody, requireString, type Body } from "./fields.js";

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const DEFAULT_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 3600;
/** A revision or a journal stays well inside a KV value (1 MB by default). */
const MAX_DOCUMENT_BYTES = 512 * 1024;

export class ApplicationOperations {
  constructor(
    private readonly store: ApplicationStore,
    private readonly deployments: DeploymentStore,
    /** Where a deployment's function and hooks are checked to be the stack's own. */
    private readonly functions: FunctionStore,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<ListApplicationsResponse> {
    const heads = await this.store.heads();
    return {
      Applications: await Promise.all(
        heads.map(async (head) => {
          const lock = await this.store.lock(head.stackName);
          return {
            StackName: head.stackName,
            CurrentRevision: head.currentRevision,
            UpdatedAt: new Date(head.updatedAt).toISOString(),
            ...(lock ? { Lock: { Owner: lock.owner, ExpiresAt: new Date(lock.expiresAt).toISOString() } } : {}),
          };
        }),
      ),
    };
  }

  /** AcquireApplicationLock: ResourceConflictException while another deploy holds it and it has not expired. */
  async acquireLock(stackName: string, input: unknown): Promise<AcquireApplicationLockResponse> {
    const stack = readStackName(stackName);
    const body = requireBody(input);
    const owner = requireString(body, "Owner", 256);
    const now = this.now();
    const lock: ApplicationLock = { lockId: randomUUID(), owner, acquiredAt: now, expiresAt: now + readTtl(body) * 1000, journal: {} };
    const outcome = await this.store.acquireLock(stack, lock, now);
    if ("heldBy" in outcome) {
      throw resourceConflict(`The application ${stack} is being deployed by ${outcome.heldBy.owner} (lock ${outcome.heldBy.lockId}, held until ${new Date(outcome.heldBy.expiresAt).toISOString()})`);
    }
    const response: AcquireApplicationLockResponse = { Lock: describeLock(stack, outcome.acquired) };
    if (outcome.abandoned) response.AbandonedLock = describeLock(stack, outcome.abandoned);
    return response;
  }

  async getLock(stackName: string): Promise<ApplicationLockDescription> {
    const stack = readStackName(stackName);
    const lock = await this.store.lock(stack);
    if (!lock) throw resourceNotFound(`The application ${stack} is not locked`);
    return describeLock(stack, lock);
  }

  /** UpdateApplicationLock: the journal replaced when given, the expiry moved; ResourceConflictException once the lock is no longer the caller's. */
  async updateLock(stackName: string, input: unknown): Promise<ApplicationLockDescription> {
    const stack = readStackName(stackName);
    const body = requireBody(input);
    const lockId = requireString(body, "LockId", 64);
    const journal = readDocument(body, "Journal");
    const expiresAt = this.now() + readTtl(body) * 1000;
    const updated = await this.store.updateLock(stack, lockId, (lock) => ({ ...lock, expiresAt, ...(journal ? { journal } : {}) }));
    if (!updated) throw lostLock(stack, lockId);
    return describeLock(stack, updated);
  }

  async releaseLock(stackName: string, lockId: string | undefined): Promise<void> {
    const stack = readStackName(stackName);
    if (!lockId) throw invalidParameter("LockId is required");
    if (!(await this.store.releaseLock(stack, lockId))) throw lostLock(stack, lockId);
  }

  /** CreateApplicationRevision: the next revision, made current; only by the deploy holding the lock. */
  async createRevision(stackName: string, input: unknown): Promise<ApplicationRevisionDescription> {
    const stack = readStackName(stackName);
    const body = requireBody(input);
    await this.requireLock(stack, requireString(body, "LockId", 64));
    const document = readDocument(body, "Document");
    if (!document) throw invalidParameter("Document is required");
    const requests = readDeployments(document);
    await this.checkDeployments(stack, requests);
    const revision = await this.store.addRevision(stack, document, this.now());
    // Earlier deployments still under way stop here: this revision's deploy has set the aliases already.
    await this.deployments.start(stack, revision.revision, requests, this.now());
    return describeRevision(revision, await this.deployments.list(stack));
  }

  async getRevision(stackName: string, revision: string): Promise<ApplicationRevisionDescription> {
    const stack = readStackName(stackName);
    const number = /^[1-9][0-9]{0,7}$/.test(revision) ? Number(revision) : undefined;
    const found = number === undefined ? undefined : await this.store.revision(stack, number);
    if (!found) throw resourceNotFound(`The application ${stack} has no revision ${revision}`);
    return describeRevision(found, await this.deployments.list(stack));
  }

  /** Oldest first; ResourceNotFoundException for a stack never deployed. */
  async listRevisions(stackName: string): Promise<ListApplicationRevisionsResponse> {
    const stack = readStackName(stackName);
    if (!(await this.store.head(stack))) throw noApplication(stack);
    const deployments = await this.deployments.list(stack);
    return { Revisions: (await this.store.revisions(stack)).map((revision) => describeRevision(revision, deployments)) };
  }

  /** DeleteApplication: forgets the stack's revisions; by the actor holding its lock (which deleted its resources). */
  async delete(stackName: string, lockId: string | undefined): Promise<void> {
    const stack = readStackName(stackName);
    if (!lockId) throw invalidParameter("LockId is required");
    await this.requireLock(stack, lockId);
    await this.deployments.forget(stack);
    await this.store.forget(stack);
  }

  /**
   * A deployment moves an alias and runs hooks: only of the stack's own functions (tagged by its deploys),
   * between versions that exist, so a revision cannot reach another stack's function or a hand-made one.
   */
  private async checkDeployments(stack: string, requests: readonly DeploymentRequest[]): Promise<void> {
    for (const request of requests) {
      for (const name of [request.functionName, request.preTrafficHook, request.postTrafficHook]) {
        if (name === undefined) continue;
        const found = await this.functions.get(name, LATEST);
        if (found?.record.tags["lambent:stack"] !== stack) throw invalidParameter(`Document.Deployments: ${name} is not a function of the application ${stack}`);
      }
      for (const version of [request.fromVersion, request.toVersion]) {
        if (!(await this.functions.get(request.functionName, version))) throw invalidParameter(`Document.Deployments: ${request.functionName} has no version ${version}`);
      }
    }
  }

  private async requireLock(stack: string, lockId: string): Promise<void> {
    const lock = await this.store.lock(stack);
    if (lock?.lockId !== lockId || lock.expiresAt <= this.now()) throw lostLock(stack, lockId);
  }
}

/** The application operations of a frontend that has them; ServiceException where it does not. */
export function applicationsOf(api: { applications?: ApplicationOperations | undefined }): ApplicationOperations {
  if (!api.applications) throw new LambdaError("ServiceException", "Applications are not available on this frontend");
  return api.applications;
}

function readStackName(value: string): string {
  const stack = decodeURIComponent(value);
  if (!STACK_NAME.test(stack)) throw invalidParameter(`'${stack}' is not a stack name: a letter, then letters, digits and '-' (128 at most)`);
  return stack;
}

function readTtl(body: Body): number {
  return optionalInteger(body, "TtlSeconds", 1, MAX_TTL_SECONDS) ?? DEFAULT_TTL_SECONDS;
}

function readDocument(body: Body, field: string): Record<string, unknown> | undefined {
  const document = optionalObject(body, field);
  if (document !== undefined && Buffer.byteLength(JSON.stringify(document)) > MAX_DOCUMENT_BYTES) throw invalidParameter(`${field} must be at most ${MAX_DOCUMENT_BYTES} bytes as JSON`);
  return document;
}

function describeLock(stack: string, lock: ApplicationLock): ApplicationLockDescription {
  return {
    StackName: stack,
    LockId: lock.lockId,
    Owner: lock.owner,
    AcquiredAt: new Date(lock.acquiredAt).toISOString(),
    ExpiresAt: new Date(lock.expiresAt).toISOString(),
    Journal: lock.journal,
  };
}

/** A document's `Deployments`, checked before anything is stored. */
function readDeployments(document: Record<string, unknown>): DeploymentRequest[] {
  if (document["Deployments"] === undefined) return [];
  try {
    return parseDeploymentRequests(document["Deployments"]);
  } catch (error) {
    throw invalidParameter(`Document.${error instanceof Error ? error.message : String(error)}`);
  }
}

function describeRevision(revision: ApplicationRevision, deployments: readonly DeploymentRecord[]): ApplicationRevisionDescription {
  const own = deployments.filter((deployment) => deployment.revision === revision.revision).map(describeDeployment);
  return { StackName: revision.stackName, Revision: revision.revision, CreatedAt: new Date(revision.createdAt).toISOString(), Document: revision.document, ...(own.length > 0 ? { Deployments: own } : {}) };
}

function describeDeployment(record: DeploymentRecord): ApplicationDeployment {
  const weight = record.status === "Succeeded" ? 1 : record.step < 0 || record.status === "RolledBack" || record.status === "Failed" ? 0 : record.steps[record.step]!.weight;
  return {
    LogicalId: record.logicalId,
    FunctionName: record.functionName,
    Alias: record.alias,
    FromVersion: record.fromVersion,
    ToVersion: record.toVersion,
    Config: record.config,
    Status: record.status,
    Weight: weight,
    ...(record.reason !== undefined ? { Reason: record.reason } : {}),
    Events: record.events.map((event) => ({ At: new Date(event.at).toISOString(), Message: event.message })),
  };
}

function lostLock(stack: string, lockId: string): LambdaError {
  return resourceConflict(`The lock ${lockId} no longer holds the application ${stack}: it expired and was taken over, or was released`);
}

function noApplication(stack: string): LambdaError {
  return resourceNotFound(`Application not found: ${stack}`);
}
