// The events a function receives from an event source mapping, in Lambda's shapes: SQS records for queue
// sources, Kinesis records for stream sources, and the record an on-failure destination receives when a
// stream batch is given up (Kinesis batch info, not the data). See docs/triggers.md for each field.
import { createHash } from "node:crypto";
import { CALL_DEPTH_HEADER } from "@lambent/protocol";

/** Every stream is one shard: its subjects are the partition keys. */
export const SHARD_ID = "shardId-000000000000";
/** An SQS event carries at most 6 MB, like any synchronous invocation. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;

/** One queue message as the event describes it. */
export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  seq: number;
  data: Uint8Array;
  /** NATS headers: name → values. */
  headers: Iterable<[string, string[]]>;
  receiveCount: number;
  sentMs: number;
  firstReceiveMs: number;
}

/** Where the records come from and who reads them, the same for every record of a batch. */
export interface SourceContext {
  eventSourceArn: string;
  region: string;
  accountId: string;
}

const decoder = new TextDecoder("utf-8");

/** A message id that stays the same every time a message is received: a name-based UUID of its stream and sequence. */
export function queueMessageId(stream: string, seq: number): string {
  const hash = createHash("sha1").update(`${stream}:${seq}`).digest("hex");
  const variant = ((Number.parseInt(hash[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-${variant}${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
}

/** Opaque to the function, as SQS's: which mapping received which message, and how often. */
export function receiptHandle(mappingUuid: string, seq: number, receiveCount: number): string {
  return Buffer.from(`${mappingUuid}:${seq}:${receiveCount}`).toString("base64");
}

/** NATS's own headers (`Nats-Msg-Id`, …) are JetStream's business, and the call depth Lambent's: not message attributes. */
function isMessageAttribute(name: string): boolean {
  return !name.toLowerCase().startsWith("nats-") && name !== CALL_DEPTH_HEADER;
}

export function sqsRecord(message: QueueMessage, source: SourceContext): Record<string, unknown> {
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, values] of message.headers) {
    if (!isMessageAttribute(name)) continue;
    messageAttributes[name] = { stringValue: values.join(","), stringListValues: [], binaryListValues: [], dataType: "String" };
  }
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: decoder.decode(message.data),
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentMs),
      SenderId: source.accountId,
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveMs),
      SequenceNumber: String(message.seq),
    },
    messageAttributes,
    md5OfBody: createHash("md5").update(message.data).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: source.eventSourceArn,
    awsRegion: source.region,
  };
}

/** One stream record as the event describes it. */
export interface StreamRecordView {
  seq: number;
  subject: string;
  data: Uint8Array;
  arrivalMs: number;
  /** The call depth of the invocation that published it (its Lambent-Call-Depth; 0 or absent from outside). */
  callDepth?: number;
}

export function kinesisRecord(record: StreamRecordView, source: SourceContext, invokeIdentityArn: string): Record<string, unknown> {
  const sequenceNumber = String(record.seq);
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: record.subject,
      sequenceNumber,
      data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString("base64"),
      approximateArrivalTimestamp: record.arrivalMs / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${SHARD_ID}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn,
    awsRegion: source.region,
    eventSourceARN: source.eventSourceArn,
  };
}

/** Bytes a stream record takes in the event: its data in base64 and the fields around it. */
export function kinesisRecordSize(record: StreamRecordView): number {
  return Math.ceil(record.data.byteLength / 3) * 4 + record.subject.length + 600;
}

/** Lambda's conditions, and Lambent's RecursiveInvocationDropped for records of a recursive loop, not run. */
export type FailureCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded" | "RecursiveInvocationDropped";

export interface FailedBatch {
  requestId: string;
  functionArn: string;
  condition: FailureCondition;
  /** Times the function ran the records (0 when they were too old to run). */
  invokeCount: number;
  /** The last run's answer, when there was one. */
  response?: { executedVersion: string; functionError?: string };
  records: readonly StreamRecordView[];
}

/** What an on-failure destination gets for records a stream mapping gave up: where they are, not what they hold. */
export function streamFailureRecord(batch: FailedBatch, source: SourceContext, now: Date): Record<string, unknown> {
  const first = batch.records[0]!;
  const last = batch.records[batch.records.length - 1]!;
  const record: Record<string, unknown> = {
    requestContext: { requestId: batch.requestId, functionArn: batch.functionArn, condition: batch.condition, approximateInvokeCount: batch.invokeCount },
  };
  if (batch.response) {
    record["responseContext"] = {
      statusCode: 200,
      executedVersion: batch.response.executedVersion,
      ...(batch.response.functionError ? { functionError: batch.response.functionError } : {}),
    };
  }
  record["version"] = "1.0";
  record["timestamp"] = now.toISOString();
  record["KinesisBatchInfo"] = {
    shardId: SHARD_ID,
    startSequenceNumber: String(first.seq),
    endSequenceNumber: String(last.seq),
    approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
    approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
    batchSize: batch.records.length,
    streamArn: source.eventSourceArn,
    // Lambent's: the subject (partition) the batch came from.
    partitionKey: first.subject,
  };
  return record;
}
