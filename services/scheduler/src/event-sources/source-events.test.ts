// The event shapes a function gets from a mapping, field by field.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { kinesisRecord, queueMessageId, receiptHandle, sqsRecord, streamFailureRecord } from "./source-events.js";

const source = { eventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders", region: "us-east-1", accountId: "000000000000" };
const bytes = (text: string) => new TextEncoder().encode(text);

describe("queue events", () => {
  it("names a message by a UUID of its stream and sequence, the same every time it is received", () => {
    const id = queueMessageId("ORDERS", 42);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(queueMessageId("ORDERS", 42)).toBe(id);
    expect(queueMessageId("ORDERS", 43)).not.toBe(id);
    expect(queueMessageId("OTHER", 42)).not.toBe(id);
  });

  it("builds Lambda's SQS record, headers as message attributes without NATS's own", () => {
    const record = sqsRecord(
      {
        messageId: "id-1",
        receiptHandle: receiptHandle("uuid-1", 7, 2),
        seq: 7,
        data: bytes('{"order":1}'),
        headers: [
          ["tenant", ["acme"]],
          ["Nats-Msg-Id", ["x"]],
        ],
        receiveCount: 2,
        sentMs: 1_700_000_000_000,
        firstReceiveMs: 1_700_000_000_500,
      },
      source,
    );
    expect(record).toEqual({
      messageId: "id-1",
      receiptHandle: Buffer.from("uuid-1:7:2").toString("base64"),
      body: '{"order":1}',
      attributes: {
        ApproximateReceiveCount: "2",
        SentTimestamp: "1700000000000",
        SenderId: "000000000000",
        ApproximateFirstReceiveTimestamp: "1700000000500",
        SequenceNumber: "7",
      },
      messageAttributes: { tenant: { stringValue: "acme", stringListValues: [], binaryListValues: [], dataType: "String" } },
      md5OfBody: createHash("md5").update('{"order":1}').digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: source.eventSourceArn,
      awsRegion: "us-east-1",
    });
  });
});

describe("stream events", () => {
  const streamSource = { ...source, eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/ORDERS" };

  it("builds Lambda's Kinesis record: the subject as partition key, the stream sequence, data in base64", () => {
    expect(kinesisRecord({ seq: 12, subject: "orders.eu", data: bytes("hello"), arrivalMs: 1_545_084_650_987 }, streamSource, "arn:aws:iam::000000000000:role/r")).toEqual({
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: "orders.eu", sequenceNumber: "12", data: "aGVsbG8=", approximateArrivalTimestamp: 1_545_084_650.987 },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: "shardId-000000000000:12",
      eventName: "aws:kinesis:record",
      invokeIdentityArn: "arn:aws:iam::000000000000:role/r",
      awsRegion: "us-east-1",
      eventSourceARN: streamSource.eventSourceArn,
    });
  });

  it("reports given-up records by where they are, not what they hold", () => {
    const records = [
      { seq: 3, subject: "orders.eu", data: bytes("x"), arrivalMs: Date.UTC(2024, 0, 1) },
      { seq: 5, subject: "orders.eu", data: bytes("y"), arrivalMs: Date.UTC(2024, 0, 2) },
    ];
    const failure = streamFailureRecord(
      { requestId: "req-1", functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", condition: "RetryAttemptsExhausted", invokeCount: 3, response: { executedVersion: "$LATEST", functionError: "Unhandled" }, records },
      streamSource,
      new Date(Date.UTC(2024, 0, 3)),
    );
    expect(failure).toEqual({
      requestContext: { requestId: "req-1", functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: "2024-01-03T00:00:00.000Z",
      KinesisBatchInfo: {
        shardId: "shardId-000000000000",
        startSequenceNumber: "3",
        endSequenceNumber: "5",
        approximateArrivalOfFirstRecord: "2024-01-01T00:00:00.000Z",
        approximateArrivalOfLastRecord: "2024-01-02T00:00:00.000Z",
        batchSize: 2,
        streamArn: streamSource.eventSourceArn,
        partitionKey: "orders.eu",
      },
    });
    expect(JSON.stringify(failure)).not.toContain(Buffer.from("x").toString("base64"));
  });
});
