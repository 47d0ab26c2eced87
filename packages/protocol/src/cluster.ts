// The messages schedulers, workers and frontends send each other about the cluster (heartbeats, lease
// releases, goodbyes, provisioning, status), and the parsers that check them as they arrive: anything
// malformed parses as undefined, and the receiver ignores it.
import { isRecord } from "./guards.js";

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
  /** The Unix socket callers on the same node send calls to, skipping NATS. */
  socket?: string;
  /**
   * When the worker sent this heartbeat, on its own monotonic clock (milliseconds): the leader echoes it in
   * its HeartbeatAck, so the worker's lease runs from the send, however late the answer arrives.
   */
  sentAt?: number;
}

/** Leader → one worker: the heartbeat sent at `sentAt` was heard by the scheduler leading in `term`. */
export interface HeartbeatAck {
  term: number;
  sentAt: number;
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
  /** A kept slot: held between calls, until the worker releases it. */
  kept?: boolean;
  /** A kept slot no call is running in right now. */
  idle?: boolean;
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
  /** The call ended but the worker keeps the slot: only its environment is idle again. */
  kept?: boolean;
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
  /** Each worker as the leader knows it: only when the request asked for `{ "detail": true }`. */
  workerList?: WorkerSummary[];
}

/** A worker in the leader's table, for the operator's view of the cluster. */
export interface WorkerSummary {
  workerId: string;
  node: string | undefined;
  memoryMb: number;
  maxEnvironments: number;
  /** Environments alive (busy or idle). */
  environments: number;
  busy: number;
  busyMemoryMb: number;
  /** Provisioned environments, all versions together. */
  provisioned: number;
  draining: boolean;
  /** Milliseconds since its last heartbeat reached the leader. */
  heardMsAgo: number;
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

/** Parses a message's JSON; undefined when it is not JSON (the shape is checked by the parsers below). */
export function parseJson(bytes: Uint8Array): unknown {
  try {
    return decodeJson(bytes);
  } catch {
    return undefined;
  }
}

function counts(value: unknown): Record<string, number> {
  const result: Record<string, number> = {};
  if (isRecord(value)) {
    for (const [key, count] of Object.entries(value)) if (typeof count === "number") result[key] = count;
  }
  return result;
}

function runningLeases(value: unknown): RunningLease[] {
  if (!Array.isArray(value)) return [];
  const leases: RunningLease[] = [];
  for (const item of value as unknown[]) {
    if (!isRecord(item) || typeof item["term"] !== "number" || typeof item["leaseId"] !== "number" || typeof item["functionName"] !== "string") {
      continue;
    }
    leases.push({
      term: item["term"],
      leaseId: item["leaseId"],
      functionName: item["functionName"],
      memoryMb: typeof item["memoryMb"] === "number" ? item["memoryMb"] : 128,
      ...(item["kept"] === true ? { kept: true } : {}),
      ...(item["idle"] === true ? { idle: true } : {}),
    });
  }
  return leases;
}

export function parseHeartbeat(value: unknown): WorkerHeartbeat | undefined {
  if (!isRecord(value) || typeof value["workerId"] !== "string" || typeof value["maxEnvironments"] !== "number") {
    return undefined;
  }
  const number = (field: string): number => (typeof value[field] === "number" ? (value[field] as number) : 0);
  return {
    workerId: value["workerId"],
    memoryMb: number("memoryMb"),
    maxEnvironments: value["maxEnvironments"],
    environments: number("environments"),
    busy: number("busy"),
    busyMemoryMb: number("busyMemoryMb"),
    idle: counts(value["idle"]),
    provisioned: counts(value["provisioned"]),
    running: runningLeases(value["running"]),
    draining: value["draining"] === true,
    ...(typeof value["node"] === "string" ? { node: value["node"] } : {}),
    ...(typeof value["socket"] === "string" ? { socket: value["socket"] } : {}),
    ...(typeof value["sentAt"] === "number" && Number.isFinite(value["sentAt"]) ? { sentAt: value["sentAt"] } : {}),
  };
}

export function parseHeartbeatAck(value: unknown): HeartbeatAck | undefined {
  if (!isRecord(value)) return undefined;
  const { term, sentAt } = value;
  if (typeof term !== "number" || !Number.isSafeInteger(term) || term < 1) return undefined;
  if (typeof sentAt !== "number" || !Number.isFinite(sentAt)) return undefined;
  return { term, sentAt };
}

export function parseLeaseReleases(value: unknown): LeaseReleases | undefined {
  if (!isRecord(value) || typeof value["workerId"] !== "string" || !Array.isArray(value["releases"])) return undefined;
  const releases: LeaseRelease[] = [];
  for (const item of value["releases"] as unknown[]) {
    if (!isRecord(item) || typeof item["term"] !== "number" || typeof item["leaseId"] !== "number") continue;
    const release: LeaseRelease = { term: item["term"], leaseId: item["leaseId"] };
    if (typeof item["idleEnvironment"] === "string") release.idleEnvironment = item["idleEnvironment"];
    if (item["kept"] === true) release.kept = true;
    releases.push(release);
  }
  return { workerId: value["workerId"], releases };
}

/** Leader → one worker: give back the kept slots you are not using (of one function, or all). */
export interface SlotRecall {
  functionName?: string;
  /**
   * The slots in use go back too, each as its call ends, instead of being kept for the next call: a
   * concurrency limit was lowered below what is kept, and calls on kept slots never reach the leader.
   */
  inUseToo?: boolean;
}

/** The worker's answer, sent after the releases of the slots it gave back. */
export interface SlotRecallAnswer {
  released: number;
}

export function parseSlotRecall(value: unknown): SlotRecall | undefined {
  if (!isRecord(value)) return undefined;
  const recall: SlotRecall = typeof value["functionName"] === "string" ? { functionName: value["functionName"] } : {};
  if (value["inUseToo"] === true) recall.inUseToo = true;
  return recall;
}

const LOSS_REASONS: readonly WorkerLossReason[] = ["left", "crashed", "out-of-memory", "hung", "silent"];

export function parseWorkerGone(value: unknown): WorkerGone | undefined {
  if (!isRecord(value) || typeof value["workerId"] !== "string") return undefined;
  const gone: WorkerGone = { workerId: value["workerId"] };
  const reason = value["reason"];
  if (typeof reason === "string" && (LOSS_REASONS as readonly string[]).includes(reason)) gone.reason = reason as WorkerLossReason;
  const culprit = value["culprit"];
  if (isRecord(culprit) && typeof culprit["requestId"] === "string" && typeof culprit["functionName"] === "string" && typeof culprit["version"] === "string") {
    gone.culprit = { requestId: culprit["requestId"], functionName: culprit["functionName"], version: culprit["version"] };
  }
  return gone;
}

export function parseProvisionRequest(value: unknown): ProvisionRequest | undefined {
  if (!isRecord(value)) return undefined;
  const { functionName, version, revisionId, count } = value;
  if (typeof functionName !== "string" || functionName === "") return undefined;
  if (typeof version !== "string" || version === "") return undefined;
  if (typeof revisionId !== "string" || revisionId === "") return undefined;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) return undefined;
  return { functionName, version, revisionId, count };
}

export function parseProvisionedStatusRequest(value: unknown): ProvisionedStatusRequest | undefined {
  return isRecord(value) && typeof value["functionName"] === "string" && typeof value["qualifier"] === "string"
    ? { functionName: value["functionName"], qualifier: value["qualifier"] }
    : undefined;
}
