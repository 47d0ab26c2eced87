// Due times of every execution the leader drives (waits, retry delays, task deadlines, heartbeats), kept
// as one index with one timer for the earliest, rather than a timer per wait: a Wait of days costs an
// entry here, rebuilt from the frames in KV by whichever scheduler leads.
export class DueTimers {
  private readonly entries = new Map<string, { at: number; fire: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /** Calls `fire` once `at` (epoch ms) has come; replaces what `key` had. */
  set(key: string, at: number, fire: () => void): void {
    this.entries.set(key, { at, fire });
    if (at < this.armedFor) this.arm();
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  clearPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops everything (the scheduler no longer leads). */
  clearAll(): void {
    this.entries.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private arm(): void {
    clearTimeout(this.timer);
    let earliest = Infinity;
    for (const entry of this.entries.values()) earliest = Math.min(earliest, entry.at);
    this.armedFor = earliest;
    if (earliest === Infinity) return;
    // setTimeout holds at most about 24.8 days; a later due time re-arms when this fires.
    const delay = Math.min(Math.max(earliest - this.now(), 0), 2_147_000_000);
    this.timer = setTimeout(() => this.fireDue(), delay);
    this.timer.unref?.();
  }

  private fireDue(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    for (const [key, entry] of [...this.entries]) {
      if (entry.at <= now) {
        this.entries.delete(key);
        entry.fire();
      }
    }
    this.arm();
  }
}
