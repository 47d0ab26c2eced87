// Where Step Functions' state lives in NATS: state machines, executions, frames and task tokens in the
// workflows KV bucket; each execution's history in stream LAMBENT_SFN_HISTORY.
export {
  type StatesScope,
  isValidName,
  keyToken,
  nameOfToken,
  stateMachineArn,
  executionArn,
  expressExecutionArn,
  parseStateMachineArn,
  parseExecutionArn,
  executionKey,
} from "./names.js";
export type {
  StateMachineType,
  StateMachineRecord,
  ExecutionStatus,
  ExecutionRecord,
  FramePhase,
  FrameRecord,
  TokenStatus,
  TokenRecord,
  WorkflowWake,
  SyncExecutionRequest,
  SyncExecutionResult,
} from "./records.js";
export { WorkflowStore, openWorkflowBucket } from "./workflow-store.js";
export { type StoredHistoryEvent, type HistoryEvent, ensureHistoryStream, appendHistory, readHistory, hasHistory, numberHistory, detailsField, executionStartedEvent, executionEndEvent } from "./history.js";
