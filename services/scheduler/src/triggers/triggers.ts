// Triggers in the scheduler: every scheduler follows `trigger.>` and serves topic triggers; the leader
// also runs schedules and bucket and KV sources (`leaderTask`). Built once per scheduler by server.ts.
import type { NatsConnection } from "@nats-io/nats-core";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { KeySpaceView } from "@lambent/registry/kv";
import { TRIGGER_KEYS, decodeTriggerRecord, triggerNameOf, type TriggerRecord } from "@lambent/registry/triggers";
import type { ArnScope, RegistryView } from "@lambent/registry/functions";
import type { Logger, MetricsRegistry } from "@lambent/telemetry";
import type { LeaderTask } from "../leader-task.js";
import type { LoopStopsReport } from "../invocation/loop-stops.js";
import { TriggerMetrics } from "../metrics/trigger-metrics.js";
import { ScheduleRunner } from "./schedule-runner.js";
import { BucketEvents, KeyValueEvents } from "./source-events.js";
import { SourceRunner } from "./source-runner.js";
import { TopicSubscriptions } from "./topic-subscriptions.js";
import { TriggerFirer } from "./trigger-firing.js";
import { TriggerRunner, type Runner } from "./trigger-runner.js";

export interface TriggersOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** The functions bucket: triggers and their state live there. */
  kv: KV;
  view: RegistryView;
  scope: ArnScope;
  logger: Logger;
  metrics: MetricsRegistry;
  loops: LoopStopsReport;
  now: () => number;
  /** LAMBENT_KV_TRIGGER_CACHE_MB, in bytes. */
  kvTriggerCacheBytes: number;
}

export class Triggers {
  readonly leaderTask: LeaderTask;
  private readonly records: KeySpaceView<TriggerRecord>;
  private readonly topics: TopicSubscriptions;

  constructor(options: TriggersOptions) {
    const { nc, js, jsm, kv, view, scope, loops, now, kvTriggerCacheBytes } = options;
    const logger = options.logger.child({ component: "triggers" });
    const firer = new TriggerFirer({ js, view, scope, metrics: new TriggerMetrics(options.metrics), loops, logger, now });
    this.records = new KeySpaceView(kv, {
      filter: TRIGGER_KEYS,
      decode: decodeTriggerRecord,
      onMalformed: (key, error) => logger.warn("trigger record is malformed: it does not run", { key, err: error }),
    });
    this.topics = new TopicSubscriptions({ nc, firer, scope, logger, now });
    this.records.onChange((key, value) => {
      const name = triggerNameOf(key);
      if (name !== undefined) void this.topics.apply(name, value);
    });
    const makeRunner = (record: TriggerRecord): Runner | undefined => {
      const { source } = record;
      switch (source.type) {
        case "schedule":
          return new ScheduleRunner({ trigger: { ...record, source }, kv, firer, scope, logger, now });
        case "bucket":
          return new SourceRunner({ trigger: { ...record, source }, js, jsm, firer, events: new BucketEvents({ ...record, source }, scope), logger });
        case "keyValue":
          return new SourceRunner({ trigger: { ...record, source }, js, jsm, firer, events: new KeyValueEvents({ ...record, source }, scope, js, jsm, kvTriggerCacheBytes), logger });
        case "topic":
          return undefined;
      }
    };
    this.leaderTask = new TriggerRunner(this.records, makeRunner, logger);
  }

  /** Loads every trigger (subscribing to topics on the way); resolves before leading can start. */
  async start(): Promise<void> {
    await this.records.start();
  }

  async stop(): Promise<void> {
    this.records.stop();
    await this.topics.stop();
  }
}
