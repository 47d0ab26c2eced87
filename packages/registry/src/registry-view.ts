// A read-only, watch-fed cache of function configuration for the hot path. A miss falls back to
// KV, so a change another frontend made a moment ago is never reported as "not found". Environment
// variables are decrypted once, as a record enters the cache, never per invocation.
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/nats-core";
import { LATEST, type FunctionVersionRecord } from "./function-record.js";
import { FUNCTION_KEYS, FunctionStore, decodeRecord, functionKey } from "./function-store.js";
import type { EnvironmentCipher } from "./environment-cipher.js";

export class RegistryView {
  private readonly records = new Map<string, FunctionVersionRecord>();
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private readonly store: FunctionStore;

  constructor(
    private readonly kv: KV,
    private readonly cipher: EnvironmentCipher,
  ) {
    this.store = new FunctionStore(kv, cipher);
  }

  async start(): Promise<void> {
    this.watcher = await this.kv.watch({ key: FUNCTION_KEYS });
    void this.follow(this.watcher);
  }

  stop(): void {
    this.watcher?.stop();
  }

  /** The cached record, if this view has it. */
  cached(functionName: string, version: string = LATEST): FunctionVersionRecord | undefined {
    return this.records.get(functionKey(functionName, version));
  }

  /** The record, from cache or KV; undefined when the function or version does not exist. */
  async get(functionName: string, version: string = LATEST): Promise<FunctionVersionRecord | undefined> {
    const hit = this.cached(functionName, version);
    if (hit) return hit;
    const stored = await this.store.get(functionName, version);
    if (stored) this.remember(stored.record);
    return stored?.record;
  }

  /** A specific revision: the cache when it matches, else KV (the cache may lag a fresh update). */
  async getRevision(functionName: string, version: string, revisionId: string): Promise<FunctionVersionRecord | undefined> {
    const hit = this.cached(functionName, version);
    if (hit?.revisionId === revisionId) return hit;
    const stored = await this.store.get(functionName, version);
    if (stored) this.remember(stored.record);
    return stored?.record;
  }

  private remember(record: FunctionVersionRecord): void {
    this.records.set(functionKey(record.functionName, record.version), record);
  }

  private async follow(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    for await (const entry of watcher) {
      if (entry.operation === "PUT") {
        try {
          this.remember(decodeRecord(entry.key, entry.value, this.cipher));
        } catch {
          // A malformed record, or one this service cannot decrypt, is dropped from the cache here;
          // the direct read that follows a miss reports why, where it is used.
          this.records.delete(entry.key);
        }
      } else {
        this.records.delete(entry.key);
      }
    }
  }
}
