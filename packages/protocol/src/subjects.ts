// The only place a NATS subject, queue group, stream or bucket name is spelled.

export const Subjects = {
  /**
   * Frontend → the leading scheduler: place a synchronous invocation. Only the leader subscribes, so
   * "no responders" means no scheduler leads right now (a takeover is under way) and the call may be retried.
   */
  schedulerInvoke: (functionName: string) => `lambent.sched.invoke.${functionName}`,
  schedulerInvokeAll: "lambent.sched.invoke.*",
  /** Worker → the leading scheduler: these calls ended, their slots are free again. */
  schedulerRelease: "lambent.sched.release",
  /** Anyone → the leading scheduler: is the cluster able to serve? Answered with a ClusterStatus. */
  schedulerStatus: "lambent.sched.status",
  /** Frontend → the leading scheduler: how many provisioned environments are ready (ProvisionedStatusRequest). */
  schedulerProvisioned: "lambent.sched.provisioned",
  /**
   * Scheduler → one worker: run this invocation (with its lease) and answer the original caller. Callers
   * also send calls here straight, without a lease, to run within the worker's kept slots.
   */
  workerInvoke: (workerId: string) => `lambent.worker.${workerId}.invoke`,
  /**
   * Every subject of the worker node `workerNodeId` and of its sandbox processes (`<node>.<index>-<generation>`,
   * see sandboxWorkerId): the one pattern a worker node's NATS credentials may subscribe to.
   */
  workerNodeAll: (workerNodeId: string) => `lambent.worker.${workerNodeId}.>`,
  /**
   * Leader → one worker (request/reply): give back the kept slots you are not using (SlotRecall), so a
   * call that would otherwise be throttled can run.
   */
  workerRecall: (workerId: string) => `lambent.worker.${workerId}.recall`,
  /**
   * The leading (or recovering) scheduler → one worker: its heartbeat was heard (HeartbeatAck, with the
   * leader's term). The acknowledgement is the worker's lease on its kept slots (see scheduler-lease.ts).
   */
  workerLease: (workerId: string) => `lambent.worker.${workerId}.lease`,
  /** Scheduler → one worker: keep this many provisioned environments of a version (ProvisionRequest). */
  workerProvision: (workerId: string) => `lambent.worker.${workerId}.provision`,
  /** A new leader → every worker: send a heartbeat now, so running calls are counted before admitting more. */
  workerReport: "lambent.worker.report",
  /** Worker → schedulers: capacity, warm environments and running leases, every heartbeat interval. */
  workerHeartbeat: "lambent.worker.heartbeat",
  /** Worker → schedulers: leaving now (drained or stopping). */
  workerGone: "lambent.worker.gone",
  /** Frontend (or a retry) → the async event stream: one accepted `Event` invocation of a function. */
  asyncEvent: (functionName: string) => `lambent.event.${functionName}`,
  asyncEventAll: "lambent.event.*",
  /** Worker → the log stream: one finished invocation's log lines (a FunctionLogRecord, @lambent/log-stream). */
  functionLogs: (functionName: string) => `lambent.logs.${functionName}`,
  functionLogsAll: "lambent.logs.*",
  /** Worker and scheduler → the metrics stream: a function's per-minute counts since the last flush (a MinuteMetrics record, @lambent/log-stream). */
  functionMetrics: (functionName: string) => `lambent.metrics.${functionName}`,
  functionMetricsAll: "lambent.metrics.*",
  /** Step Functions history: the events of one execution (`<state machine key>.<execution key>`), in stream LAMBENT_SFN_HISTORY. */
  workflowHistory: (executionKey: string) => `lambent.sfn.history.${executionKey}`,
  workflowHistoryAll: "lambent.sfn.history.>",
  /** Frontend → the leading scheduler: an execution has news (started, stopped, a task token answered). WorkflowWake JSON. */
  workflowWake: "lambent.sfn.wake",
  /** Frontend → the leading scheduler (queue group): run an express execution now and answer its result (StartSyncExecution). */
  workflowSync: "lambent.sfn.sync",
  /**
   * Worker → the frontends (queue group `frontends`): a function's request to Lambda's REST API other than
   * Invoke, served as its execution role (a FunctionApiRequest frame; function-api.ts).
   */
  functionApi: "lambent.api.function",
  /** JetStream Object Store: every object's metadata in a bucket; a put or a delete writes one message. */
  objectMetaAll: (bucket: string) => `$O.${bucket}.M.>`,
  /** JetStream KV: the keys of a bucket a filter selects (`orders.*`, `>`); the key follows the prefix. */
  keyValueKeys: (bucket: string, keyFilter = ">") => `$KV.${bucket}.${keyFilter}`,
  keyValuePrefix: (bucket: string) => `$KV.${bucket}.`,
} as const;

export const Streams = {
  /** JetStream: accepted asynchronous invocations, a work queue (an event is removed once handled). */
  events: "LAMBENT_EVENTS",
  /** JetStream: functions' log lines, kept for LAMBENT_LOG_RETENTION_HOURS (or until LAMBENT_LOG_MAX_BYTES). */
  logs: "LAMBENT_LOGS",
  /** JetStream: functions' per-minute metrics (invocations, errors, throttles, durations, concurrency), kept a few hours. */
  metrics: "LAMBENT_METRICS",
  /** JetStream: Step Functions executions' history events, one subject per execution. */
  workflowHistory: "LAMBENT_SFN_HISTORY",
  /** A JetStream Object Store bucket's stream (not Lambent's: a bucket a trigger watches). */
  objectStore: (bucket: string) => `OBJ_${bucket}`,
  /** A JetStream KV bucket's stream (not Lambent's: a bucket a trigger watches). */
  keyValue: (bucket: string) => `KV_${bucket}`,
} as const;

export const Consumers = {
  /** The durable pull consumer the leading scheduler runs events from. */
  eventRunner: "lambent-event-runner",
  /** A bucket or KV trigger's durable consumer on the watched bucket's stream, read by the leading scheduler. */
  trigger: (triggerName: string) => `lambent-trigger-${triggerName}`,
  /** The durable pull consumer of one queue-semantics event source mapping, on the stream that captures its subject. */
  eventSourceMapping: (uuid: string) => `lambent-esm-${uuid}`,
} as const;

export const QueueGroups = {
  schedulers: "lambent-schedulers",
  /** Every frontend serves functions' Lambda API requests in this group, so one of them takes each. */
  frontends: "lambent-frontends",
  /** Every scheduler subscribes to a topic trigger's subject in this group, so one of them takes each message. */
  trigger: (triggerName: string) => `lambent-trigger-${triggerName}`,
} as const;

export const Buckets = {
  /** KV: function configuration per version, aliases, concurrency settings. */
  functions: "lambent_functions",
  /** Object Store: deployment packages and built bundles, content-addressed. */
  code: "lambent_code",
  /** KV: Step Functions state machines, executions, their running state and task tokens. */
  workflows: "lambent_workflows",
  /** KV: metered usage per hour, function and version, kept LAMBENT_USAGE_RETENTION_DAYS. */
  usage: "lambent_usage",
  /** KV: cluster coordination (the scheduler leadership record). */
  cluster: "lambent_cluster",
  /** KV: applications deployed from templates: their revisions, and the lock and journal of a deploy under way. */
  applications: "lambent_applications",
} as const;

/**
 * The worker id of sandbox process `index` (its `generation`-th start) of worker node `workerNodeId`. The
 * node id is a subject token of its own, so one NATS credential per worker node can be limited to its own
 * subjects (`lambent.worker.<node>.>`; NATS wildcards match whole tokens only).
 */
export function sandboxWorkerId(workerNodeId: string, index: number, generation: number): string {
  return `${workerNodeId}.${index}-${generation}`;
}

/** The worker node a worker id belongs to: the id itself, or a sandbox process's node (see sandboxWorkerId). */
export function workerNodeOf(workerId: string): string {
  const dot = workerId.indexOf(".");
  return dot < 0 ? workerId : workerId.slice(0, dot);
}
