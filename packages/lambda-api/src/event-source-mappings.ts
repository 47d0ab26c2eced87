// Lambda's event source mappings: a function fed batches from a queue or stream (here JetStream).

/** Lambda's states of a mapping: settled (Enabled, Disabled) or on the way there. */
export type EventSourceMappingStateName = "Creating" | "Enabling" | "Enabled" | "Disabling" | "Disabled" | "Updating" | "Deleting";

/** Lambda's EventSourceMappingConfiguration, as the API answers it. `LastModified` is epoch seconds. */
export interface EventSourceMappingConfiguration {
  UUID: string;
  EventSourceMappingArn: string;
  EventSourceArn: string;
  FunctionArn: string;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FunctionResponseTypes: string[];
  LastModified: number;
  /** A stream mapping's last batch outcome; Lambda reports none for queues. */
  LastProcessingResult?: string;
  State: EventSourceMappingStateName;
  StateTransitionReason: string;
  StartingPosition?: string;
  StartingPositionTimestamp?: number;
  ParallelizationFactor?: number;
  MaximumRecordAgeInSeconds?: number;
  BisectBatchOnFunctionError?: boolean;
  MaximumRetryAttempts?: number;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: { OnFailure: { Destination?: string } };
  ScalingConfig?: { MaximumConcurrency: number };
  /** Lambent's: a queue mapping's visibility timeout (an SQS queue's setting in AWS). */
  VisibilityTimeoutSeconds?: number;
  /** Present when the mapping filters records: a record any pattern matches is sent. */
  FilterCriteria?: FilterCriteria;
}

/** Lambda's event filtering: patterns, any of which a record must match to be sent. */
export interface FilterCriteria {
  Filters: { Pattern: string }[];
}

export interface ListEventSourceMappingsResponse {
  EventSourceMappings: EventSourceMappingConfiguration[];
  NextMarker?: string;
}

/**
 * The settings of Create and UpdateEventSourceMapping; in an update only those given change. Create also
 * carries FunctionName and EventSourceArn; an update may move the mapping to another FunctionName.
 */
export interface EventSourceMappingRequest {
  Enabled?: boolean;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  StartingPosition?: string;
  StartingPositionTimestamp?: number;
  FunctionResponseTypes?: string[];
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  BisectBatchOnFunctionError?: boolean;
  ParallelizationFactor?: number;
  /** Streams: 0 turns tumbling windows off. */
  TumblingWindowInSeconds?: number;
  /** An empty OnFailure removes the destination. */
  DestinationConfig?: { OnFailure: { Destination?: string } };
  /** `{}` removes the maximum. */
  ScalingConfig?: { MaximumConcurrency?: number };
  /** `{}` or no Filters removes the filters. */
  FilterCriteria?: Partial<FilterCriteria>;
  VisibilityTimeoutSeconds?: number;
}
