// The KV trigger's payload: DynamoDB Streams records with keys, images, sequence numbers and event names.
import { describe, expect, it } from "vitest";
import { dynamoDbRecord, imageOf, toAttributeValue, type KeyChange } from "./dynamodb-record.js";

const scope = { region: "us-east-1", accountId: "000000000000" };
const trigger = { name: "orders-changes", createdAt: Date.parse("2024-05-01T10:00:00.123Z") };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const put: KeyChange = { bucket: "orders", key: "order.7", operation: "PUT", value: bytes('{"qty":2,"paid":true}'), revision: 12, time: Date.parse("2024-05-01T12:00:00.900Z") };

describe("attribute values", () => {
  it("marshal JSON values as DynamoDB does", () => {
    expect(toAttributeValue({ s: "x", n: 1.5, b: false, z: null, l: [1, "a"], m: { deep: [true] } })).toEqual({
      M: {
        s: { S: "x" },
        n: { N: "1.5" },
        b: { BOOL: false },
        z: { NULL: true },
        l: { L: [{ N: "1" }, { S: "a" }] },
        m: { M: { deep: { L: [{ BOOL: true }] } } },
      },
    });
  });

  it("make an image of a JSON object attribute by attribute, and of anything else as `value`", () => {
    expect(imageOf(bytes('{"qty":2}'))).toEqual({ qty: { N: "2" } });
    expect(imageOf(bytes("[1,2]"))).toEqual({ value: { S: "[1,2]" } });
    expect(imageOf(bytes("42"))).toEqual({ value: { S: "42" } });
    expect(imageOf(bytes("plain text"))).toEqual({ value: { S: "plain text" } });
    expect(imageOf(new Uint8Array([0xff, 0x00]))).toEqual({ value: { B: "/wA=" } });
  });
});

describe("DynamoDB stream records", () => {
  it("report a put of a new key as INSERT with the new image", () => {
    expect(dynamoDbRecord(scope, trigger, put, { kind: "absent" })).toEqual({
      Records: [
        {
          eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
          eventName: "INSERT",
          eventVersion: "1.1",
          eventSource: "aws:dynamodb",
          awsRegion: "us-east-1",
          dynamodb: {
            ApproximateCreationDateTime: 1714564800,
            Keys: { key: { S: "order.7" } },
            NewImage: { qty: { N: "2" }, paid: { BOOL: true } },
            SequenceNumber: "12",
            SizeBytes: 7 + 21,
            StreamViewType: "NEW_AND_OLD_IMAGES",
          },
          eventSourceARN: "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2024-05-01T10:00:00.123",
        },
      ],
    });
  });

  it("report a put over a known value as MODIFY with both images", () => {
    const record = dynamoDbRecord(scope, trigger, put, { kind: "value", value: bytes('{"qty":1}') }).Records[0];
    expect(record.eventName).toBe("MODIFY");
    expect(record.dynamodb.OldImage).toEqual({ qty: { N: "1" } });
    expect(record.dynamodb.NewImage).toEqual({ qty: { N: "2" }, paid: { BOOL: true } });
    expect(record.dynamodb.SizeBytes).toBe(7 + 21 + 9);
  });

  it("report a put whose previous value is unknown as INSERT, without an old image", () => {
    const record = dynamoDbRecord(scope, trigger, put, { kind: "unknown" }).Records[0];
    expect(record.eventName).toBe("INSERT");
    expect(record.dynamodb.OldImage).toBeUndefined();
  });

  it("report deletes and purges as REMOVE with the old image where known", () => {
    const removed = dynamoDbRecord(scope, trigger, { ...put, operation: "DEL", value: undefined, revision: 13 }, { kind: "value", value: bytes('{"qty":2}') }).Records[0];
    expect(removed.eventName).toBe("REMOVE");
    expect(removed.dynamodb.NewImage).toBeUndefined();
    expect(removed.dynamodb.OldImage).toEqual({ qty: { N: "2" } });
    expect(removed.dynamodb.SequenceNumber).toBe("13");
    const purged = dynamoDbRecord(scope, trigger, { ...put, operation: "PURGE", value: undefined, revision: 14 }, { kind: "unknown" }).Records[0];
    expect(purged.eventName).toBe("REMOVE");
    expect(purged.dynamodb.OldImage).toBeUndefined();
  });

  it("give a change the same event id every time", () => {
    const first = dynamoDbRecord(scope, trigger, put, { kind: "absent" }).Records[0].eventID;
    expect(dynamoDbRecord(scope, trigger, put, { kind: "unknown" }).Records[0].eventID).toBe(first);
    expect(dynamoDbRecord(scope, trigger, { ...put, revision: 99 }, { kind: "absent" }).Records[0].eventID).not.toBe(first);
  });
});
