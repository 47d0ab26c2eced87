// Validation of the cluster messages the scheduler receives; anything malformed is ignored.
import { decodeJson, type CallCulprit, type WorkerGone, type WorkerLossReason, type LeaseRelease, type LeaseReleases, type ProvisionedStatusRequest, type RunningLease, type WorkerHeartbeat } from "@lambent/protocol";

type Fields = Record<string, unknown>;

/** Parses a message's JSON; undefined when it is not JSON (the shape is checked by the parsers below). */
export function parseJson(bytes: Uint8Array): unknown {
  try {
    return decodeJson(bytes);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);

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
  };
}

export function parseLeaseReleases(value: unknown): LeaseReleases | undefined {
  if (!isRecord(value) || typeof value["workerId"] !== "string" || !Array.isArray(value["releases"])) return undefined;
  const releases: LeaseRelease[] = [];
  for (const item of value["releases"] as unknown[]) {
    if (!isRecord(item) || typeof item["term"] !== "number" || typeof item["leaseId"] !== "number") continue;
    const release: LeaseRelease = { term: item["term"], leaseId: item["leaseId"] };
    if (typeof item["idleEnvironment"] === "string") release.idleEnvironment = item["idleEnvironment"];
    releases.push(release);
  }
  return { workerId: value["workerId"], releases };
}

const LOSS_REASONS: readonly WorkerLossReason[] = ["left", "crashed", "out-of-memory", "hung", "silent"];

export function parseWorkerGone(value: unknown): WorkerGone | undefined {
  if (!isRecord(value) || typeof value["workerId"] !== "string") return undefined;
  const gone: WorkerGone = { workerId: value["workerId"] };
  const reason = value["reason"];
  if (typeof reason === "string" && (LOSS_REASONS as readonly string[]).includes(reason)) gone.reason = reason as WorkerLossReason;
  const culprit = value["culprit"];
  if (isRecord(culprit) && typeof culprit["requestId"] === "string" && typeof culprit["functionName"] === "string" && typeof culprit["version"] === "string") {
    gone.culprit = { requestId: culprit["requestId"], functionName: culprit["functionName"], version: culprit["version"] } satisfies CallCulprit;
  }
  return gone;
}

export function parseProvisionedStatusRequest(value: unknown): ProvisionedStatusRequest | undefined {
  return isRecord(value) && typeof value["functionName"] === "string" && typeof value["qualifier"] === "string"
    ? { functionName: value["functionName"], qualifier: value["qualifier"] }
    : undefined;
}
