// Asynchronous invocation: how one qualifier's events are retried and where their results go (Lambda's
// event invoke configs), and Lambent's view of a function's event queue.

/** One destination of an EventInvokeConfig; `Destination` is absent when none is set. */
export interface EventDestination {
  Destination?: string;
}

/** Lambda's FunctionEventInvokeConfig: how asynchronous invocations of one qualifier are handled. */
export interface FunctionEventInvokeConfig {
  /** Epoch seconds. */
  LastModified: number;
  /** The qualified ARN the config applies to (`…:function:name:$LATEST` for $LATEST). */
  FunctionArn: string;
  /** Absent unless set: Lambda's default (2) applies. */
  MaximumRetryAttempts?: number;
  /** Absent unless set: Lambda's default (21600) applies. */
  MaximumEventAgeInSeconds?: number;
  DestinationConfig: { OnSuccess: EventDestination; OnFailure: EventDestination };
}

export interface ListFunctionEventInvokeConfigsResponse {
  FunctionEventInvokeConfigs: FunctionEventInvokeConfig[];
  NextMarker?: string;
}

/** Put/UpdateFunctionEventInvokeConfig's body. In an update, an OnSuccess or OnFailure without Destination removes it. */
export interface EventInvokeConfigRequest {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: { OnSuccess?: EventDestination; OnFailure?: EventDestination };
}

/** Lambent's queue visibility: what a function's asynchronous event queue holds and what became of its events. */
export interface QueueStatsResponse {
  FunctionName: string;
  /** Events waiting or running, retries waiting out their delay included. */
  Depth: number;
  /** Age of the oldest queued event in milliseconds; 0 when the queue is empty. */
  OldestEventAgeMs: number;
  Succeeded: number;
  Retried: number;
  DeadLettered: number;
  DroppedForAge: number;
}
