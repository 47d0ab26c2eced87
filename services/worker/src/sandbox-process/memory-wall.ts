// The sandbox process's last wall against memory V8 does not count (WebAssembly memories above all, each
// capped by the runtime but not their sum): the watchdog thread (watchdog.ts) reads the process's resident
// memory, less what functions hold in /tmp (which lives in this process's memory by design and is charged
// by the pool), and when it is above the process's share plus its margin, the process ends as if V8 had
// run out of memory. This is the main thread's side: it keeps the /tmp total the watchdog reads, knows the
// environments, and names the call most likely to blame, so the supervisor fails that call as the
// function's own out-of-memory error and throttles its function.
import type { CallCulprit } from "@lambent/protocol";
import type { StorageMeter } from "../host/filesystem.js";
import type { EnvironmentTracker } from "../pool/environment.js";

/** What the watchdog thread needs to watch the wall: the limit, and the /tmp total it may leave out. */
export interface WallSettings {
  limitBytes: number;
  /** One BigInt64 slot: bytes functions hold in /tmp across the process. */
  exempt: SharedArrayBuffer;
}

/** What the wall knows of an environment. */
export interface WallCandidate {
  /** How far its live WebAssembly memories may grow together, as its runtime reported. */
  readonly wasmReservedBytes: number;
  /** The call it runs now, if any. */
  readonly runningRequestId: string | undefined;
  /** The last call it ran (or started up for). */
  readonly lastRequestId: string | undefined;
  readonly record: { functionName: string; version: string };
}

/**
 * The likely culprit: the environment whose WebAssembly memories may grow the furthest (the only memory an
 * isolate holds that its heap cap does not bound), named by the call it runs or last ran; else, when only
 * one call is running, that call; else nobody (every call of the process is lost alike).
 */
export function likelyCulprit(candidates: Iterable<WallCandidate>): CallCulprit | undefined {
  let heaviest: WallCandidate | undefined;
  const running: WallCandidate[] = [];
  for (const candidate of candidates) {
    if (candidate.wasmReservedBytes > 0 && (!heaviest || candidate.wasmReservedBytes > heaviest.wasmReservedBytes)) heaviest = candidate;
    if (candidate.runningRequestId) running.push(candidate);
  }
  const chosen = heaviest ?? (running.length === 1 ? running[0] : undefined);
  const requestId = chosen?.runningRequestId ?? chosen?.lastRequestId;
  if (!chosen || !requestId) return undefined;
  return { requestId, functionName: chosen.record.functionName, version: chosen.record.version };
}

export class MemoryWall implements StorageMeter, EnvironmentTracker {
  private readonly environments = new Set<WallCandidate>();
  private readonly exempt: SharedArrayBuffer;
  private readonly tmpBytes: BigInt64Array;

  constructor(readonly limitBytes: number) {
    this.exempt = new SharedArrayBuffer(8);
    this.tmpBytes = new BigInt64Array(this.exempt);
  }

  get settings(): WallSettings {
    return { limitBytes: this.limitBytes, exempt: this.exempt };
  }

  /** /tmp grew (or shrank) by `bytes` somewhere in the process. */
  add(bytes: number): void {
    if (bytes !== 0) Atomics.add(this.tmpBytes, 0, BigInt(bytes));
  }

  track(environment: WallCandidate): void {
    this.environments.add(environment);
  }

  untrack(environment: WallCandidate): void {
    this.environments.delete(environment);
  }

  culprit(): CallCulprit | undefined {
    return likelyCulprit(this.environments);
  }
}
