// Applies changes of one resource (a trigger, an event source mapping) one after the other, in the order
// they came, while different resources go ahead independently: work for a key starts once the work
// queued before it for the same key has settled.
export class SerialByKey {
  private readonly tails = new Map<string, Promise<void>>();

  /** @param onError hears a failed piece of work; the key's later work still runs */
  constructor(private readonly onError: (key: string, error: unknown) => void) {}

  /** Queues `work` for `key`; resolves once it has settled (a failure goes to `onError`). */
  run(key: string, work: () => Promise<void>): Promise<void> {
    const settled = (this.tails.get(key) ?? Promise.resolve()).then(work).catch((error: unknown) => this.onError(key, error));
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return settled;
  }

  /** Resolves once everything queued so far has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
