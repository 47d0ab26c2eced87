// Which scheduler leads: one KV record, `scheduler.leader`, written by compare-and-set. The leader renews it
// every `renewMs`; a standby that sees it unchanged for `timeoutMs` takes it over with a compare-and-set
// on the revision it saw, so exactly one standby wins. The revision a leader won at is its term: leases
// carry it, so ids stay unique across takeovers. A leader that cannot renew steps down before any
// standby may take over (it fences itself after `timeoutMs − renewMs`), so two never admit at once.
import type { KV } from "@nats-io/kv";
import { encodeJson } from "@lambent/protocol";
import { writeAtRevision } from "@lambent/registry/kv";
import type { Logger } from "@lambent/telemetry";

export const LEADER_KEY = "scheduler.leader";

export interface LeadershipOptions {
  kv: KV;
  schedulerId: string;
  renewMs: number;
  timeoutMs: number;
  logger: Logger;
  now?: () => number;
  /** Became leader at `term`. */
  onElected(term: number): void;
  /** Lost the leadership (a renewal failed or stopping). */
  onDeposed(): void;
}

export class Leadership {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private fence: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  /** The term while leading, else 0. */
  private leadingTerm = 0;
  /** The record's revision as last seen (standby) or written (leader). */
  private revision = 0;
  /** When a standby last saw the revision change. */
  private changedAt = 0;

  constructor(private readonly options: LeadershipOptions) {
    this.now = options.now ?? Date.now;
  }

  get term(): number {
    return this.leadingTerm;
  }

  get leading(): boolean {
    return this.leadingTerm > 0;
  }

  start(): void {
    this.changedAt = this.now();
    const loop = (): void => {
      if (this.stopped) return;
      this.ticking = this.tick()
        .catch((error: unknown) => this.options.logger.warn("leadership check failed", { err: error }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.options.renewMs);
        });
    };
    loop();
  }

  /** Stops campaigning; a leader hands the record back so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    if (!this.leading) return;
    const revision = this.revision;
    this.depose();
    try {
      await this.options.kv.delete(LEADER_KEY, { previousSeq: revision });
    } catch (error) {
      // Someone else already holds it, or NATS is gone: either way the record is no longer ours to hand back.
      this.options.logger.debug("leadership not handed back", { err: error });
    }
  }

  private async tick(): Promise<void> {
    if (this.leading) return this.renew();
    const entry = await this.options.kv.get(LEADER_KEY);
    if (this.stopped) return;
    if (!entry || entry.operation !== "PUT") {
      await this.claim(entry?.revision ?? 0);
      return;
    }
    if (entry.revision !== this.revision) {
      this.revision = entry.revision;
      this.changedAt = this.now();
      return;
    }
    if (this.now() - this.changedAt >= this.options.timeoutMs) await this.claim(entry.revision);
  }

  /** Takes the record over from `revision` (0: it never existed). */
  private async claim(revision: number): Promise<void> {
    const startedAt = this.now();
    const term = await writeAtRevision(this.options.kv, LEADER_KEY, this.record(), revision);
    if (term === undefined) return; // another standby won
    if (this.stopped) return;
    this.leadingTerm = term;
    this.revision = term;
    this.armFence(startedAt);
    this.options.logger.info("elected scheduler leader", { term });
    this.options.onElected(term);
  }

  private async renew(): Promise<void> {
    const sentAt = this.now();
    const revision = await writeAtRevision(this.options.kv, LEADER_KEY, this.record(), this.revision);
    if (revision === undefined) {
      this.options.logger.warn("scheduler leadership taken over", { term: this.leadingTerm });
      this.depose();
      return;
    }
    if (!this.leading) return; // fenced while the write was under way: a standby may already lead
    this.revision = revision;
    this.armFence(sentAt);
  }

  /** Steps down on its own unless the next renewal lands in time (measured from when this one was sent). */
  private armFence(sentAt: number): void {
    clearTimeout(this.fence);
    const remaining = this.options.timeoutMs - this.options.renewMs - (this.now() - sentAt);
    this.fence = setTimeout(() => {
      this.options.logger.warn("scheduler leadership not renewed in time: stepping down", { term: this.leadingTerm });
      this.depose();
    }, Math.max(0, remaining));
  }

  private depose(): void {
    if (!this.leading) return;
    clearTimeout(this.fence);
    this.leadingTerm = 0;
    this.changedAt = this.now();
    this.options.onDeposed();
  }

  private record(): Uint8Array {
    return encodeJson({ schedulerId: this.options.schedulerId, renewedAt: new Date(this.now()).toISOString() });
  }
}
