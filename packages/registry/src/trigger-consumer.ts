// The durable consumer a bucket or KV trigger reads its source through: `lambent-trigger-<name>` on the
// watched bucket's stream, filtered to object metadata (`$O.<bucket>.M.>`) or to the selected keys
// (`$KV.<bucket>.<keys>`), delivering only what is written after it was made. The frontend makes it at
// CreateTrigger (so nothing written between the create and the leader picking it up is missed) and
// removes it at DeleteTrigger; the leading scheduler makes it again if it went missing.
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type ConsumerConfig, type JetStreamManager } from "@nats-io/jetstream";
import { Consumers, Streams, Subjects } from "@lambent/protocol";
import type { BucketSource, KeyValueSource, TriggerRecord } from "./trigger-record.js";

/**
 * How long a source message may stay unacknowledged before JetStream hands it out again: how long the
 * changes a killed leader held wait for the next. The reader extends it while it works on a message.
 */
const ACK_WAIT_NS = 10_000_000_000;

export type ConsumedTriggerSource = BucketSource | KeyValueSource;

export function isConsumedSource(source: TriggerRecord["source"]): source is ConsumedTriggerSource {
  return source.type === "bucket" || source.type === "keyValue";
}

/** The stream and subject filter a bucket or KV source is read from. */
export function sourceStream(source: ConsumedTriggerSource): { stream: string; filterSubject: string } {
  return source.type === "bucket"
    ? { stream: Streams.objectStore(source.bucket), filterSubject: Subjects.objectMetaAll(source.bucket) }
    : { stream: Streams.keyValue(source.bucket), filterSubject: Subjects.keyValueKeys(source.bucket, source.keys) };
}

/** True when the bucket's stream exists. */
export async function sourceStreamExists(jsm: JetStreamManager, source: ConsumedTriggerSource): Promise<boolean> {
  try {
    await jsm.streams.info(sourceStream(source).stream);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Creates the trigger's consumer, or leaves it be when it exists with the same settings. */
export async function ensureTriggerConsumer(jsm: JetStreamManager, name: string, source: ConsumedTriggerSource): Promise<void> {
  const { stream, filterSubject } = sourceStream(source);
  const config: Partial<ConsumerConfig> = {
    durable_name: Consumers.trigger(name),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    filter_subject: filterSubject,
    ack_wait: ACK_WAIT_NS,
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(stream, Consumers.trigger(name));
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await jsm.consumers.add(stream, config);
}

/** Removes the trigger's consumer; nothing to do when it (or its stream) is gone already. */
export async function deleteTriggerConsumer(jsm: JetStreamManager, name: string, source: ConsumedTriggerSource): Promise<void> {
  try {
    await jsm.consumers.delete(sourceStream(source).stream, Consumers.trigger(name));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** A stream or consumer that does not exist. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound || error.status === 404)
  );
}
