// Triggers: trigger records and schedule state in KV, and the durable consumers bucket and KV triggers read
// their sources through.
export {
  TRIGGER_NAME_PATTERN,
  OBJECT_EVENT_TYPES,
  type ObjectEventType,
  type ScheduleSource,
  type TopicSource,
  type BucketSource,
  type KeyValueSource,
  type TriggerSource,
  type TriggerRecord,
  type TriggerState,
  triggerKey,
  triggerStateKey,
  TRIGGER_KEYS,
  triggerNameOf,
  decodeTriggerRecord,
  decodeTriggerState,
  TriggerStore,
  type RevisionedTriggerState,
  readTriggerState,
  writeTriggerState,
} from "./trigger-record.js";
export {
  type ConsumedTriggerSource,
  isConsumedSource,
  sourceStream,
  sourceStreamExists,
  ensureTriggerConsumer,
  deleteTriggerConsumer,
  isNotFound,
} from "./trigger-consumer.js";
