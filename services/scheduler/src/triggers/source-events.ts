// What a bucket or KV trigger sends for each message of its source stream: an S3 notification for an
// Object Store change the trigger selects, a DynamoDB Streams record for a KV change. Messages are read
// here one at a time, in stream order, so a KV key's previous value is always the one read before.
import { Kvm } from "@nats-io/kv";
import type { JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { Subjects } from "@lambent/protocol";
import type { ArnScope } from "@lambent/registry/functions";
import type { BucketSource, KeyValueSource, TriggerRecord } from "@lambent/registry/triggers";
import { dynamoDbRecord, type KeyChange } from "./events/dynamodb-record.js";
import { parseObjectMeta, s3Notification, selectsObjectChange } from "./events/s3-record.js";
import { KvPreviousValues, isRemoval } from "./kv-previous-values.js";

export interface SourceEvents {
  /** Runs each time the source's consumer is opened, before its first message. */
  prepare(): Promise<void>;
  /** The invocation payload for a message, in stream order; undefined when the trigger does not fire for it. */
  payloadOf(message: JsMsg): Promise<Uint8Array | undefined>;
}

const encoder = new TextEncoder();
const toJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
const storedAt = (message: JsMsg): number => Math.floor(message.info.timestampNanos / 1_000_000);

export class BucketEvents implements SourceEvents {
  constructor(
    private readonly trigger: TriggerRecord & { source: BucketSource },
    private readonly scope: ArnScope,
  ) {}

  async prepare(): Promise<void> {}

  async payloadOf(message: JsMsg): Promise<Uint8Array | undefined> {
    const { source } = this.trigger;
    const change = parseObjectMeta(source.bucket, message.data, message.seq, storedAt(message));
    if (!change || !selectsObjectChange(source, change)) return undefined;
    return toJson(s3Notification(this.scope, this.trigger.name, change));
  }
}

export class KeyValueEvents implements SourceEvents {
  private previous: KvPreviousValues | undefined;
  private readonly prefix: string;

  constructor(
    private readonly trigger: TriggerRecord & { source: KeyValueSource },
    private readonly scope: ArnScope,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly cacheBytes: number,
  ) {
    this.prefix = Subjects.keyValuePrefix(trigger.source.bucket);
  }

  async prepare(): Promise<void> {
    const kv = await new Kvm(this.js).open(this.trigger.source.bucket);
    const previous = new KvPreviousValues({ js: this.js, jsm: this.jsm, kv, source: this.trigger.source, maxBytes: this.cacheBytes });
    await previous.load();
    this.previous = previous;
  }

  async payloadOf(message: JsMsg): Promise<Uint8Array | undefined> {
    const previousValues = this.previous;
    if (!previousValues) throw new Error("KV trigger read a change before it was prepared");
    const key = message.subject.slice(this.prefix.length);
    const header = message.headers?.get("KV-Operation");
    const removed = isRemoval(header);
    const change: KeyChange = {
      bucket: this.trigger.source.bucket,
      key,
      operation: removed ? (header as "DEL" | "PURGE") : "PUT",
      revision: message.seq,
      time: storedAt(message),
    };
    if (!removed) change.value = message.data;
    const previous = await previousValues.before(key, message.seq);
    previousValues.remember(key, message.seq, change.value);
    return toJson(dynamoDbRecord(this.scope, this.trigger, change, previous));
  }
}
