// Reads one bucket or KV trigger's durable consumer while this scheduler leads, and enqueues an
// invocation for each change the trigger selects, with the dedup key `trigger:<name>:<stream sequence>`.
// A message is acknowledged only once its invocation is stored (or the trigger does not fire for it), so a
// leader that dies mid-way leaves it to the next one, and JetStream's duplicate window stores a repeat once.
// An enqueue that fails is retried (the message kept alive) until it succeeds or the runner stops.
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { Consumers, callDepthOf } from "@lambent/protocol";
import { ensureTriggerConsumer, isNotFound, sourceStream, type ConsumedTriggerSource, type TriggerRecord } from "@lambent/registry/triggers";
import type { Logger } from "@lambent/telemetry";
import type { SourceEvents } from "./source-events.js";
import { pause, requestIdFor, type TriggerFirer } from "./trigger-firing.js";

/** Messages pulled per request. */
const PULL_BATCH = 64;
/** Invocations being stored at once; payloads are still built one message at a time, in order. */
const MAX_IN_FLIGHT = 32;
/** Wait before opening the consumer again after it failed (or its bucket is missing). */
const REOPEN_DELAY_MS = 5_000;
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 5_000;
/** The consumer's ack wait (10 s) is extended this often while a change is being stored. */
const WORKING_INTERVAL_MS = 3_000;

export interface SourceRunnerOptions {
  trigger: TriggerRecord & { source: ConsumedTriggerSource };
  js: JetStreamClient;
  jsm: JetStreamManager;
  firer: TriggerFirer;
  events: SourceEvents;
  logger: Logger;
}

export class SourceRunner {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private missingReported = false;
  private trigger: SourceRunnerOptions["trigger"];

  constructor(private readonly options: SourceRunnerOptions) {
    this.trigger = options.trigger;
  }

  start(): void {
    this.running ??= this.run();
  }

  /**
   * Takes a change of the trigger's function, qualifier or description without reopening its consumer;
   * false when the source changed (the runner must be replaced).
   */
  update(record: TriggerRecord): boolean {
    if (JSON.stringify(record.source) !== JSON.stringify(this.trigger.source)) return false;
    this.trigger = { ...record, source: this.trigger.source };
    return true;
  }

  /** Stops reading; invocations being stored finish, messages not yet handled go back to the consumer. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.messages?.close();
    await this.running;
  }

  private async run(): Promise<void> {
    const { js, jsm, events, logger } = this.options;
    const { trigger } = this;
    const signal = this.stopping.signal;
    const { stream } = sourceStream(trigger.source);
    while (!signal.aborted) {
      try {
        await ensureTriggerConsumer(jsm, trigger.name, trigger.source);
        const consumer = await js.consumers.get(stream, Consumers.trigger(trigger.name));
        await events.prepare();
        if (signal.aborted) break;
        this.messages = await consumer.consume({ max_messages: PULL_BATCH, abort_on_missing_resource: true });
        if (this.missingReported) logger.info("trigger source is back", { trigger: trigger.name, stream });
        this.missingReported = false;
        for await (const message of this.messages) {
          if (signal.aborted) {
            message.nak();
            continue;
          }
          const payload = await events.payloadOf(message);
          if (payload === undefined) {
            message.ack();
            continue;
          }
          while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
          const delivery = this.deliver(message, payload).finally(() => this.inFlight.delete(delivery));
          this.inFlight.add(delivery);
        }
      } catch (error) {
        if (signal.aborted) break;
        if (isNotFound(error)) {
          if (!this.missingReported) logger.warn("trigger source bucket does not exist: waiting for it", { trigger: trigger.name, stream });
          this.missingReported = true;
        } else if (isConsumerDeleted(error)) {
          // DeleteTrigger removes the consumer just before the record; this runner is stopped next.
          logger.info("trigger consumer was deleted: reopening it unless the trigger is gone", { trigger: trigger.name, stream });
        } else {
          logger.warn("trigger source failed: reopening it", { trigger: trigger.name, stream, err: error });
        }
      }
      await Promise.all(this.inFlight);
      await pause(REOPEN_DELAY_MS, signal);
    }
    await Promise.all(this.inFlight);
  }

  private async deliver(message: JsMsg, payload: Uint8Array): Promise<void> {
    const { firer, logger } = this.options;
    const signal = this.stopping.signal;
    const dedupKey = `trigger:${this.trigger.name}:${message.seq}`;
    const requestId = requestIdFor(dedupKey);
    const keepAlive = setInterval(() => message.working(), WORKING_INTERVAL_MS);
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          await firer.fire(this.trigger, payload, { dedupKey, requestId, sourceDepth: callDepthOf(message) });
          message.ack();
          return;
        } catch (error) {
          // Not acknowledged when stopping: the message goes to whoever leads next.
          if (signal.aborted) return;
          if (attempt === 0) logger.warn("trigger could not enqueue a change: retrying", { trigger: this.trigger.name, seq: message.seq, err: error });
          await pause(Math.min(RETRY_FIRST_MS * 2 ** attempt, RETRY_MAX_MS), signal);
        }
      }
    } finally {
      clearInterval(keepAlive);
    }
  }
}

/** The consumer was deleted under a running `consume()`. */
function isConsumerDeleted(error: unknown): boolean {
  return error instanceof Error && /consumer deleted/i.test(error.message);
}
