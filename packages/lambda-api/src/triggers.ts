// Lambent's triggers: a function invoked asynchronously on a schedule, per message on a NATS subject, or per
// change in an Object Store or KV bucket.

export interface TriggerSchedule {
  /** `rate(…)` or `cron(…)`, as EventBridge writes them. */
  Expression: string;
  Timezone: string;
  Input?: string;
}

export interface TriggerBucket {
  Bucket: string;
  Events: string[];
  Prefix?: string;
  Suffix?: string;
}

export interface TriggerKeyValue {
  Bucket: string;
  Keys?: string;
}

/** A trigger as the API shows it: exactly one of Schedule, Topic, Bucket and KeyValue. Times are ISO 8601. */
export interface TriggerConfiguration {
  Name: string;
  FunctionName: string;
  /** Qualified with the qualifier unless it is $LATEST. */
  FunctionArn: string;
  Qualifier: string;
  Enabled: boolean;
  Description: string;
  CreatedAt: string;
  LastModified: string;
  Schedule?: TriggerSchedule;
  Topic?: { Subject: string };
  Bucket?: TriggerBucket;
  KeyValue?: TriggerKeyValue;
  /** A schedule's next tick, while it is enabled and has one. */
  NextFireTime?: string;
  /** A schedule's last tick that was enqueued (GetTrigger only). */
  LastFireTime?: string;
}

export interface ListTriggersResponse {
  Triggers: TriggerConfiguration[];
  NextMarker?: string;
}

/** CreateTrigger's body: exactly one of Schedule, Topic, Bucket and KeyValue. Absent Timezone and Events take their defaults. */
export interface CreateTriggerRequest {
  Name: string;
  FunctionName: string;
  Qualifier?: string;
  Enabled?: boolean;
  Description?: string;
  Schedule?: Omit<TriggerSchedule, "Timezone"> & { Timezone?: string };
  Topic?: { Subject: string };
  Bucket?: Omit<TriggerBucket, "Events"> & { Events?: string[] };
  KeyValue?: TriggerKeyValue;
}

/** UpdateTrigger's body: only the fields given change. */
export interface UpdateTriggerRequest {
  Enabled?: boolean;
  Qualifier?: string;
  Description?: string;
  Schedule?: Partial<TriggerSchedule>;
}
