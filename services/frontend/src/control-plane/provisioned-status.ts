// How many provisioned environments of a version or alias the cluster has ready, as the leading
// scheduler counts them. Control-plane only: Get/Put/ListProvisionedConcurrencyConfig report it.
import type { NatsConnection } from "@nats-io/nats-core";
import { Subjects, decodeJson, encodeJson, type ProvisionedStatusRequest } from "@lambent/protocol";

/** Short: a status read must not hang a control-plane call while no scheduler leads. */
const PROVISIONED_STATUS_TIMEOUT_MS = 1000;

/** Asks the leading scheduler; 0 when none answers in time, or the answer is not a ProvisionedStatus. */
export async function requestProvisionedAllocation(nc: NatsConnection, functionName: string, qualifier: string): Promise<number> {
  const request: ProvisionedStatusRequest = { functionName, qualifier };
  let answer: unknown;
  try {
    const reply = await nc.request(Subjects.schedulerProvisioned, encodeJson(request), { timeout: PROVISIONED_STATUS_TIMEOUT_MS });
    answer = decodeJson(reply.data);
  } catch {
    // No responders, a timeout or a garbled answer: nothing is known to be allocated, which reads as
    // IN_PROGRESS rather than failing the call.
    return 0;
  }
  return allocatedOf(answer);
}

/** `allocated` from a ProvisionedStatus, checked as it enters; anything else counts as 0. */
export function allocatedOf(answer: unknown): number {
  if (typeof answer !== "object" || answer === null) return 0;
  const allocated = (answer as Record<string, unknown>)["allocated"];
  return typeof allocated === "number" && Number.isInteger(allocated) && allocated > 0 ? allocated : 0;
}
