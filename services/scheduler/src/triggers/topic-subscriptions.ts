// Topic triggers, on every scheduler (leading or not): each enabled topic trigger's subject is subscribed
// in the queue group `lambent-trigger-<name>`, so exactly one scheduler takes each message and the others
// take over at once when it stops. Each message becomes an invocation with an SNS envelope. Core NATS
// keeps nothing: a message published while no scheduler runs reaches no one and is lost, and one a
// scheduler had received but not yet stored is lost if that scheduler dies. A message carrying
// `Nats-Msg-Id` is stored once per id within the event queue's duplicate window; one carrying
// `Lambent-Call-Depth` (a destination's) makes an event one call deeper.
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { CALL_DEPTH_HEADER, QueueGroups, callDepthOf } from "@lambent/protocol";
import type { ArnScope } from "@lambent/registry/functions";
import type { TopicSource, TriggerRecord } from "@lambent/registry/triggers";
import type { Logger } from "@lambent/telemetry";
import { snsEnvelope } from "./events/sns-envelope.js";
import { requestIdFor, type TriggerFirer } from "./trigger-firing.js";

/** Messages of one topic being stored at once; the rest wait in the subscription. */
const MAX_IN_FLIGHT = 64;
/** A failed enqueue is tried this many times in all before the message is dropped (and counted as failed). */
const ATTEMPTS = 4;
const RETRY_DELAY_MS = 250;

export interface TopicSubscriptionsOptions {
  nc: NatsConnection;
  firer: TriggerFirer;
  scope: ArnScope;
  logger: Logger;
  now: () => number;
}

interface TopicSubscription {
  /** The record messages are handled with; a change of function, qualifier or description replaces it in place. */
  trigger: TopicTrigger;
  subscription: Subscription;
  done: Promise<void>;
}

type TopicTrigger = TriggerRecord & { source: TopicSource };

const encoder = new TextEncoder();

export class TopicSubscriptions {
  private readonly topics = new Map<string, TopicSubscription>();
  /** Changes to one trigger are applied one after the other. */
  private readonly changes = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: TopicSubscriptionsOptions) {}

  /** Subscribes, resubscribes or unsubscribes a trigger to match its record (undefined: deleted). */
  apply(name: string, record: TriggerRecord | undefined): Promise<void> {
    const applied = (this.changes.get(name) ?? Promise.resolve()).then(() => this.applyNow(name, record));
    const settled = applied.catch((error: unknown) => this.options.logger.error("topic trigger subscription failed", { trigger: name, err: error }));
    this.changes.set(name, settled);
    void settled.then(() => {
      if (this.changes.get(name) === settled) this.changes.delete(name);
    });
    return settled;
  }

  private async applyNow(name: string, record: TriggerRecord | undefined): Promise<void> {
    const current = this.topics.get(name);
    const wanted = record?.enabled && record.source.type === "topic" && !this.stopping.signal.aborted ? (record as TopicTrigger) : undefined;
    // The same subject stays subscribed: no moment without a subscriber.
    if (current && wanted && current.trigger.source.subject === wanted.source.subject) {
      current.trigger = wanted;
      return;
    }
    if (current) {
      this.topics.delete(name);
      await this.close(current);
    }
    if (wanted) this.subscribe(wanted);
  }

  /** Lets every subscription finish what it received, then stops. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.changes.values());
    const all = [...this.topics.values()];
    this.topics.clear();
    await Promise.all(all.map((topic) => this.close(topic)));
  }

  private subscribe(trigger: TopicTrigger): void {
    const subscription = this.options.nc.subscribe(trigger.source.subject, { queue: QueueGroups.trigger(trigger.name) });
    const topic: TopicSubscription = { trigger, subscription, done: Promise.resolve() };
    topic.done = this.consume(topic);
    this.topics.set(trigger.name, topic);
  }

  /** Drains: the server stops sending, and what arrived is still stored. */
  private async close(topic: TopicSubscription): Promise<void> {
    // A drain fails only when the connection is closing, which ends the subscription anyway.
    if (!topic.subscription.isClosed()) await topic.subscription.drain().catch(() => undefined);
    await topic.done;
  }

  private async consume(topic: TopicSubscription): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for await (const message of topic.subscription) {
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const handled = this.handle(topic.trigger, message).finally(() => inFlight.delete(handled));
      inFlight.add(handled);
    }
    await Promise.all(inFlight);
  }

  private async handle(trigger: TopicTrigger, message: Msg): Promise<void> {
    const { firer, scope, logger, now } = this.options;
    const headers: [string, string[]][] = [];
    // The call depth is Lambent's bookkeeping, not one of the message's attributes.
    for (const [name, values] of message.headers ?? []) if (name !== CALL_DEPTH_HEADER) headers.push([name, values]);
    const natsMessageId = message.headers?.get("Nats-Msg-Id") || undefined;
    const dedupKey = natsMessageId === undefined ? undefined : `trigger:${trigger.name}:msg:${natsMessageId}`;
    const messageId = dedupKey === undefined ? randomUUID() : requestIdFor(dedupKey);
    const envelope = snsEnvelope(scope, { name: trigger.name, subject: trigger.source.subject }, {
      subject: message.subject,
      data: message.data,
      headers,
      messageId,
      receivedAt: now(),
    });
    const traceparent = message.headers?.get("traceparent") || undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await firer.fire(trigger, encoder.encode(JSON.stringify(envelope)), {
          requestId: messageId,
          sourceDepth: callDepthOf(message),
          ...(dedupKey ? { dedupKey } : {}),
          ...(traceparent ? { traceparent } : {}),
        });
        return;
      } catch (error) {
        if (attempt >= ATTEMPTS) {
          logger.error("topic message dropped: it could not be enqueued", { trigger: trigger.name, subject: message.subject, err: error });
          return;
        }
        // Unlike a stream, the subject will not deliver the message again: keep trying for a moment,
        // even while stopping (the subscription's drain waits for this).
        await delay(RETRY_DELAY_MS * attempt);
      }
    }
  }
}
