// A read-only, watch-fed cache of function configuration and aliases for the hot path. A miss falls back to
// KV, so a change another frontend made a moment ago is never reported as "not found". Environment
// variables are decrypted once, as a record enters the cache, never per invocation.
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/nats-core";
import { LATEST, type FunctionVersionRecord } from "./function-record.js";
import { FUNCTION_KEYS, FunctionStore, decodeRecord, functionKey } from "./function-store.js";
import type { AliasRecord } from "./alias-record.js";
import { ALIAS_KEYS, aliasKey, decodeAlias, parseAliasKey } from "./alias-store.js";
import type { EnvironmentCipher } from "./environment-cipher.js";

export class RegistryView {
  private readonly records = new Map<string, FunctionVersionRecord>();
  private readonly aliases = new Map<string, AliasRecord>();
  private watchers: QueuedIterator<KvWatchEntry>[] = [];
  private readonly store: FunctionStore;

  constructor(
    private readonly kv: KV,
    private readonly cipher: EnvironmentCipher,
  ) {
    this.store = new FunctionStore(kv, cipher);
  }

  async start(): Promise<void> {
    // One watcher per key space: a watch over several filters needs nats-server 2.10.
    this.watchers = await Promise.all([this.kv.watch({ key: FUNCTION_KEYS }), this.kv.watch({ key: ALIAS_KEYS })]);
    for (const watcher of this.watchers) void this.follow(watcher);
  }

  stop(): void {
    for (const watcher of this.watchers) watcher.stop();
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

  /** The cached alias, if this view has it. */
  cachedAlias(functionName: string, aliasName: string): AliasRecord | undefined {
    return this.aliases.get(aliasKey(functionName, aliasName));
  }

  /** The alias, from cache or KV; undefined when it does not exist. */
  async getAlias(functionName: string, aliasName: string): Promise<AliasRecord | undefined> {
    const hit = this.cachedAlias(functionName, aliasName);
    if (hit) return hit;
    const stored = await this.store.aliases.get(functionName, aliasName);
    if (stored) this.aliases.set(aliasKey(functionName, aliasName), stored.alias);
    return stored?.alias;
  }

  private remember(record: FunctionVersionRecord): void {
    this.records.set(functionKey(record.functionName, record.version), record);
  }

  private async follow(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    for await (const entry of watcher) {
      if (parseAliasKey(entry.key)) {
        this.followAlias(entry);
      } else if (entry.operation === "PUT") {
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

  private followAlias(entry: KvWatchEntry): void {
    if (entry.operation !== "PUT") {
      this.aliases.delete(entry.key);
      return;
    }
    try {
      this.aliases.set(entry.key, decodeAlias(entry.key, entry.value));
    } catch {
      // A malformed alias is dropped from the cache; the direct read after a miss reports it where used.
      this.aliases.delete(entry.key);
    }
  }
}
