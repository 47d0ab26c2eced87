// What each Lambent service may publish and subscribe to on NATS, spelled from the subjects, streams and
// buckets in subjects.ts, so a new subject is granted here or refused by every server. nats-server enforces
// these (the generated server config, @lambent/nats-auth); docs/security.md explains each line.
import { Buckets, Streams, Subjects } from "./subjects.js";

export const NATS_ROLES = ["frontend", "scheduler", "worker", "operator"] as const;
export type NatsRole = (typeof NATS_ROLES)[number];

/**
 * Who a connection is: a worker node is one identity per worker id (its sandbox processes share it). The
 * operator is a person's tool (the `nats` CLI, tests) with every permission, issued only when asked for.
 */
export type NatsIdentity = { role: "frontend" } | { role: "scheduler" } | { role: "worker"; workerNodeId: string } | { role: "operator" };

export interface SubjectPermission {
  allow: string[];
  deny: string[];
}

export interface NatsPermissions {
  publish: SubjectPermission;
  subscribe: SubjectPermission;
}

/**
 * Where a connection's replies come back: a prefix of its own, so a service may subscribe to its own replies
 * and never to another's (replies carry payloads and results).
 */
export function inboxPrefixOf(identity: NatsIdentity): string {
  return identity.role === "worker" ? `_INBOX.worker.${identity.workerNodeId}` : `_INBOX.${identity.role}`;
}

/** Every service answers requests at the requester's inbox (and publishes requests with its own inbox as reply). */
const ANY_INBOX = "_INBOX.>";

/** A worker subject of any worker: a worker node (`<node>`) or one of its sandbox processes (`<node>.<i>-<g>`). */
function anyWorker(verb: "invoke" | "recall" | "provision" | "lease"): string[] {
  return [`lambent.worker.*.${verb}`, `lambent.worker.*.*.${verb}`];
}

/** JetStream API subjects to read a stream: info, direct and stored-message gets, ephemeral consumers and acks. */
function readStream(stream: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.*`,
    `$JS.API.CONSUMER.DELETE.${stream}.*`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
    `$JS.ACK.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

/** Creating a stream or bucket the service opens when it is missing (creating an existing one changes nothing). */
function createStream(stream: string): string[] {
  return [`$JS.API.STREAM.CREATE.${stream}`];
}

/** JetStream's account-wide read-only calls: limits and stream names, no messages. */
const JETSTREAM_INFO = ["$JS.API.INFO", "$JS.API.STREAM.NAMES"];

/**
 * Everything a worker's credentials may not do, whatever the allow lists say: act as a scheduler (take
 * placements, grant leases, recall or provision slots, lead), read queued events, workflows or the cluster
 * record, or write code and function configuration.
 */
const WORKER_DENIED_PUBLISH = [
  ...anyWorker("recall"),
  ...anyWorker("provision"),
  ...anyWorker("lease"),
  Subjects.workerReport,
  `$KV.${Buckets.cluster}.>`,
  `$O.${Buckets.code}.>`,
];

function workerPermissions(workerNodeId: string): NatsPermissions {
  const kvFunctions = Streams.keyValue(Buckets.functions);
  const objCode = Streams.objectStore(Buckets.code);
  const kvUsage = Streams.keyValue(Buckets.usage);
  return {
    publish: {
      allow: [
        Subjects.workerHeartbeat,
        Subjects.workerGone,
        Subjects.schedulerRelease,
        Subjects.schedulerStatus,
        // Functions calling functions: through the leader, straight to a worker's kept slots, or as events.
        Subjects.schedulerInvokeAll,
        ...anyWorker("invoke"),
        Subjects.asyncEventAll,
        // Functions' Lambda API requests other than Invoke, served by the frontends as the function's role.
        Subjects.functionApi,
        Subjects.functionLogsAll,
        Subjects.functionMetricsAll,
        // Usage counters are the only keys a worker writes in the functions bucket.
        `${Subjects.keyValuePrefix(Buckets.functions)}usage.>`,
        // The hourly usage buckets: this bucket holds nothing else.
        `${Subjects.keyValuePrefix(Buckets.usage)}>`,
        ...JETSTREAM_INFO,
        ...readStream(kvFunctions),
        ...readStream(objCode),
        ...createStream(kvFunctions),
        ...readStream(kvUsage),
        ...createStream(kvUsage),
        ...createStream(objCode),
        ...createStream(Streams.logs),
        `$JS.API.STREAM.INFO.${Streams.logs}`,
        ...createStream(Streams.metrics),
        `$JS.API.STREAM.INFO.${Streams.metrics}`,
        `$JS.API.STREAM.INFO.${Streams.events}`,
        ANY_INBOX,
      ],
      deny: WORKER_DENIED_PUBLISH,
    },
    subscribe: {
      allow: [
        Subjects.workerNodeAll(workerNodeId),
        Subjects.workerReport,
        // The warm path's directory of workers (which worker holds which warm environment).
        Subjects.workerHeartbeat,
        Subjects.workerGone,
        `${inboxPrefixOf({ role: "worker", workerNodeId })}.>`,
      ],
      deny: [],
    },
  };
}

/**
 * The frontend: the API's reads and writes of functions, code and workflows, calls to schedulers and to
 * workers' kept slots, events, logs; JetStream management for event source mappings and triggers on the
 * operator's own streams and buckets. Never a worker's or a scheduler's voice.
 */
const FRONTEND_PERMISSIONS: NatsPermissions = {
  publish: {
    allow: [
      Subjects.schedulerInvokeAll,
      Subjects.schedulerStatus,
      Subjects.schedulerProvisioned,
      ...anyWorker("invoke"),
      Subjects.asyncEventAll,
      Subjects.workflowWake,
      Subjects.workflowSync,
      Subjects.workflowHistoryAll,
      `$KV.${Buckets.functions}.>`,
      `$KV.${Buckets.workflows}.>`,
      `$KV.${Buckets.applications}.>`,
      `$KV.${Buckets.usage}.>`,
      `$O.${Buckets.code}.>`,
      "$JS.API.>",
      "$JS.ACK.>",
      "$JS.FC.>",
      ANY_INBOX,
    ],
    deny: [
      Subjects.workerHeartbeat,
      Subjects.workerGone,
      Subjects.workerReport,
      Subjects.schedulerRelease,
      ...anyWorker("recall"),
      ...anyWorker("provision"),
      ...anyWorker("lease"),
      `$KV.${Buckets.cluster}.>`,
    ],
  },
  subscribe: {
    allow: [Subjects.workerHeartbeat, Subjects.workerGone, Subjects.functionApi, `${inboxPrefixOf({ role: "frontend" })}.>`],
    deny: [],
  },
};

/**
 * The scheduler leads the cluster and runs triggers, event source mappings and destinations on any subject,
 * stream or bucket of the operator's, so it may reach all of them; it never speaks as a worker, never takes a
 * worker's calls and never reads another service's replies.
 */
const SCHEDULER_PERMISSIONS: NatsPermissions = {
  publish: {
    allow: [">"],
    deny: [Subjects.workerHeartbeat, Subjects.workerGone],
  },
  subscribe: {
    allow: [">"],
    deny: [...anyWorker("invoke"), ...anyWorker("recall"), ...anyWorker("provision"), ...anyWorker("lease"), `${inboxPrefixOf({ role: "frontend" })}.>`, "_INBOX.worker.>"],
  },
};

/** Everything: for an operator's own tools, never for a service. */
const OPERATOR_PERMISSIONS: NatsPermissions = { publish: { allow: [">"], deny: [] }, subscribe: { allow: [">"], deny: [] } };

export function natsPermissionsOf(identity: NatsIdentity): NatsPermissions {
  switch (identity.role) {
    case "operator":
      return OPERATOR_PERMISSIONS;
    case "frontend":
      return FRONTEND_PERMISSIONS;
    case "scheduler":
      return SCHEDULER_PERMISSIONS;
    case "worker":
      return workerPermissions(identity.workerNodeId);
  }
}
