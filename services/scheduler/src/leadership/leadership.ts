// Which scheduler leads: one KV record, `scheduler.leader`, written by compare-and-set. The leader renews it
// every `renewMs`; a standby that sees it unchanged for `timeoutMs` takes it over with a compare-and-set
// on the revision it saw, so exactly one standby wins. The revision a leader won at is its term: leases
// carry it, so ids stay unique across takeovers. A leader that cannot renew steps down before any
// standby may take over (it fences itself after `timeoutMs − renewMs`), so two never admit at once.
// A leader that cannot do a leader's work (its JetStream API unavailable, say) hands the record over
// and stands back for a while, so a standby that can takes over.
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
  /** No claim before this time (after handing the leadership over). */
  private standBackUntil = 0;
  /**
   * Set when nobody took the leadership this scheduler handed over (it claimed the empty record again):
   * no standby can lead, so handing over again would only leave the cluster without a leader.
   */
  private handOverUnanswered = false;

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
    await this.stepDownAndHandBack();
  }

  /**
   * Gives the leadership up for `standBackMs`: the record is handed back, so a standby claims it at its
   * next check, and this scheduler claims nothing until then (afterwards it may again, if nobody has).
   */
  async handOver(standBackMs: number): Promise<void> {
    if (!this.leading) return;
    if (this.handOverUnanswered) {
      this.options.logger.warn("scheduler leadership kept: no standby took it when it was last handed over", { term: this.leadingTerm });
      return;
    }
    this.standBackUntil = this.now() + standBackMs;
    this.options.logger.warn("scheduler leadership handed over", { term: this.leadingTerm, standBackMs });
    await this.stepDownAndHandBack();
  }

  /** Steps down and deletes the record it wrote, so a standby claims it at its next check. */
  private async stepDownAndHandBack(): Promise<void> {
    const revision = this.revision;
    this.depose();
    try {
      await this.options.kv.delete(LEADER_KEY, { previousSeq: revision });
    } catch (error) {
      // Someone else already holds it, or NATS is failing: standbys take over once the record times out.
      this.options.logger.debug("leadership not handed back", { err: error });
    }
  }

  private async tick(): Promise<void> {
    if (this.leading) return this.renew();
    if (this.now() < this.standBackUntil) return;
    const entry = await this.options.kv.get(LEADER_KEY);
    if (this.stopped) return;
    if (!entry || entry.operation !== "PUT") {
      // Still empty after standing back: nobody else could take it.
      if (this.standBackUntil > 0) this.handOverUnanswered = true;
      this.standBackUntil = 0;
      await this.claim(entry?.revision ?? 0);
      return;
    }
    this.standBackUntil = 0;
    // Another scheduler leads: one could take a hand-over again.
    if (holderOf(entry.string()) !== this.options.schedulerId) this.handOverUnanswered = false;
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

/** The scheduler id a leadership record names; undefined when it names none. */
function holderOf(record: string): string | undefined {
  try {
    const holder = (JSON.parse(record) as { schedulerId?: unknown }).schedulerId;
    return typeof holder === "string" ? holder : undefined;
  } catch {
    return undefined;
  }
}
