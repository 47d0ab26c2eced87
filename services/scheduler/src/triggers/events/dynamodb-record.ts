// What a KV trigger sends for one change in a JetStream KV bucket: a DynamoDB Streams record
// (StreamViewType NEW_AND_OLD_IMAGES) with one record. A put is MODIFY when the key's previous value is
// known, INSERT otherwise; a delete or purge is REMOVE. The key is the item's key attribute `key`; values
// become images: a JSON object attribute by attribute, anything else as one attribute `value`.
import { createHash } from "node:crypto";
import { isRecord } from "@lambent/protocol";
import type { ArnScope } from "@lambent/registry/functions";

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

export type AttributeMap = Record<string, AttributeValue>;

/** One key's change, read from its KV message. */
export interface KeyChange {
  bucket: string;
  key: string;
  operation: "PUT" | "DEL" | "PURGE";
  /** The new value, for a put. */
  value?: Uint8Array;
  /** The KV revision (stream sequence). */
  revision: number;
  /** When it was stored, epoch ms. */
  time: number;
}

/** The key's value before the change: a value, known to be absent (none yet, or deleted), or unknown. */
export type PreviousValue = { kind: "value"; value: Uint8Array } | { kind: "absent" } | { kind: "unknown" };

export type DynamoDbEventName = "INSERT" | "MODIFY" | "REMOVE";

export interface DynamoDbStreamRecord {
  eventID: string;
  eventName: DynamoDbEventName;
  eventVersion: "1.1";
  eventSource: "aws:dynamodb";
  awsRegion: string;
  dynamodb: {
    /** Epoch seconds. */
    ApproximateCreationDateTime: number;
    Keys: { key: { S: string } };
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: "NEW_AND_OLD_IMAGES";
  };
  eventSourceARN: string;
}

const fatalDecoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** A JSON value as a DynamoDB attribute value. */
export function toAttributeValue(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  if (typeof value === "object") return { M: toAttributeMap(value as Record<string, unknown>) };
  return { S: String(value) };
}

function toAttributeMap(object: Record<string, unknown>): AttributeMap {
  const map: AttributeMap = {};
  for (const [name, value] of Object.entries(object)) map[name] = toAttributeValue(value);
  return map;
}

/** A stored value as an item image: a JSON object's attributes, else `value` as text (S) or bytes (B). */
export function imageOf(bytes: Uint8Array): AttributeMap {
  let text: string;
  try {
    text = fatalDecoder.decode(bytes);
  } catch {
    return { value: { B: Buffer.from(bytes).toString("base64") } };
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (isRecord(parsed)) return toAttributeMap(parsed);
  } catch {
    // Not JSON: the text is the value.
  }
  return { value: { S: text } };
}

export function dynamoDbEventName(change: KeyChange, previous: PreviousValue): DynamoDbEventName {
  if (change.operation !== "PUT") return "REMOVE";
  return previous.kind === "value" ? "MODIFY" : "INSERT";
}

/** The stream ARN a trigger's records name: the bucket as the table, the trigger's creation as the stream label. */
export function kvStreamArn(scope: ArnScope, bucket: string, createdAt: number): string {
  return `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${bucket}/stream/${new Date(createdAt).toISOString().slice(0, -1)}`;
}

export function dynamoDbRecord(
  scope: ArnScope,
  trigger: { name: string; createdAt: number },
  change: KeyChange,
  previous: PreviousValue,
): { Records: [DynamoDbStreamRecord] } {
  const dynamodb: DynamoDbStreamRecord["dynamodb"] = {
    ApproximateCreationDateTime: Math.floor(change.time / 1000),
    Keys: { key: { S: change.key } },
    SequenceNumber: String(change.revision),
    SizeBytes: 0,
    StreamViewType: "NEW_AND_OLD_IMAGES",
  };
  let size = encoder.encode(change.key).length;
  if (change.operation === "PUT" && change.value) {
    dynamodb.NewImage = imageOf(change.value);
    size += change.value.length;
  }
  if (previous.kind === "value") {
    dynamodb.OldImage = imageOf(previous.value);
    size += previous.value.length;
  }
  dynamodb.SizeBytes = size;
  return {
    Records: [
      {
        // The same change always has the same id, so a handler can spot a repeat.
        eventID: createHash("md5").update(`${trigger.name}:${change.revision}`).digest("hex"),
        eventName: dynamoDbEventName(change, previous),
        eventVersion: "1.1",
        eventSource: "aws:dynamodb",
        awsRegion: scope.region,
        dynamodb,
        eventSourceARN: kvStreamArn(scope, change.bucket, trigger.createdAt),
      },
    ],
  };
}
