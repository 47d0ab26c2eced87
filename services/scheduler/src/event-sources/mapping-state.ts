// A poller's writes of its mapping's state (`esmstate.<uuid>`), by compare-and-set. `claim` takes the
// state over when a scheduler starts polling (after a takeover, a restart or an update); from then on
// every write must follow this writer's own last one. A write that finds another revision means another
// scheduler claimed the mapping (this one was deposed) or the mapping was deleted: the writer reports
// it as lost, and its progress is never written over the new owner's.
import type { EventSourceMapping, EventSourceMappingState, EventSourceMappingStore } from "@lambent/registry/event-sources";
import type { Logger } from "@lambent/telemetry";

export class StateLostError extends Error {
  override readonly name = "StateLostError";
}

export class MappingStateWriter {
  private state: EventSourceMappingState | undefined;
  private revision = 0;
  private lost = false;
  /** Writes run one at a time; a change asked for meanwhile is folded into the next write. */
  private writing: Promise<void> = Promise.resolve();
  private pending: ((state: EventSourceMappingState) => EventSourceMappingState)[] = [];

  constructor(
    private readonly store: EventSourceMappingStore,
    private readonly uuid: string,
    private readonly owner: string,
    private readonly logger: Logger,
  ) {}

  /** Takes the state over for `mapping` as it is now configured; resolves with the state claimed. */
  async claim(mapping: EventSourceMapping): Promise<EventSourceMappingState> {
    for (;;) {
      const current = await this.store.getState(this.uuid);
      if (!current) throw new StateLostError(`event source mapping ${this.uuid} has no state (it was deleted)`);
      const state: EventSourceMappingState = { ...current.state, applied: { revisionId: mapping.revisionId, enabled: mapping.enabled }, owner: this.owner };
      const revision = await this.store.writeState(this.uuid, state, current.revision);
      if (revision === undefined) continue;
      this.state = state;
      this.revision = revision;
      this.lost = false;
      return state;
    }
  }

  get current(): EventSourceMappingState | undefined {
    return this.state;
  }

  get isLost(): boolean {
    return this.lost;
  }

  /**
   * Applies `change` to the state and writes it after the writes before it. Resolves once written;
   * rejects with StateLostError when another writer got there first.
   */
  update(change: (state: EventSourceMappingState) => EventSourceMappingState): Promise<void> {
    this.pending.push(change);
    const write = this.writing.then(() => this.flush());
    this.writing = write.catch(() => undefined);
    return write;
  }

  /** Waits for every write asked for so far. */
  async settled(): Promise<void> {
    await this.writing;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    if (this.lost || !this.state) throw new StateLostError(`event source mapping ${this.uuid}: state not held`);
    const changes = this.pending;
    this.pending = [];
    const next = changes.reduce((state, change) => change(state), this.state);
    const revision = await this.store.writeState(this.uuid, next, this.revision);
    if (revision === undefined) {
      this.lost = true;
      this.logger.warn("event source mapping state taken over: this scheduler stops polling it", { uuid: this.uuid });
      throw new StateLostError(`event source mapping ${this.uuid}: state written by another scheduler`);
    }
    this.state = next;
    this.revision = revision;
  }
}
