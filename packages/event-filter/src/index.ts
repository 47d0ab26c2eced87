// Lambda's event filtering for event source mappings (FilterCriteria): patterns compiled when a mapping is
// written (`compilePattern`, FilterPatternError in Lambda's words), matched against each record a mapping
// reads (`matchesAny`) as Lambda sees the record (`queueRecordView`, `streamRecordView`).
export { type CompiledPattern, FilterPatternError, INVALID_PATTERN_MESSAGE, compilePattern, matchesAny, matchesPattern } from "./pattern.js";
export { queueRecordView, streamRecordView } from "./record-views.js";
