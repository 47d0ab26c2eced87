// Validation of the cluster messages the scheduler receives; anything malformed is ignored.
import type { LeaseRelease, LeaseReleases, WorkerHeartbeat } from "@lambent/protocol";

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);

export function parseHeartbeat(value: unknown): WorkerHeartbeat | undefined {
  if (!isRecord(value) || typeof value["workerId"] !== "string" || typeof value["maxEnvironments"] !== "number") {
    return undefined;
  }
  const idle: Record<string, number> = {};
  if (isRecord(value["idle"])) {
    for (const [key, count] of Object.entries(value["idle"])) if (typeof count === "number") idle[key] = count;
  }
  const number = (field: string): number => (typeof value[field] === "number" ? (value[field] as number) : 0);
  return {
    workerId: value["workerId"],
    memoryMb: number("memoryMb"),
    maxEnvironments: value["maxEnvironments"],
    environments: number("environments"),
    busy: number("busy"),
    idle,
    draining: value["draining"] === true,
  };
}

export function parseLeaseReleases(value: unknown): LeaseReleases | undefined {
  if (!isRecord(value) || typeof value["workerId"] !== "string" || !Array.isArray(value["releases"])) return undefined;
  const releases: LeaseRelease[] = [];
  for (const item of value["releases"] as unknown[]) {
    if (!isRecord(item) || typeof item["leaseId"] !== "number") continue;
    const release: LeaseRelease = { leaseId: item["leaseId"] };
    if (typeof item["idleEnvironment"] === "string") release.idleEnvironment = item["idleEnvironment"];
    releases.push(release);
  }
  return { workerId: value["workerId"], releases };
}

export function parseWorkerGone(value: unknown): { workerId: string } | undefined {
  return isRecord(value) && typeof value["workerId"] === "string" ? { workerId: value["workerId"] } : undefined;
}
