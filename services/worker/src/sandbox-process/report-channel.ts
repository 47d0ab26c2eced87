// How a sandbox process tells its supervisor why it is about to end: one JSON line on file descriptor 4,
// a pipe the supervisor reads. A plain write, so the watchdog thread can use it while the main thread
// is stuck, and nothing is lost when the process exits right after.
import { writeSync } from "node:fs";
import type { CallCulprit } from "@lambent/protocol";

export const REPORT_FD = 4;

/** What a sandbox process reports before it ends. */
export type SandboxReport =
  /** V8 reported a catastrophic error (out of memory) in an isolate running `culprit`. */
  | { kind: "out-of-memory"; culprit?: CallCulprit; message: string }
  /** The main thread has not come back from an inline entry of `culprit`. */
  | { kind: "hung"; culprit: CallCulprit };

export function sendReport(report: SandboxReport): void {
  try {
    writeSync(REPORT_FD, JSON.stringify(report) + "\n");
  } catch {
    // No supervisor listening (run on its own, in a test): the exit code still says it crashed.
  }
}

/** Parses one report line; undefined when it is not one. */
export function parseReport(line: string): SandboxReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const culprit = parseCulprit(record["culprit"]);
  if (record["kind"] === "out-of-memory") {
    return { kind: "out-of-memory", message: String(record["message"] ?? ""), ...(culprit ? { culprit } : {}) };
  }
  if (record["kind"] === "hung" && culprit) return { kind: "hung", culprit };
  return undefined;
}

function parseCulprit(value: unknown): CallCulprit | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { requestId, functionName, version } = value as Record<string, unknown>;
  return typeof requestId === "string" && typeof functionName === "string" && typeof version === "string" ? { requestId, functionName, version } : undefined;
}
