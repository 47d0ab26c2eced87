// Event source mappings: their configuration and runtime state in KV, and the event source ARNs they read.
export {
  ReportBatchItemFailures,
  StartingPositions,
  type StartingPosition,
  type QueueMapping,
  type StreamMapping,
  type EventSourceMapping,
  type EventSourceMappingState,
  type OpenWindow,
  NO_RECORDS_PROCESSED,
  eventSourceMappingKey,
  eventSourceMappingStateKey,
  EVENT_SOURCE_MAPPING_KEYS,
  UUID_PATTERN,
  decodeEventSourceMapping,
  decodeEventSourceMappingState,
  type RevisionedState,
  EventSourceMappingStore,
} from "./event-source-mapping.js";
export { type EventSource, MAX_EVENT_SOURCE_ARN_LENGTH, parseEventSourceArn } from "./event-source-arn.js";
