// The bucket trigger's payload: S3 notification records from Object Store metadata, key encoding,
// eTag and sequencer, and the event-type, prefix and suffix filter.
import { describe, expect, it } from "vitest";
import type { BucketSource } from "@lambent/registry/triggers";
import { digestHex, encodeS3Key, parseObjectMeta, s3Notification, selectsObjectChange, sequencerOf, type ObjectChange } from "./s3-record.js";

const scope = { region: "us-east-1", accountId: "000000000000" };
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
// SHA-256 of "hello", as the Object Store writes it and as hex.
const HELLO_DIGEST = "SHA-256=LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
const HELLO_HEX = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

const put: ObjectChange = {
  bucket: "photos",
  key: "raw/my photo+1.jpg",
  deleted: false,
  size: 5,
  digest: HELLO_DIGEST,
  nuid: "NUID1",
  sequence: 42,
  time: Date.parse("2024-05-01T12:00:00.250Z"),
};

describe("object changes", () => {
  it("are read from metadata messages; links and other messages are not changes", () => {
    const meta = { name: "a.txt", bucket: "b", nuid: "N", size: 5, chunks: 1, digest: HELLO_DIGEST, mtime: "2024-05-01T12:00:00Z", options: { max_chunk_size: 131072 } };
    expect(parseObjectMeta("b", encode(meta), 7, 1000)).toEqual({ bucket: "b", key: "a.txt", deleted: false, size: 5, digest: HELLO_DIGEST, nuid: "N", sequence: 7, time: 1000 });
    expect(parseObjectMeta("b", encode({ ...meta, deleted: true, size: 0, digest: "" }), 8, 1000)).toMatchObject({ deleted: true, size: 0 });
    expect(parseObjectMeta("b", encode({ name: "l", bucket: "b", options: { link: { bucket: "other", name: "x" } } }), 9, 0)).toBeUndefined();
    expect(parseObjectMeta("b", new TextEncoder().encode("not json"), 10, 0)).toBeUndefined();
  });

  it("encode keys as S3 does, and digests and sequences as hex", () => {
    expect(encodeS3Key("raw/my photo+1.jpg")).toBe("raw/my+photo%2B1.jpg");
    expect(encodeS3Key("a:b=c&d/é")).toBe("a%3Ab%3Dc%26d/%C3%A9");
    expect(digestHex(HELLO_DIGEST)).toBe(HELLO_HEX);
    expect(digestHex("")).toBe("");
    expect(sequencerOf(42)).toBe("000000000000002A");
  });

  it("become ObjectCreated:Put records with size and eTag", () => {
    expect(s3Notification(scope, "thumbs", put)).toEqual({
      Records: [
        {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          awsRegion: "us-east-1",
          eventTime: "2024-05-01T12:00:00.250Z",
          eventName: "ObjectCreated:Put",
          userIdentity: { principalId: "000000000000" },
          requestParameters: { sourceIPAddress: "" },
          responseElements: { "x-amz-request-id": "NUID1", "x-amz-id-2": "" },
          s3: {
            s3SchemaVersion: "1.0",
            configurationId: "thumbs",
            bucket: { name: "photos", ownerIdentity: { principalId: "000000000000" }, arn: "arn:aws:s3:::photos" },
            object: { key: "raw/my+photo%2B1.jpg", size: 5, eTag: HELLO_HEX, sequencer: "000000000000002A" },
          },
        },
      ],
    });
  });

  it("become ObjectRemoved:Delete records without size or eTag", () => {
    const record = s3Notification(scope, "thumbs", { ...put, deleted: true, size: 0, digest: "", sequence: 43 }).Records[0];
    expect(record.eventName).toBe("ObjectRemoved:Delete");
    expect(record.s3.object).toEqual({ key: "raw/my+photo%2B1.jpg", sequencer: "000000000000002B" });
  });

  it("are selected by event type, prefix and suffix", () => {
    const both: BucketSource = { type: "bucket", bucket: "photos", events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] };
    const removed = { ...put, deleted: true };
    expect(selectsObjectChange(both, put)).toBe(true);
    expect(selectsObjectChange(both, removed)).toBe(true);
    expect(selectsObjectChange({ ...both, events: ["s3:ObjectCreated:Put"] }, put)).toBe(true);
    expect(selectsObjectChange({ ...both, events: ["s3:ObjectCreated:Put"] }, removed)).toBe(false);
    expect(selectsObjectChange({ ...both, events: ["s3:ObjectRemoved:Delete"] }, removed)).toBe(true);
    expect(selectsObjectChange({ ...both, prefix: "raw/" }, put)).toBe(true);
    expect(selectsObjectChange({ ...both, prefix: "thumbs/" }, put)).toBe(false);
    expect(selectsObjectChange({ ...both, suffix: ".jpg" }, put)).toBe(true);
    expect(selectsObjectChange({ ...both, prefix: "raw/", suffix: ".png" }, put)).toBe(false);
  });
});
