// The scheduler's cost on the sync path: the same invocation frame sent over NATS straight to the
// worker, and through the scheduler (admission + placement + forward), from one client process.
import { connect } from "@nats-io/transport-node";
import { Subjects, decodeInvocationResult, encodeInvocation } from "@lambent/protocol";
import type { GeneratorRound } from "../stats.js";
import type { DeployedFunction, LambentTarget } from "../targets/lambent.js";
import { closedLoop } from "./concurrent-loops.js";

export interface SchedulerHopResult {
  concurrency: number;
  direct: GeneratorRound;
  viaScheduler: GeneratorRound;
  /** p50 latency the hop adds, in ms. */
  addedP50Ms: number;
}

export async function schedulerHop(lambent: LambentTarget, fn: DeployedFunction, concurrencies: number[], durationMs: number): Promise<SchedulerHopResult[]> {
  const nc = await connect({ servers: lambent.cluster.natsUrl });
  const workerId = String((lambent.cluster.workers[0]!.ready["sandboxes"] as string[])[0]);
  const payload = new TextEncoder().encode('{"name":"hop"}');
  let sequence = 0;
  const frame = (): Uint8Array =>
    encodeInvocation({
      header: {
        requestId: `hop-${sequence++}`,
        functionName: fn.name,
        qualifier: "$LATEST",
        version: fn.version,
        revisionId: fn.revisionId,
        invocationType: "RequestResponse",
        logType: "None",
      },
      payload,
    });
  const request = (subject: string) => async (): Promise<void> => {
    const reply = await nc.request(subject, frame(), { timeout: 10_000 });
    if (decodeInvocationResult(reply.data).header.failure) throw new Error("invocation failed");
  };
  const results: SchedulerHopResult[] = [];
  try {
    for (const concurrency of concurrencies) {
      await closedLoop(concurrency, Math.min(500, durationMs), request(Subjects.schedulerInvoke(fn.name)));
      const direct = await closedLoop(concurrency, durationMs, request(Subjects.workerInvoke(workerId)));
      const viaScheduler = await closedLoop(concurrency, durationMs, request(Subjects.schedulerInvoke(fn.name)));
      results.push({ concurrency, direct, viaScheduler, addedP50Ms: viaScheduler.p50 - direct.p50 });
    }
  } finally {
    await nc.close();
  }
  return results;
}
