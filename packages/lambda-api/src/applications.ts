// Lambent's applications: stacks deployed from templates, their revisions, and the lock (with the journal of
// the deploy holding it) that lets one deploy of a stack run at a time. Documents and journals are the
// deployer's own JSON objects, stored as given. Times are ISO 8601.

export interface ApplicationLockDescription {
  StackName: string;
  LockId: string;
  Owner: string;
  AcquiredAt: string;
  /** Past this time the lock is abandoned: the next AcquireApplicationLock takes it over. */
  ExpiresAt: string;
  Journal: Record<string, unknown>;
}

export interface AcquireApplicationLockRequest {
  /** Who deploys (a host and process, a person), shown to whoever is refused. */
  Owner: string;
  /** How long the lock holds without an UpdateApplicationLock; 1 to 3600, default 60. */
  TtlSeconds?: number;
}

export interface AcquireApplicationLockResponse {
  Lock: ApplicationLockDescription;
  /** An expired lock this call took over: its journal lists what its deploy applied, for the new holder to undo. */
  AbandonedLock?: ApplicationLockDescription;
}

/** UpdateApplicationLock: replaces the journal (when given) and moves the expiry. */
export interface UpdateApplicationLockRequest {
  LockId: string;
  Journal?: Record<string, unknown>;
  TtlSeconds?: number;
}

export interface ApplicationRevisionDescription {
  StackName: string;
  Revision: number;
  CreatedAt: string;
  Document: Record<string, unknown>;
  /** The revision's gradual deployments (DeploymentPreference), as the leading scheduler has taken them. */
  Deployments?: ApplicationDeployment[];
}

/** One function's gradual deployment: its alias moved from one version to another, step by step. */
export interface ApplicationDeployment {
  LogicalId: string;
  FunctionName: string;
  Alias: string;
  FromVersion: string;
  ToVersion: string;
  Config: string;
  /** PreTraffic, Shifting, PostTraffic; or Succeeded, RolledBack, Failed, Superseded once over. */
  Status: string;
  /** The new version's share of the alias's calls now. */
  Weight: number;
  Reason?: string;
  Events: { At: string; Message: string }[];
}

export interface CreateApplicationRevisionRequest {
  /** The lock the deploy holds: a revision is recorded only by the stack's deploy under way. */
  LockId: string;
  Document: Record<string, unknown>;
}

export interface ApplicationSummary {
  StackName: string;
  CurrentRevision: number;
  UpdatedAt: string;
  /** Present while a deploy holds the lock (or its expired lock awaits takeover). */
  Lock?: { Owner: string; ExpiresAt: string };
}

export interface ListApplicationsResponse {
  Applications: ApplicationSummary[];
}

export interface ListApplicationRevisionsResponse {
  Revisions: ApplicationRevisionDescription[];
}
