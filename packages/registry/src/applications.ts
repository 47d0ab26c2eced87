// Applications deployed from templates: revisions, and the deploy lock with its journal, in KV.
export {
  type ApplicationDocument,
  type ApplicationHead,
  type ApplicationLock,
  type ApplicationRevision,
  type LockAcquisition,
  openApplicationBucket,
  ApplicationStore,
} from "./application-store.js";
export {
  DEPLOYMENT_KEYS,
  DEPLOYMENT_STATUSES,
  type DeploymentAlarm,
  type DeploymentEvent,
  type DeploymentRecord,
  type DeploymentRequest,
  type DeploymentStatus,
  DeploymentStore,
  HOOK_EVENTS,
  HOOK_VERDICTS,
  type HookEvent,
  type HookExecution,
  type HookVerdict,
  isFinalDeploymentStatus,
  MAX_DEPLOYMENT_EVENTS,
  parseDeploymentRequests,
} from "./deployment-store.js";
export {
  applyHookReport,
  deploymentIdOf,
  HOOK_EXECUTION_ID,
  HOOK_REPORT_REFUSALS,
  type HookReport,
  type HookReportOutcome,
  type HookReportRefusal,
  parseDeploymentId,
  reportHookVerdict,
} from "./hook-executions.js";
