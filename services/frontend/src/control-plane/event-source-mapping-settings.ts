// The settings of Create and UpdateEventSourceMapping bodies, checked as Lambda checks them: each field's
// type and range, which fields each kind of source takes, and the rules between fields. Pure, so every
// rule is unit-tested without NATS (event-source-mapping-settings.test.ts).
import { invalidParameter } from "@lambent/errors";
import { FilterPatternError, compilePattern } from "@lambent/event-filter";
import { ReportBatchItemFailures, StartingPositions, type EventSourceMapping, type StartingPosition } from "@lambent/registry/event-sources";
import { parseDeadLetterTargetArn } from "@lambent/registry/functions";
import { type Body, optionalBoolean, optionalInteger, optionalObject, optionalString } from "./fields.js";

/**
 * Lambda's defaults and the rules it keeps beyond its model (whose bounds model-input.ts checks first),
 * and Lambent's for what Lambda does not have.
 */
export const MappingLimits = {
  batchSize: { queueDefault: 10, streamDefault: 100 },
  /** An SQS mapping with batches over 10 needs a batching window of at least a second. */
  queueBatchWithoutWindow: 10,
  /** -1 (no limit) or at least this; the model allows -1 to 604800. */
  maximumRecordAgeInSeconds: { min: 60 },
  /** Lambent's: batches a queue mapping runs at once without ScalingConfig. */
  defaultQueueConcurrency: 10,
  /** Lambent's: an SQS queue's bounds and default visibility timeout. */
  visibilityTimeoutSeconds: { min: 1, max: 43_200, default: 30 },
} as const;

/** What a body sets; absent fields stay as they are (update) or take their default (create). */
export interface MappingSettings {
  enabled?: boolean;
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  reportBatchItemFailures?: boolean;
  maximumRetryAttempts?: number;
  /** null removes the destination. */
  onFailure?: string | null;
  /** null removes the ScalingConfig. */
  maximumConcurrency?: number | null;
  visibilityTimeoutSeconds?: number;
  parallelizationFactor?: number;
  maximumRecordAgeInSeconds?: number;
  bisectBatchOnFunctionError?: boolean;
  startingPosition?: StartingPosition;
  /** Epoch seconds. */
  startingPositionTimestamp?: number;
  /** FilterCriteria's patterns; null (no filters given) removes them. */
  filters?: string[] | null;
  /** TumblingWindowInSeconds (0–900, the model's bounds); 0 turns windows off. */
  tumblingWindowInSeconds?: number;
}

/** Lambda fields Lambent does not implement: refused when given a value, rather than silently ignored. */
const UNSUPPORTED_FIELDS = [
  "KMSKeyArn",
  "MetricsConfig",
  "LoggingConfig",
  "Topics",
  "Queues",
  "SourceAccessConfigurations",
  "SelfManagedEventSource",
  "AmazonManagedKafkaEventSourceConfig",
  "SelfManagedKafkaEventSourceConfig",
  "DocumentDBEventSourceConfig",
  "ProvisionedPollerConfig",
  "Tags",
] as const;

/** Fields only a stream (Kinesis-like) source takes, and only a queue (SQS-like) source takes. */
const STREAM_ONLY = [
  "StartingPosition",
  "StartingPositionTimestamp",
  "ParallelizationFactor",
  "MaximumRecordAgeInSeconds",
  "BisectBatchOnFunctionError",
  "TumblingWindowInSeconds",
] as const;
const QUEUE_ONLY = ["ScalingConfig", "VisibilityTimeoutSeconds"] as const;

/** Reads every setting a Create or Update body may carry, checking types and ranges. */
export function readMappingSettings(body: Body): MappingSettings {
  for (const field of UNSUPPORTED_FIELDS) {
    if (isGiven(body[field])) throw invalidParameter(`${field} is not supported by Lambent`);
  }
  const settings: MappingSettings = {};
  const set = <K extends keyof MappingSettings>(key: K, value: MappingSettings[K] | undefined): void => {
    if (value !== undefined) settings[key] = value;
  };
  set("enabled", optionalBoolean(body, "Enabled"));
  const { visibilityTimeoutSeconds } = MappingLimits;
  set("batchSize", optionalInteger(body, "BatchSize"));
  set("maximumBatchingWindowInSeconds", optionalInteger(body, "MaximumBatchingWindowInSeconds"));
  set("reportBatchItemFailures", readResponseTypes(body));
  set("maximumRetryAttempts", optionalInteger(body, "MaximumRetryAttempts"));
  set("onFailure", readOnFailure(body));
  set("maximumConcurrency", readScalingConfig(body));
  set("visibilityTimeoutSeconds", optionalInteger(body, "VisibilityTimeoutSeconds", visibilityTimeoutSeconds.min, visibilityTimeoutSeconds.max));
  set("parallelizationFactor", optionalInteger(body, "ParallelizationFactor"));
  set("maximumRecordAgeInSeconds", readMaximumRecordAge(body));
  set("bisectBatchOnFunctionError", optionalBoolean(body, "BisectBatchOnFunctionError"));
  const position = optionalString(body, "StartingPosition");
  if (position !== undefined) {
    if (!(StartingPositions as readonly string[]).includes(position)) {
      throw invalidParameter(`StartingPosition must be one of ${StartingPositions.join(", ")}, got '${position}'`);
    }
    settings.startingPosition = position as StartingPosition;
  }
  set("startingPositionTimestamp", readTimestamp(body, "StartingPositionTimestamp"));
  set("filters", readFilterCriteria(body));
  set("tumblingWindowInSeconds", optionalInteger(body, "TumblingWindowInSeconds"));
  return settings;
}

/** FilterCriteria.Filters' patterns, each one Lambda can read; `{}` or no filters removes them (null). */
function readFilterCriteria(body: Body): string[] | null | undefined {
  const criteria = optionalObject(body, "FilterCriteria");
  if (criteria === undefined) return undefined;
  const filters = criteria["Filters"];
  if (filters === undefined || filters === null) return null;
  if (!Array.isArray(filters)) throw invalidParameter("FilterCriteria.Filters must be a list");
  const patterns = filters.map((filter: unknown) => {
    const pattern = typeof filter === "object" && filter !== null ? (filter as Record<string, unknown>)["Pattern"] : undefined;
    if (typeof pattern !== "string") throw invalidParameter("Invalid filter pattern definition.");
    try {
      compilePattern(pattern);
    } catch (error) {
      if (error instanceof FilterPatternError) throw invalidParameter(error.message);
      throw error;
    }
    return pattern;
  });
  return patterns.length === 0 ? null : patterns;
}

/** Refuses the fields the source's kind does not take (Lambda refuses StartingPosition for SQS, ScalingConfig for Kinesis). */
export function checkFieldsForKind(body: Body, kind: EventSourceMapping["kind"]): void {
  const refused = kind === "queue" ? STREAM_ONLY : QUEUE_ONLY;
  for (const field of refused) {
    if (isGiven(body[field], field)) {
      throw invalidParameter(
        kind === "queue"
          ? `${field} is not valid for a queue (SQS) event source; it applies to stream (Kinesis) event sources`
          : `${field} is not valid for a stream (Kinesis) event source; it applies to queue (SQS) event sources`,
      );
    }
  }
}

/** The rules between fields, checked on the mapping as it would be stored (after a create's defaults or an update's merge). */
export function checkMappingRules(mapping: EventSourceMapping, now: number): void {
  if (mapping.kind === "queue") {
    if (mapping.batchSize > MappingLimits.queueBatchWithoutWindow && mapping.maximumBatchingWindowInSeconds < 1) {
      throw invalidParameter(
        `Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than ${MappingLimits.queueBatchWithoutWindow}`,
      );
    }
    if (mapping.onFailure !== undefined && mapping.maximumRetryAttempts < 0) {
      throw invalidParameter(
        "A queue mapping's DestinationConfig.OnFailure needs MaximumRetryAttempts from 0 to 10000: the retries a message gets before it is moved there",
      );
    }
    if (mapping.onFailure !== undefined && parseDeadLetterTargetArn(mapping.onFailure).subject === mapping.subject) {
      throw invalidParameter("DestinationConfig.OnFailure must not be the queue the mapping reads");
    }
    return;
  }
  if (mapping.startingPosition === "AT_TIMESTAMP") {
    if (mapping.startingPositionTimestamp === undefined) throw invalidParameter("StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP");
    if (mapping.startingPositionTimestamp * 1000 > now) throw invalidParameter("StartingPositionTimestamp must not be in the future");
  } else if (mapping.startingPositionTimestamp !== undefined) {
    throw invalidParameter("StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP");
  }
}

/** Applies what an update body sets to the stored mapping (the caller checks kind and rules after). */
export function mergeSettings<M extends EventSourceMapping>(mapping: M, settings: MappingSettings): M {
  const next: EventSourceMapping = { ...mapping };
  if (settings.enabled !== undefined) next.enabled = settings.enabled;
  if (settings.batchSize !== undefined) next.batchSize = settings.batchSize;
  if (settings.maximumBatchingWindowInSeconds !== undefined) next.maximumBatchingWindowInSeconds = settings.maximumBatchingWindowInSeconds;
  if (settings.reportBatchItemFailures !== undefined) next.reportBatchItemFailures = settings.reportBatchItemFailures;
  if (settings.maximumRetryAttempts !== undefined) next.maximumRetryAttempts = settings.maximumRetryAttempts;
  if (settings.onFailure === null) delete next.onFailure;
  else if (settings.onFailure !== undefined) next.onFailure = settings.onFailure;
  if (settings.filters === null) delete next.filters;
  else if (settings.filters !== undefined) next.filters = settings.filters;
  if (next.kind === "queue") {
    if (settings.maximumConcurrency === null) delete next.maximumConcurrency;
    else if (settings.maximumConcurrency !== undefined) next.maximumConcurrency = settings.maximumConcurrency;
    if (settings.visibilityTimeoutSeconds !== undefined) next.visibilityTimeoutSeconds = settings.visibilityTimeoutSeconds;
  } else {
    if (settings.parallelizationFactor !== undefined) next.parallelizationFactor = settings.parallelizationFactor;
    if (settings.maximumRecordAgeInSeconds !== undefined) next.maximumRecordAgeInSeconds = settings.maximumRecordAgeInSeconds;
    if (settings.bisectBatchOnFunctionError !== undefined) next.bisectBatchOnFunctionError = settings.bisectBatchOnFunctionError;
    if (settings.tumblingWindowInSeconds === 0) delete next.tumblingWindowInSeconds;
    else if (settings.tumblingWindowInSeconds !== undefined) next.tumblingWindowInSeconds = settings.tumblingWindowInSeconds;
  }
  return next as M;
}

/** A value that counts as given: not absent, null, an empty list, an empty object or an empty string (nor a tumbling window of 0, which is none). */
function isGiven(value: unknown, field?: string): boolean {
  if (field === "TumblingWindowInSeconds" && value === 0) return false;
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** FunctionResponseTypes: at most ReportBatchItemFailures; an empty list turns it off. */
function readResponseTypes(body: Body): boolean | undefined {
  const value = body["FunctionResponseTypes"];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw invalidParameter("FunctionResponseTypes must be a list of strings");
  for (const item of value as string[]) {
    if (item !== ReportBatchItemFailures) throw invalidParameter(`FunctionResponseTypes may only hold ${ReportBatchItemFailures}, got '${item}'`);
  }
  return value.length > 0;
}

/** DestinationConfig.OnFailure.Destination; an empty OnFailure (or Destination "") removes it. OnSuccess is refused, as Lambda does for these sources. */
function readOnFailure(body: Body): string | null | undefined {
  const config = optionalObject(body, "DestinationConfig");
  if (config === undefined) return undefined;
  const onSuccess = optionalObject(config, "OnSuccess");
  if (onSuccess !== undefined && isGiven(onSuccess["Destination"])) throw invalidParameter("DestinationConfig.OnSuccess is not supported for event source mappings");
  const onFailure = optionalObject(config, "OnFailure");
  if (onFailure === undefined) return undefined;
  const destination = optionalString(onFailure, "Destination");
  if (destination === undefined || destination === "") return null;
  parseDeadLetterTargetArn(destination);
  return destination;
}

/** ScalingConfig.MaximumConcurrency; `{}` removes it. */
function readScalingConfig(body: Body): number | null | undefined {
  const config = optionalObject(body, "ScalingConfig");
  if (config === undefined) return undefined;
  return optionalInteger(config, "MaximumConcurrency") ?? null;
}

/** -1 (unlimited) or at least 60, as Lambda allows (the model bounds it to 604800). */
function readMaximumRecordAge(body: Body): number | undefined {
  const age = optionalInteger(body, "MaximumRecordAgeInSeconds");
  if (age === undefined || age === -1 || age >= MappingLimits.maximumRecordAgeInSeconds.min) return age;
  throw invalidParameter(`MaximumRecordAgeInSeconds must be -1 (unlimited) or at least ${MappingLimits.maximumRecordAgeInSeconds.min}, got ${age}`);
}

/** A timestamp as the AWS SDK sends it (epoch seconds) or an ISO 8601 string; epoch seconds. */
function readTimestamp(body: Body, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
  throw invalidParameter(`${field} must be a time in epoch seconds or ISO 8601`);
}
