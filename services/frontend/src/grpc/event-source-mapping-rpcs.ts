// The five event source mapping RPCs over the API's mapping calls: the gRPC twins of the REST routes in
// http/event-source-mapping-routes.ts. Requests become Lambda-shaped bodies (unset fields left out), so
// both faces accept and refuse the same things.
import type { EventSourceMappingConfiguration } from "@lambent/lambda-api";
import type * as proto from "@lambent/proto";
import type { FrontendApi } from "../api.js";
import { eventSourceMappingsOf } from "../control-plane/event-source-mappings.js";

type Rpc<Request, Response> = (request: Request) => Promise<Response>;

export interface EventSourceMappingRpcs {
  createEventSourceMapping: Rpc<proto.CreateEventSourceMappingRequest, proto.CreateEventSourceMappingResponse>;
  getEventSourceMapping: Rpc<proto.GetEventSourceMappingRequest, proto.GetEventSourceMappingResponse>;
  listEventSourceMappings: Rpc<proto.ListEventSourceMappingsRequest, proto.ListEventSourceMappingsResponse>;
  updateEventSourceMapping: Rpc<proto.UpdateEventSourceMappingRequest, proto.UpdateEventSourceMappingResponse>;
  deleteEventSourceMapping: Rpc<proto.DeleteEventSourceMappingRequest, proto.DeleteEventSourceMappingResponse>;
}

export function eventSourceMappingRpcs(api: FrontendApi): EventSourceMappingRpcs {
  return {
    async createEventSourceMapping(request) {
      const body = {
        ...commonBody(request),
        FunctionName: request.functionName,
        EventSourceArn: request.eventSourceArn,
        StartingPosition: nonEmpty(request.startingPosition),
        StartingPositionTimestamp: request.startingPositionTimestamp,
        FunctionResponseTypes: request.functionResponseTypes.length > 0 ? request.functionResponseTypes : undefined,
      };
      return { configuration: toProto(await eventSourceMappingsOf(api).create(body)) };
    },

    async getEventSourceMapping(request) {
      return { configuration: toProto(await eventSourceMappingsOf(api).get(request.uuid)) };
    },

    async listEventSourceMappings(request) {
      const response = await eventSourceMappingsOf(api).list({
        functionName: nonEmpty(request.functionName),
        eventSourceArn: nonEmpty(request.eventSourceArn),
        marker: nonEmpty(request.marker),
        maxItems: request.maxItems === 0 ? undefined : request.maxItems,
      });
      return { eventSourceMappings: response.EventSourceMappings.map(toProto), nextMarker: response.NextMarker ?? "" };
    },

    async updateEventSourceMapping(request) {
      const body = {
        ...commonBody(request),
        FunctionName: nonEmpty(request.functionName),
        FunctionResponseTypes: request.functionResponseTypes?.types,
      };
      return { configuration: toProto(await eventSourceMappingsOf(api).update(request.uuid, body)) };
    },

    async deleteEventSourceMapping(request) {
      return { configuration: toProto(await eventSourceMappingsOf(api).delete(request.uuid)) };
    },
  };
}

/** The fields Create and Update share, as Lambda's body: a message left unset stays absent. */
function commonBody(request: proto.CreateEventSourceMappingRequest | proto.UpdateEventSourceMappingRequest): Record<string, unknown> {
  const destination = request.destinationConfig;
  const scaling = request.scalingConfig;
  return {
    Enabled: request.enabled,
    BatchSize: request.batchSize,
    MaximumBatchingWindowInSeconds: request.maximumBatchingWindowInSeconds,
    ParallelizationFactor: request.parallelizationFactor,
    MaximumRecordAgeInSeconds: request.maximumRecordAgeInSeconds,
    BisectBatchOnFunctionError: request.bisectBatchOnFunctionError,
    TumblingWindowInSeconds: request.tumblingWindowInSeconds,
    MaximumRetryAttempts: request.maximumRetryAttempts,
    VisibilityTimeoutSeconds: request.visibilityTimeoutSeconds,
    DestinationConfig:
      destination === undefined
        ? undefined
        : {
            OnSuccess: destination.onSuccess === undefined ? undefined : { Destination: nonEmpty(destination.onSuccess.destination) },
            OnFailure: destination.onFailure === undefined ? undefined : { Destination: nonEmpty(destination.onFailure.destination) },
          },
    ScalingConfig: scaling === undefined ? undefined : scaling.maximumConcurrency === 0 ? {} : { MaximumConcurrency: scaling.maximumConcurrency },
    FilterCriteria: request.filterCriteria === undefined ? undefined : { Filters: request.filterCriteria.patterns.map((pattern) => ({ Pattern: pattern })) },
  };
}

function toProto(mapping: EventSourceMappingConfiguration): proto.EventSourceMappingConfiguration {
  const converted: proto.EventSourceMappingConfiguration = {
    uuid: mapping.UUID,
    eventSourceMappingArn: mapping.EventSourceMappingArn,
    eventSourceArn: mapping.EventSourceArn,
    functionArn: mapping.FunctionArn,
    batchSize: mapping.BatchSize,
    maximumBatchingWindowInSeconds: mapping.MaximumBatchingWindowInSeconds,
    functionResponseTypes: mapping.FunctionResponseTypes,
    lastModified: mapping.LastModified,
    lastProcessingResult: mapping.LastProcessingResult ?? "",
    state: mapping.State,
    stateTransitionReason: mapping.StateTransitionReason,
    startingPosition: mapping.StartingPosition ?? "",
  };
  if (mapping.StartingPositionTimestamp !== undefined) converted.startingPositionTimestamp = mapping.StartingPositionTimestamp;
  if (mapping.ParallelizationFactor !== undefined) converted.parallelizationFactor = mapping.ParallelizationFactor;
  if (mapping.MaximumRecordAgeInSeconds !== undefined) converted.maximumRecordAgeInSeconds = mapping.MaximumRecordAgeInSeconds;
  if (mapping.BisectBatchOnFunctionError !== undefined) converted.bisectBatchOnFunctionError = mapping.BisectBatchOnFunctionError;
  if (mapping.TumblingWindowInSeconds !== undefined) converted.tumblingWindowInSeconds = mapping.TumblingWindowInSeconds;
  if (mapping.MaximumRetryAttempts !== undefined) converted.maximumRetryAttempts = mapping.MaximumRetryAttempts;
  if (mapping.DestinationConfig !== undefined) {
    converted.destinationConfig = { onSuccess: { destination: "" }, onFailure: { destination: mapping.DestinationConfig.OnFailure.Destination ?? "" } };
  }
  if (mapping.ScalingConfig !== undefined) converted.scalingConfig = { maximumConcurrency: mapping.ScalingConfig.MaximumConcurrency };
  if (mapping.VisibilityTimeoutSeconds !== undefined) converted.visibilityTimeoutSeconds = mapping.VisibilityTimeoutSeconds;
  if (mapping.FilterCriteria !== undefined) converted.filterCriteria = { patterns: mapping.FilterCriteria.Filters.map((filter) => filter.Pattern) };
  return converted;
}

/** Proto3 strings cannot be absent; empty means "not given". */
function nonEmpty(value: string): string | undefined {
  return value === "" ? undefined : value;
}
