// Lambent's queue visibility call: what a function's asynchronous event queue holds now and what became of
// its events, read through @lambent/event-queue (the stream and the scheduler's counters).
import { invalidParameter, resourceNotFound } from "@lambent/errors";
import type { QueueStats } from "@lambent/event-queue";
import { LATEST, functionArn, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";
import type { QueueStatsResponse } from "@lambent/lambda-api";

export class QueueStatsOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
    private readonly readQueueStats: (functionName: string) => Promise<QueueStats>,
  ) {}

  /** One queue per function, whatever qualifier its events were sent to, so a qualifier is refused. */
  async get(reference: string): Promise<QueueStatsResponse> {
    const { functionName, qualifier } = parseFunctionReference(reference);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier: a function has one event queue for all its qualifiers");
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    }
    return toQueueStatsResponse(await this.readQueueStats(functionName));
  }
}

export function toQueueStatsResponse(stats: QueueStats): QueueStatsResponse {
  return {
    FunctionName: stats.functionName,
    Depth: stats.depth,
    OldestEventAgeMs: stats.oldestEventAgeMs,
    Succeeded: stats.succeeded,
    Retried: stats.retried,
    DeadLettered: stats.deadLettered,
    DroppedForAge: stats.droppedForAge,
  };
}
