// Cluster membership messages: worker heartbeats and the scheduler's status answer.

export interface WorkerHeartbeat {
  workerId: string;
  /** Memory offered to environments, in MB. */
  memoryMb: number;
  maxEnvironments: number;
  /** Environments alive now (busy or idle). */
  environments: number;
  busy: number;
  /** Memory the busy environments may grow to (their functions' memory sizes), in MB. */
  busyMemoryMb: number;
  /** Idle warm environments, counted per environment key (see environmentKey). */
  idle: Record<string, number>;
  /** Provisioned environments (busy or idle) per environment key. */
  provisioned: Record<string, number>;
  /** Calls running now under a scheduler lease: a new leader rebuilds its accounting from these. */
  running: RunningLease[];
  draining: boolean;
  /** The node (LAMBENT_NODE_ID) the worker's process runs on. */
  node?: string;
}

/**
 * Why a worker went away: it left (drained or stopped), its sandbox process ended without leaving
 * (crashed, out-of-memory, hung: its supervisor says so), or the schedulers stopped hearing from it (silent).
 */
export type WorkerLossReason = "left" | "crashed" | "out-of-memory" | "hung" | "silent";

/** Worker (or, for a sandbox process that ended, its supervisor) → schedulers and callers: this worker is gone. */
export interface WorkerGone {
  workerId: string;
  /** Absent means "left". */
  reason?: WorkerLossReason;
  /**
   * The call that brought the process down, when known (a fatal out-of-memory error in its isolate): it
   * failed with Runtime.OutOfMemory, a function error; the other calls the process ran were lost.
   */
  culprit?: CallCulprit;
}

export interface CallCulprit {
  requestId: string;
  functionName: string;
  version: string;
}

/** A call a worker is running, as its heartbeat reports it. */
export interface RunningLease {
  term: number;
  leaseId: number;
  functionName: string;
  memoryMb: number;
}

/** Scheduler → worker: hold exactly `count` provisioned environments of this version (0 lets them go). */
export interface ProvisionRequest {
  functionName: string;
  version: string;
  revisionId: string;
  count: number;
}

/** Frontend → scheduler: how many environments are ready for a provisioned concurrency config. */
export interface ProvisionedStatusRequest {
  functionName: string;
  qualifier: string;
}

export interface ProvisionedStatus {
  /** Provisioned environments initialised and alive across the cluster. */
  allocated: number;
}

/** Released when an invocation ends, so its slot can be given out again. */
export interface LeaseRelease {
  term: number;
  leaseId: number;
  /** The environment the call ran in, now idle again (absent when the environment was discarded). */
  idleEnvironment?: string;
}

/** A worker's releases, gathered over one turn of its event loop: one message, not one per call. */
export interface LeaseReleases {
  workerId: string;
  releases: LeaseRelease[];
}

export interface ClusterStatus {
  schedulerId: string;
  /** The leadership term of the answering scheduler (only the leader answers). */
  term: number;
  workers: number;
  inFlight: number;
}

/** Identifies an environment's code and configuration: a change to either means a new environment. */
export function environmentKey(functionName: string, version: string, revisionId: string): string {
  return `${functionName}:${version}:${revisionId}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: object): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Parses JSON from NATS; callers check the shape they need. */
export function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes));
}
