// The only place a NATS subject, queue group, stream or bucket name is spelled.

export const Subjects = {
  /** Frontend → scheduler: place a synchronous invocation. The function name is a token so schedulers can partition later. */
  schedulerInvoke: (functionName: string) => `lambent.sched.invoke.${functionName}`,
  schedulerInvokeAll: "lambent.sched.invoke.*",
  /** Worker → the scheduler that placed a call: the call's slot is free again. */
  schedulerRelease: (schedulerId: string) => `lambent.sched.${schedulerId}.release`,
  /** Anyone → schedulers: is the cluster able to serve? Answered with a ClusterStatus. */
  schedulerStatus: "lambent.sched.status",
  /** Scheduler → one worker: run this invocation and answer the original caller. */
  workerInvoke: (workerId: string) => `lambent.worker.${workerId}.invoke`,
  /** Worker → schedulers: capacity and warm environments, every heartbeat interval. */
  workerHeartbeat: "lambent.worker.heartbeat",
  /** Worker → schedulers: leaving now (drained or stopping). */
  workerGone: "lambent.worker.gone",
} as const;

export const QueueGroups = {
  schedulers: "lambent-schedulers",
} as const;

export const Buckets = {
  /** KV: function configuration per version, aliases. */
  functions: "lambent_functions",
  /** Object Store: deployment packages and built bundles, content-addressed. */
  code: "lambent_code",
} as const;
