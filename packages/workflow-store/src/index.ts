// Where Step Functions' state lives in NATS: state machines, executions, frames and task tokens in the
// workflows KV bucket; each execution's history in stream LAMBENT_SFN_HISTORY.
export * from "./names.js";
export * from "./records.js";
export { WorkflowStore, openWorkflowBucket } from "./workflow-store.js";
export { type StoredHistoryEvent, type HistoryEvent, ensureHistoryStream, appendHistory, readHistory, numberHistory, detailsField } from "./history.js";
