// What the registry's stores are built from, for any KV bucket: compare-and-set, counters flushed in batches,
// writes an observer hears of, and watch-fed copies of a key space.
export {
  isWrongLastSequence,
  type RevisionedKv,
  CompareAndSetConflictError,
  DEFAULT_COMPARE_AND_SET_ATTEMPTS,
  type UpdateByRevisionOptions,
  type RevisionUpdate,
  updateByRevision,
  writeAtRevision,
  createIfAbsent,
} from "./compare-and-set.js";
export { type BatchedCountersOptions, BatchedCounters } from "./batched-counters.js";
export { type WriteObserver, ObservedWrites, observeAll } from "./observed-writes.js";
export { type KeySpaceListener, type KeySpaceViewOptions, KeySpaceView } from "./key-space-view.js";
export { listKeys } from "./kv-keys.js";
