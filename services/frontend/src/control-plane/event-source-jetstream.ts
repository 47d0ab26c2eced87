// What an event source mapping needs from JetStream when it is created, changed or deleted: the stream
// that captures a queue's subject and the mapping's durable consumer on it; a stream's starting sequence
// for TRIM_HORIZON, LATEST or AT_TIMESTAMP, fixed at creation so a restart never moves it.
import { AckPolicy, DeliverPolicy, RetentionPolicy, jetstream, type JetStreamManager, type StreamInfo } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { invalidParameter, resourceConflict } from "@lambent/errors";
import type { StartingPosition } from "@lambent/registry/event-sources";

const NANOS_PER_SECOND = 1_000_000_000;

export interface QueueConsumerOptions {
  stream: string;
  consumer: string;
  subject: string;
  visibilityTimeoutSeconds: number;
}

export class EventSourceJetStream {
  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {}

  /** The stream that captures `subject`; InvalidParameterValueException when none does. */
  async streamCapturing(subject: string): Promise<StreamInfo> {
    let name: string;
    try {
      name = await this.jsm.streams.find(subject);
    } catch {
      throw invalidParameter(
        `No JetStream stream captures subject '${subject}': create one first (for example: nats stream add QUEUE --subjects '${subject}' --retention work)`,
      );
    }
    return this.jsm.streams.info(name);
  }

  /** A stream's info; InvalidParameterValueException when it does not exist. */
  async stream(name: string): Promise<StreamInfo> {
    try {
      return await this.jsm.streams.info(name);
    } catch {
      throw invalidParameter(`The JetStream stream '${name}' does not exist`);
    }
  }

  /**
   * The mapping's durable consumer, created now so no message published from here on is missed. A work
   * queue's waiting messages are all delivered; on other streams, only messages published from now on.
   */
  async createQueueConsumer(info: StreamInfo, options: QueueConsumerOptions): Promise<void> {
    try {
      await this.jsm.consumers.add(options.stream, {
        durable_name: options.consumer,
        filter_subject: options.subject,
        ack_policy: AckPolicy.Explicit,
        ack_wait: options.visibilityTimeoutSeconds * NANOS_PER_SECOND,
        deliver_policy: info.config.retention === RetentionPolicy.Workqueue ? DeliverPolicy.All : DeliverPolicy.New,
        max_deliver: -1,
        max_ack_pending: -1,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/not unique|overlap|non-filtered/i.test(message)) {
        throw resourceConflict(
          `Stream '${options.stream}' is a work queue and another consumer already reads subject '${options.subject}': a work-queue stream delivers each subject to one consumer (${message})`,
        );
      }
      throw error;
    }
  }

  /** A new visibility timeout is the consumer's new ack wait. */
  async updateVisibilityTimeout(stream: string, consumer: string, visibilityTimeoutSeconds: number): Promise<void> {
    await this.jsm.consumers.update(stream, consumer, { ack_wait: visibilityTimeoutSeconds * NANOS_PER_SECOND });
  }

  /** Deletes the consumer; one that is already gone (or whose stream is) is fine. */
  async deleteQueueConsumer(stream: string, consumer: string): Promise<void> {
    try {
      await this.jsm.consumers.delete(stream, consumer);
    } catch (error) {
      if (!/not found/i.test(String(error))) throw error;
    }
  }

  /** The first stream sequence a stream mapping reads, from its StartingPosition. */
  async startingSequence(info: StreamInfo, position: StartingPosition, timestampSeconds: number | undefined): Promise<number> {
    const { first_seq: first, last_seq: last, messages } = info.state;
    if (position === "TRIM_HORIZON") return messages === 0 ? last + 1 : first;
    if (position === "LATEST") return last + 1;
    // AT_TIMESTAMP: the first record stored at or after the time, found with a short-lived ordered consumer.
    const consumer = await jetstream(this.nc).consumers.get(info.config.name, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date((timestampSeconds ?? 0) * 1000).toISOString(),
    });
    try {
      const { num_pending: pending } = await consumer.info();
      if (pending === 0) return last + 1;
      const record = await consumer.next({ expires: 5_000 });
      return record?.seq ?? last + 1;
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  /**
   * Refuses an on-failure destination that the mapping's own stream captures: each failure record would be
   * read back as a record, fail, and make another.
   */
  async refuseFeedback(stream: string, destinationSubject: string): Promise<void> {
    let subjects: string[];
    try {
      subjects = (await this.jsm.streams.info(stream)).config.subjects ?? [];
    } catch {
      return;
    }
    const filter = subjects.find((candidate) => subjectMatches(candidate, destinationSubject));
    if (filter !== undefined) {
      throw invalidParameter(
        `DestinationConfig.OnFailure subject '${destinationSubject}' is captured by the mapping's own stream '${stream}' (${filter}): its failure records would be read back as records`,
      );
    }
  }
}

/** Whether a NATS subject filter (with `*` and `>` wildcards) matches a literal subject. */
export function subjectMatches(filter: string, subject: string): boolean {
  const filterTokens = filter.split(".");
  const subjectTokens = subject.split(".");
  for (let index = 0; index < filterTokens.length; index += 1) {
    const token = filterTokens[index]!;
    if (token === ">") return subjectTokens.length > index;
    if (index >= subjectTokens.length) return false;
    if (token !== "*" && token !== subjectTokens[index]) return false;
  }
  return filterTokens.length === subjectTokens.length;
}
