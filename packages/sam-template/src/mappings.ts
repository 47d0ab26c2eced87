// SQS and Kinesis events, and AWS::Lambda::EventSourceMapping resources, as Lambent's event source
// mappings: a queue (a NATS subject a JetStream stream captures, `arn:aws:sqs:…`) or a JetStream stream
// (`arn:aws:kinesis:…:stream/…`) polled by the cluster. Settings pass as Lambda names them; the cluster
// checks their values when the mapping is created.
import type { EventSourceMappingRequest } from "@lambent/lambda-api";
import { ResolveError } from "./errors.js";
import type { Resolved } from "./intrinsics.js";
import type { MappingPlan } from "./model.js";
import { integer, map, oneOf, text } from "./values.js";

const QUEUE_SETTINGS = ["BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes", "ScalingConfig"];
const STREAM_SETTINGS = [
  "BatchSize",
  "Enabled",
  "MaximumBatchingWindowInSeconds",
  "FilterCriteria",
  "FunctionResponseTypes",
  "StartingPosition",
  "StartingPositionTimestamp",
  "MaximumRetryAttempts",
  "MaximumRecordAgeInSeconds",
  "BisectBatchOnFunctionError",
  "ParallelizationFactor",
  "TumblingWindowInSeconds",
  "DestinationConfig",
];

/** The properties each event type takes: its source, and the settings. */
export const MAPPING_EVENT_PROPERTIES: Readonly<Record<string, ReadonlySet<string>>> = {
  SQS: new Set(["Queue", ...QUEUE_SETTINGS]),
  Kinesis: new Set(["Stream", ...STREAM_SETTINGS]),
};

/** AWS::Lambda::EventSourceMapping's properties Lambent takes (beside FunctionName and EventSourceArn). */
export const MAPPING_RESOURCE_SETTINGS = new Set([...new Set([...QUEUE_SETTINGS, ...STREAM_SETTINGS])]);

/** An SQS or Kinesis event of a function. */
export function mappingOf(eventId: string, type: "SQS" | "Kinesis", properties: Record<string, Resolved>, where: string): MappingPlan {
  const sourceKey = type === "SQS" ? "Queue" : "Stream";
  if (properties[sourceKey] === undefined) throw new ResolveError(`a ${type} event needs ${sourceKey}`, where);
  const eventSourceArn = sourceArn(text(properties[sourceKey], `${where}.${sourceKey}`), `${where}.${sourceKey}`);
  if (type === "Kinesis" && properties.StartingPosition === undefined) throw new ResolveError("a Kinesis event needs StartingPosition", where);
  return { eventId, eventSourceArn, settings: mappingSettings(properties, where) };
}

/** The source ARN, checked to be one Lambent reads. */
export function sourceArn(arn: string, property: string): string {
  if (/^arn:aws:sqs:[^:]*:[^:]*:[^:]+$/.test(arn) || /^arn:aws:kinesis:[^:]*:[^:]*:stream\/[^/]+$/.test(arn)) return arn;
  if (arn.startsWith("arn:aws:dynamodb:")) throw new ResolveError("Lambent has no DynamoDB streams: its mappings read JetStream queues (arn:aws:sqs:…) and streams (arn:aws:kinesis:…:stream/…)", property);
  throw new ResolveError(`'${arn}' is not a source Lambent reads: arn:aws:sqs:<region>:<account>:<subject> or arn:aws:kinesis:<region>:<account>:stream/<stream>`, property);
}

/** The settings present in `properties`, typed as CreateEventSourceMapping takes them. */
export function mappingSettings(properties: Record<string, Resolved>, where: string): EventSourceMappingRequest {
  const settings: EventSourceMappingRequest = {};
  const at = (key: string): string => `${where}.${key}`;
  const whole = (key: string, min: number, max: number): number | undefined => (properties[key] === undefined ? undefined : integer(properties[key], at(key), min, max));
  const flag = (key: string): boolean | undefined => {
    const value = properties[key];
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") throw new ResolveError("must be true or false", at(key));
    return value;
  };
  const numbers = {
    BatchSize: whole("BatchSize", 1, 10000),
    MaximumBatchingWindowInSeconds: whole("MaximumBatchingWindowInSeconds", 0, 300),
    StartingPositionTimestamp: whole("StartingPositionTimestamp", 0, Number.MAX_SAFE_INTEGER),
    MaximumRetryAttempts: whole("MaximumRetryAttempts", -1, 10000),
    MaximumRecordAgeInSeconds: whole("MaximumRecordAgeInSeconds", -1, 604800),
    ParallelizationFactor: whole("ParallelizationFactor", 1, 10),
    TumblingWindowInSeconds: whole("TumblingWindowInSeconds", 0, 900),
  };
  for (const [key, value] of Object.entries(numbers)) if (value !== undefined) (settings as Record<string, unknown>)[key] = value;
  const enabled = flag("Enabled");
  if (enabled !== undefined) settings.Enabled = enabled;
  const bisect = flag("BisectBatchOnFunctionError");
  if (bisect !== undefined) settings.BisectBatchOnFunctionError = bisect;
  if (properties.StartingPosition !== undefined) settings.StartingPosition = oneOf(properties.StartingPosition, ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"], at("StartingPosition"));
  if (properties.FunctionResponseTypes !== undefined) {
    const types = properties.FunctionResponseTypes;
    if (!Array.isArray(types) || types.some((item) => item !== "ReportBatchItemFailures")) throw new ResolveError("must be [ReportBatchItemFailures] or []", at("FunctionResponseTypes"));
    settings.FunctionResponseTypes = types as string[];
  }
  if (properties.ScalingConfig !== undefined) {
    const scaling = map(properties.ScalingConfig, at("ScalingConfig"));
    for (const key of Object.keys(scaling)) if (key !== "MaximumConcurrency") throw new ResolveError(`ScalingConfig property ${key} is not supported by Lambent`, at(`ScalingConfig.${key}`));
    settings.ScalingConfig = scaling.MaximumConcurrency === undefined ? {} : { MaximumConcurrency: integer(scaling.MaximumConcurrency, at("ScalingConfig.MaximumConcurrency"), 2, 1000) };
  }
  if (properties.DestinationConfig !== undefined) {
    const destination = map(properties.DestinationConfig, at("DestinationConfig"));
    for (const key of Object.keys(destination)) if (key !== "OnFailure") throw new ResolveError(`DestinationConfig property ${key} is not supported by Lambent: only OnFailure`, at(`DestinationConfig.${key}`));
    const onFailure = map(destination.OnFailure, at("DestinationConfig.OnFailure"));
    // SAM's event form names the destination's Type beside its ARN; the ARN says it already.
    for (const key of Object.keys(onFailure)) if (key !== "Destination" && key !== "Type") throw new ResolveError(`OnFailure property ${key} is not supported by Lambent`, at(`DestinationConfig.OnFailure.${key}`));
    settings.DestinationConfig = { OnFailure: { Destination: text(onFailure.Destination, at("DestinationConfig.OnFailure.Destination")) } };
  }
  if (properties.FilterCriteria !== undefined) {
    const criteria = map(properties.FilterCriteria, at("FilterCriteria"));
    const filters = criteria.Filters === undefined ? [] : criteria.Filters;
    if (!Array.isArray(filters)) throw new ResolveError("must be a list", at("FilterCriteria.Filters"));
    settings.FilterCriteria = { Filters: filters.map((filter, index) => ({ Pattern: text(map(filter, at(`FilterCriteria.Filters.${index}`)).Pattern, at(`FilterCriteria.Filters.${index}.Pattern`)) })) };
  }
  return settings;
}
