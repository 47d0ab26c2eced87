// Cluster membership messages: worker heartbeats and the scheduler's status answer.

export interface WorkerHeartbeat {
  workerId: string;
  /** Memory offered to environments, in MB. */
  memoryMb: number;
  maxEnvironments: number;
  /** Environments alive now (busy or idle). */
  environments: number;
  busy: number;
  /** Idle warm environments, counted per environment key (see environmentKey). */
  idle: Record<string, number>;
  draining: boolean;
}

/** Released when an invocation ends, so its slot can be given out again. */
export interface LeaseRelease {
  leaseId: number;
  /** The environment the call ran in, now idle again (absent when the environment was discarded). */
  idleEnvironment?: string;
}

/** A worker's releases for one scheduler, gathered over one turn of its event loop: one message, not one per call. */
export interface LeaseReleases {
  workerId: string;
  releases: LeaseRelease[];
}

export interface ClusterStatus {
  schedulerId: string;
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
