// Lambent's ListDeadLetters and RedriveDeadLetters: the messages in a function's dead-letter queue (an SQS
// ARN, a subject a JetStream stream keeps; async.md) and sending them back to the function as new events.
// A topic keeps nothing, so it lists nothing. A queue shared by several functions lists all their letters.
import { jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { enqueueInvocation } from "@lambent/event-queue";
import type { DeadLetter, ListDeadLettersResponse, RedriveDeadLettersResponse } from "@lambent/lambda-api";
import { LATEST, functionArn, parseDeadLetterTargetArn, parseFunctionReference, type ArnScope, type FunctionStore, type RegistryView } from "@lambent/registry/functions";

/** At most this many letters are listed, the newest. */
export const MAX_LISTED_DEAD_LETTERS = 50;
const decoder = new TextDecoder();

export class DeadLetterOperations {
  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly view: RegistryView,
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
  ) {}

  async list(reference: string): Promise<ListDeadLettersResponse> {
    const queue = await this.queueOf(reference);
    if (!queue.stream) return { ...(queue.targetArn ? { TargetArn: queue.targetArn } : {}), DeadLetters: [] };
    // An ordered consumer over the queue's subject, keeping the newest; a dead-letter queue is small.
    const consumer = await this.js.consumers.get(queue.stream, { filter_subjects: queue.subject });
    const stored = (await consumer.info(true)).num_pending;
    const letters: DeadLetter[] = [];
    if (stored > 0) {
      const messages = await consumer.consume();
      let seen = 0;
      try {
        for await (const message of messages) {
          seen += 1;
          letters.unshift(toDeadLetter(message.seq, Math.floor(Number(message.info.timestampNanos) / 1_000_000), message.headers, message.data));
          if (letters.length > MAX_LISTED_DEAD_LETTERS) letters.pop();
          if (seen >= stored || message.info.pending === 0) break;
        }
      } finally {
        await messages.close();
      }
    }
    return { TargetArn: queue.targetArn!, Stream: queue.stream, DeadLetters: letters };
  }

  /** Stores each named letter's payload as a new event of the function ($LATEST), then removes it from the queue. */
  async redrive(reference: string, body: unknown): Promise<RedriveDeadLettersResponse> {
    const sequences = typeof body === "object" && body !== null ? (body as { Sequences?: unknown }).Sequences : undefined;
    if (!Array.isArray(sequences) || sequences.length === 0 || sequences.length > MAX_LISTED_DEAD_LETTERS || !sequences.every((value) => Number.isInteger(value) && value > 0)) {
      throw invalidParameter(`Sequences must list 1 to ${MAX_LISTED_DEAD_LETTERS} dead letters' sequence numbers`);
    }
    const queue = await this.queueOf(reference);
    if (!queue.stream) throw invalidParameter("The function's dead-letter target keeps no messages (it is a topic, or no stream keeps its subject)");
    const requestIds: string[] = [];
    for (const sequence of sequences as number[]) {
      const message = await queue.jsm.streams.getMessage(queue.stream, { seq: sequence }).catch(() => null);
      if (!message) throw resourceNotFound(`Dead letter ${sequence} is not in ${queue.stream}`);
      if (message.subject !== queue.subject) throw resourceNotFound(`Dead letter ${sequence} is not in the function's dead-letter queue`);
      // Stored again before it is removed: a failure between the two leaves a copy, never a loss.
      requestIds.push(await enqueueInvocation(this.js, this.view, this.scope, { functionName: queue.functionName }, message.data));
      await queue.jsm.streams.deleteMessage(queue.stream, sequence, false);
    }
    return { RequestIds: requestIds };
  }

  private async queueOf(reference: string): Promise<{ functionName: string; targetArn?: string; subject: string; stream?: string; jsm: JetStreamManager }> {
    const { functionName, qualifier } = parseFunctionReference(reference);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier: the dead-letter queue belongs to the function");
    const record = await this.functions.get(functionName, LATEST);
    if (!record) throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    const jsm = await jetstreamManager(this.nc);
    const targetArn = record.record.deadLetterTargetArn;
    if (!targetArn) return { functionName, subject: "", jsm };
    const target = parseDeadLetterTargetArn(targetArn);
    if (target.kind !== "queue") return { functionName, targetArn, subject: target.subject, jsm };
    const stream = await jsm.streams.find(target.subject).catch(() => undefined);
    return { functionName, targetArn, subject: target.subject, jsm, ...(stream ? { stream } : {}) };
  }
}

function toDeadLetter(sequence: number, storedAtMs: number, headers: MsgHdrs | undefined, data: Uint8Array): DeadLetter {
  const header = (name: string): string | undefined => headers?.get(name) || undefined;
  const requestId = header("RequestID");
  const errorCode = header("ErrorCode");
  const errorMessage = header("ErrorMessage");
  return {
    Sequence: sequence,
    Time: new Date(storedAtMs).toISOString(),
    ...(requestId ? { RequestId: requestId } : {}),
    ...(errorCode ? { ErrorCode: errorCode } : {}),
    ...(errorMessage ? { ErrorMessage: errorMessage } : {}),
    Payload: decoder.decode(data),
  };
}

/** The API's dead-letter calls, or a ServiceException when this frontend was built without them. */
export function deadLettersOf(api: { deadLetters?: DeadLetterOperations | undefined }): DeadLetterOperations {
  if (!api.deadLetters) throw new LambdaError("ServiceException", "Dead letters are not available on this frontend");
  return api.deadLetters;
}
