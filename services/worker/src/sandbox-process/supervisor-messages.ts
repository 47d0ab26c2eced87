// The messages between a sandbox process and its supervisor over Node's IPC channel.
import type { MetricSnapshot } from "@lambent/telemetry";

/** Sandbox → supervisor. */
export type SandboxMessage = { type: "ready"; workerId: string } | { type: "metrics"; id: number; snapshot: MetricSnapshot };

/** Supervisor → sandbox: send your metrics. */
export interface SupervisorRequest {
  type: "metrics";
  id: number;
}

export function isSupervisorRequest(value: unknown): value is SupervisorRequest {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "metrics" && typeof (value as { id?: unknown }).id === "number";
}

export function isSandboxMessage(value: unknown): value is SandboxMessage {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message["type"] === "ready") return typeof message["workerId"] === "string";
  return message["type"] === "metrics" && typeof message["id"] === "number" && Array.isArray(message["snapshot"]);
}
