// A read-only, watch-fed cache of function configuration, aliases, event invoke configs and function URLs for the hot path. A miss falls back to
// KV, so a change another frontend made a moment ago is never reported as "not found". Every entry keeps
// its KV revision, and an update older than what the cache holds is ignored, wherever it comes from: the
// watch, a fallback read, or a write this process made (the view observes its own frontend's stores, so
// it reads its own writes at once). Environment variables are decrypted once, as a record enters the
// cache, never per invocation.
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/nats-core";
import { LATEST, type FunctionVersionRecord } from "./function-record.js";
import { FUNCTION_KEYS, FunctionStore, decodeRecord, functionKey, parseFunctionKey } from "./function-store.js";
import type { AliasRecord } from "./alias-record.js";
import { ALIAS_KEYS, aliasKey, decodeAlias, parseAliasKey } from "./alias-store.js";
import type { EnvironmentCipher } from "./environment-cipher.js";
import { CONCURRENCY_SETTINGS_KEY, decodeConcurrencySettings, emptyConcurrencySettings, type ConcurrencySettings } from "./concurrency-settings.js";
import type { WriteObserver } from "./observed-writes.js";
import {
  EVENT_INVOKE_CONFIG_KEYS,
  decodeEventInvokeConfig,
  eventInvokeConfigKey,
  parseEventInvokeConfigKey,
  type EventInvokeConfig,
} from "./event-invoke-config.js";
import { FUNCTION_URL_CONFIG_KEYS, decodeFunctionUrlConfig, parseFunctionUrlConfigKey, type FunctionUrlConfig } from "./function-url-config.js";
import { listKeys } from "./kv-keys.js";

/** A cached value as of a KV revision; `value` undefined marks a key deleted (or unreadable) at it. */
interface Revisioned<T> {
  value: T | undefined;
  revision: number;
}

export class RegistryView implements WriteObserver {
  private readonly records = new Map<string, Revisioned<FunctionVersionRecord>>();
  private readonly aliases = new Map<string, Revisioned<AliasRecord>>();
  private readonly eventInvokeConfigs = new Map<string, Revisioned<EventInvokeConfig>>();
  /** Function URL configs by KV key, and the key of each url id (a delete marker carries no url id). */
  private readonly urlConfigs = new Map<string, Revisioned<FunctionUrlConfig>>();
  private readonly urlKeysById = new Map<string, string>();
  private settings: Revisioned<ConcurrencySettings> = { value: emptyConcurrencySettings(), revision: 0 };
  private readonly settingsListeners: ((settings: ConcurrencySettings) => void)[] = [];
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
    this.watchers = await Promise.all([
      this.kv.watch({ key: FUNCTION_KEYS }),
      this.kv.watch({ key: ALIAS_KEYS }),
      this.kv.watch({ key: CONCURRENCY_SETTINGS_KEY }),
      this.kv.watch({ key: EVENT_INVOKE_CONFIG_KEYS }),
      this.kv.watch({ key: FUNCTION_URL_CONFIG_KEYS }),
    ]);
    for (const watcher of this.watchers) void this.follow(watcher);
    // Event invoke configs have no fallback read (most qualifiers have none, so a miss is the common
    // answer): load them all before start resolves, so a miss always means "none".
    // Function URLs likewise: a request names a url id, which only the cache can look up.
    await this.loadAll(EVENT_INVOKE_CONFIG_KEYS);
    await this.loadAll(FUNCTION_URL_CONFIG_KEYS);
  }

  stop(): void {
    for (const watcher of this.watchers) watcher.stop();
  }

  /** The cached record, if this view has it. */
  cached(functionName: string, version: string = LATEST): FunctionVersionRecord | undefined {
    return this.records.get(functionKey(functionName, version))?.value;
  }

  /** The record, from cache or KV; undefined when the function or version does not exist. */
  async get(functionName: string, version: string = LATEST): Promise<FunctionVersionRecord | undefined> {
    return this.cached(functionName, version) ?? this.read(functionName, version);
  }

  /** A specific revision: the cache when it matches, else KV (the cache may lag a fresh update). */
  /** The version's record from the cache when it has this revision; undefined otherwise (no waiting). */
  cachedRevision(functionName: string, version: string, revisionId: string): FunctionVersionRecord | undefined {
    const hit = this.cached(functionName, version);
    return hit?.revisionId === revisionId ? hit : undefined;
  }

  async getRevision(functionName: string, version: string, revisionId: string): Promise<FunctionVersionRecord | undefined> {
    const hit = this.cached(functionName, version);
    return hit?.revisionId === revisionId ? hit : this.read(functionName, version);
  }

  /** The cached alias, if this view has it. */
  cachedAlias(functionName: string, aliasName: string): AliasRecord | undefined {
    return this.aliases.get(aliasKey(functionName, aliasName))?.value;
  }

  /** The alias, from cache or KV; undefined when it does not exist. */
  async getAlias(functionName: string, aliasName: string): Promise<AliasRecord | undefined> {
    const hit = this.cachedAlias(functionName, aliasName);
    if (hit) return hit;
    const stored = await this.store.aliases.get(functionName, aliasName);
    if (stored) remember(this.aliases, aliasKey(functionName, aliasName), stored.alias, stored.revision);
    return stored?.alias;
  }

  /**
   * The event invoke config of a function qualifier (`$LATEST`, a version or an alias, as events are
   * invoked), from the cache only; undefined when it has none (Lambda's defaults apply then).
   */
  cachedEventInvokeConfig(functionName: string, qualifier: string): EventInvokeConfig | undefined {
    return this.eventInvokeConfigs.get(eventInvokeConfigKey(functionName, qualifier))?.value;
  }

  /**
   * The event invoke config, from the cache, or read from KV the first time a qualifier is asked for (and
   * remembered, present or not), so a config written a moment before the event is never missed.
   */
  async eventInvokeConfig(functionName: string, qualifier: string): Promise<EventInvokeConfig | undefined> {
    const key = eventInvokeConfigKey(functionName, qualifier);
    const cached = this.eventInvokeConfigs.get(key);
    if (cached) return cached.value;
    const entry = await this.kv.get(key);
    this.apply(key, entry?.operation === "PUT" ? entry.value : undefined, entry?.revision ?? 0);
    return this.eventInvokeConfigs.get(key)?.value;
  }

  /** The function URL config with this url id, from the cache only; undefined when there is none. */
  functionUrlConfig(urlId: string): FunctionUrlConfig | undefined {
    const key = this.urlKeysById.get(urlId);
    const config = key === undefined ? undefined : this.urlConfigs.get(key)?.value;
    return config?.urlId === urlId ? config : undefined;
  }

  /** Reserved and provisioned concurrency, as of the latest update seen (empty before any). */
  concurrencySettings(): ConcurrencySettings {
    return this.settings.value ?? emptyConcurrencySettings();
  }

  /** Calls `listener` after every change of the concurrency settings (the scheduler reconciles then). */
  onConcurrencySettings(listener: (settings: ConcurrencySettings) => void): void {
    this.settingsListeners.push(listener);
  }

  /** A write this process made through its own store. */
  written(key: string, value: Uint8Array | undefined, revision: number): void {
    this.apply(key, value, revision);
  }

  private async read(functionName: string, version: string): Promise<FunctionVersionRecord | undefined> {
    const stored = await this.store.get(functionName, version);
    if (stored) remember(this.records, functionKey(functionName, version), stored.record, stored.revision);
    return stored?.record;
  }

  private async loadAll(filter: string): Promise<void> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, filter)));
    await Promise.all(
      keys.map(async (key) => {
        const entry = await this.kv.get(key);
        if (entry) this.apply(key, entry.operation === "PUT" ? entry.value : undefined, entry.revision);
      }),
    );
  }

  private async follow(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    for await (const entry of watcher) this.apply(entry.key, entry.operation === "PUT" ? entry.value : undefined, entry.revision);
  }

  private apply(key: string, value: Uint8Array | undefined, revision: number): void {
    if (key === CONCURRENCY_SETTINGS_KEY) {
      if (revision > this.settings.revision) {
        this.settings = { value: value ? decodeConcurrencySettings(value) : emptyConcurrencySettings(), revision };
        for (const listener of this.settingsListeners) listener(this.settings.value!);
      }
    } else if (parseAliasKey(key)) {
      remember(this.aliases, key, value && decodeOrUndefined(() => decodeAlias(key, value)), revision);
    } else if (parseEventInvokeConfigKey(key)) {
      remember(this.eventInvokeConfigs, key, value && decodeOrUndefined(() => decodeEventInvokeConfig(key, value)), revision);
    } else if (parseFunctionUrlConfigKey(key)) {
      const previous = this.urlConfigs.get(key);
      remember(this.urlConfigs, key, value && decodeOrUndefined(() => decodeFunctionUrlConfig(key, value)), revision);
      const current = this.urlConfigs.get(key);
      if (current === previous) return;
      if (previous?.value && previous.value.urlId !== current?.value?.urlId) this.urlKeysById.delete(previous.value.urlId);
      if (current?.value) this.urlKeysById.set(current.value.urlId, key);
    } else if (parseFunctionKey(key)) {
      remember(this.records, key, value && decodeOrUndefined(() => decodeRecord(key, value, this.cipher)), revision);
    }
  }
}

/** Keeps `value` unless the cache already holds this key at the same or a later revision. */
function remember<T>(cache: Map<string, Revisioned<T>>, key: string, value: T | undefined, revision: number): void {
  const current = cache.get(key);
  if (current && current.revision >= revision) return;
  cache.set(key, { value, revision });
}

/**
 * A malformed entry, or one this service cannot decrypt, is cached as missing: the direct read that
 * follows a miss reports why, where it is used.
 */
function decodeOrUndefined<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch {
    return undefined;
  }
}
