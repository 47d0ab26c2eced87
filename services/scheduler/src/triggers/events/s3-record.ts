// What a bucket trigger sends for one change in a JetStream Object Store bucket: an S3 event
// notification (eventVersion 2.1) with one record. A put of an object is `ObjectCreated:Put`, a delete
// `ObjectRemoved:Delete`; the key is URL-encoded as S3 encodes it, the eTag is the hex of the object's
// SHA-256 digest, and the sequencer is the stream sequence of the change.
import type { ArnScope } from "@lambent/registry/functions";
import type { BucketSource } from "@lambent/registry/triggers";

/** One object's change, read from its metadata message (`$O.<bucket>.M.<name>`). */
export interface ObjectChange {
  bucket: string;
  key: string;
  deleted: boolean;
  size: number;
  /** `SHA-256=<base64url>` as the Object Store writes it; empty for a delete. */
  digest: string;
  /** The object's NATS id (its chunks' subject). */
  nuid: string;
  /** Stream sequence of the metadata message. */
  sequence: number;
  /** When the change was stored, epoch ms. */
  time: number;
}

const decoder = new TextDecoder();

/**
 * Reads an Object Store metadata message; undefined for what is not an object put or delete (a link to
 * another object, or a message that is not object metadata).
 */
export function parseObjectMeta(bucket: string, data: Uint8Array, sequence: number, time: number): ObjectChange | undefined {
  let meta: unknown;
  try {
    meta = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  if (typeof meta !== "object" || meta === null) return undefined;
  const info = meta as Record<string, unknown>;
  if (typeof info["name"] !== "string") return undefined;
  const options = info["options"] as { link?: unknown } | undefined;
  if (options?.link) return undefined;
  return {
    bucket,
    key: info["name"],
    deleted: info["deleted"] === true,
    size: typeof info["size"] === "number" ? info["size"] : 0,
    digest: typeof info["digest"] === "string" ? info["digest"] : "",
    nuid: typeof info["nuid"] === "string" ? info["nuid"] : "",
    sequence,
    time,
  };
}

export type S3EventName = "ObjectCreated:Put" | "ObjectRemoved:Delete";

export function s3EventName(change: ObjectChange): S3EventName {
  return change.deleted ? "ObjectRemoved:Delete" : "ObjectCreated:Put";
}

/** Whether the trigger's event types, prefix and suffix select the change. */
export function selectsObjectChange(source: BucketSource, change: ObjectChange): boolean {
  const name = s3EventName(change);
  const [family] = name.split(":");
  const wanted = source.events.some((event) => event === `s3:${name}` || event === `s3:${family}:*`);
  return wanted && (source.prefix === undefined || change.key.startsWith(source.prefix)) && (source.suffix === undefined || change.key.endsWith(source.suffix));
}

/** S3's encoding of keys in notifications: form encoding (space as `+`), with `/` left as it is. */
export function encodeS3Key(key: string): string {
  return new URLSearchParams({ k: key }).toString().slice(2).replaceAll("%2F", "/");
}

/** Hex of the digest in `SHA-256=<base64url>`; empty when there is none. */
export function digestHex(digest: string): string {
  const prefix = "SHA-256=";
  if (!digest.startsWith(prefix)) return "";
  return Buffer.from(digest.slice(prefix.length), "base64url").toString("hex");
}

/** S3's sequencer: a hex string that orders the changes of a key; here the stream sequence, 16 digits. */
export function sequencerOf(sequence: number): string {
  return sequence.toString(16).toUpperCase().padStart(16, "0");
}

export interface S3ObjectRecordObject {
  key: string;
  size?: number;
  eTag?: string;
  sequencer: string;
}

export interface S3Notification {
  Records: [
    {
      eventVersion: "2.1";
      eventSource: "aws:s3";
      awsRegion: string;
      eventTime: string;
      eventName: S3EventName;
      userIdentity: { principalId: string };
      requestParameters: { sourceIPAddress: string };
      responseElements: { "x-amz-request-id": string; "x-amz-id-2": string };
      s3: {
        s3SchemaVersion: "1.0";
        configurationId: string;
        bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
        object: S3ObjectRecordObject;
      };
    },
  ];
}

export function s3Notification(scope: ArnScope, triggerName: string, change: ObjectChange): S3Notification {
  const key = encodeS3Key(change.key);
  const sequencer = sequencerOf(change.sequence);
  // S3 reports no size or eTag for a delete.
  const object: S3ObjectRecordObject = change.deleted ? { key, sequencer } : { key, size: change.size, eTag: digestHex(change.digest), sequencer };
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: scope.region,
        eventTime: new Date(change.time).toISOString(),
        eventName: s3EventName(change),
        userIdentity: { principalId: scope.accountId },
        requestParameters: { sourceIPAddress: "" },
        responseElements: { "x-amz-request-id": change.nuid, "x-amz-id-2": "" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: triggerName,
          bucket: { name: change.bucket, ownerIdentity: { principalId: scope.accountId }, arn: `arn:aws:s3:::${change.bucket}` },
          object,
        },
      },
    ],
  };
}
