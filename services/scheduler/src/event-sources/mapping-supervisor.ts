// The leading scheduler's event source mappings: a LeaderTask that follows `esm.>` through a KeySpaceView
// and keeps one poller per enabled mapping — started when a mapping appears or is enabled, told of
// changes, stopped when it is disabled or deleted, and all stopped when this scheduler stops leading.
// Changes of one mapping are applied one after the other. A disabled mapping has no poller; it is still
// claimed, so its state reads Disabled. Only one scheduler leads, so every partition is polled by exactly
// one scheduler at a time; a deposed leader that has not noticed yet cannot store progress (mapping-state.ts).
import type { KV } from "@nats-io/kv";
import { EVENT_SOURCE_MAPPING_KEYS, EventSourceMappingStore, decodeEventSourceMapping, type EventSourceMapping } from "@lambent/registry/event-sources";
import { KeySpaceView, ObservedWrites } from "@lambent/registry/kv";
import type { LeaderTask } from "../leader-task.js";
import { SerialByKey } from "../serial-by-key.js";
import { MappingStateWriter } from "./mapping-state.js";
import type { Poller, PollerDeps } from "./poller.js";
import { QueuePoller } from "./queue-poller.js";
import { StreamPoller } from "./stream-poller.js";

export interface MappingSupervisorOptions extends PollerDeps {
  kv: KV;
  /** Names this scheduler and its term in the state it writes. */
  owner: () => string;
}

export class MappingSupervisor implements LeaderTask {
  readonly name = "event source mappings";
  private view: KeySpaceView<EventSourceMapping> | undefined;
  private readonly pollers = new Map<string, { poller: Poller; functionName: string }>();
  /** Changes to one mapping are applied one after the other. */
  private readonly changes: SerialByKey;
  private readonly store: EventSourceMappingStore;
  private running = false;

  constructor(private readonly options: MappingSupervisorOptions) {
    this.store = new EventSourceMappingStore(options.kv, new ObservedWrites(options.kv, undefined));
    this.changes = new SerialByKey((uuid, error) => options.logger.error("event source mapping not applied", { uuid, err: error }));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const view = new KeySpaceView<EventSourceMapping>(this.options.kv, {
      filter: EVENT_SOURCE_MAPPING_KEYS,
      decode: decodeEventSourceMapping,
      onMalformed: (key, error) => this.options.logger.warn("event source mapping unreadable: not polled", { key, err: error }),
    });
    view.onChange((key, mapping) => {
      const uuid = key.slice("esm.".length);
      void this.changes.run(uuid, () => this.apply(uuid, mapping));
    });
    this.view = view;
    await view.start();
  }

  async stop(): Promise<void> {
    if (!this.running) {
      await this.changes.settled();
      return;
    }
    this.running = false;
    this.view?.stop();
    this.view = undefined;
    await this.changes.settled();
    const pollers = [...this.pollers.values()];
    this.pollers.clear();
    await Promise.allSettled(pollers.map(({ poller }) => poller.stop()));
  }

  /** Iterator ages of the stream mappings this scheduler polls: uuid, function, seconds. */
  *iteratorAges(): IterableIterator<[string, string, number]> {
    for (const [uuid, { poller, functionName }] of this.pollers) {
      if (poller.iteratorAgeSeconds) yield [uuid, functionName, poller.iteratorAgeSeconds()];
    }
  }

  private async apply(uuid: string, mapping: EventSourceMapping | undefined): Promise<void> {
    if (!this.running) return;
    const current = this.pollers.get(uuid);
    if (current && mapping?.enabled && current.poller.kind === mapping.kind) {
      current.functionName = mapping.functionName;
      await current.poller.update(mapping);
      return;
    }
    if (current) {
      this.pollers.delete(uuid);
      await current.poller.stop();
    }
    if (!mapping || !this.running) return;
    const writer = new MappingStateWriter(this.store, uuid, this.options.owner(), this.options.logger);
    if (!mapping.enabled) {
      await writer.claim(mapping);
      return;
    }
    const poller = mapping.kind === "queue" ? new QueuePoller(mapping, writer, this.options) : new StreamPoller(mapping, writer, this.options);
    this.pollers.set(uuid, { poller, functionName: mapping.functionName });
    await poller.start();
    this.options.logger.info("event source mapping polled", { uuid, kind: mapping.kind, functionName: mapping.functionName });
  }
}
