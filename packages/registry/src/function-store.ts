// Function configuration per version in the functions KV bucket, with compare-and-set updates.
//   fn.<name>.LATEST   the $LATEST configuration
//   fn.<name>.<n>      published version n
//   alias.<name>.<a>   alias a (alias-store.ts)
//   eventconfig.<name>.<q>  asynchronous invocation settings of qualifier q (event-invoke-config.ts)
//   url.<name>.<q>     the function URL of qualifier q (function-url-config.ts)
//   policy.<name>.<q>  the resource-based policy of qualifier q (resource-policy.ts)
//   versions.<name>    `{"lastVersion": n}`: the last version number handed out, so numbers are never reused
// Environment variables are sealed on every write and opened on every read (environment-cipher.ts),
// so callers only ever see plaintext `environment`.
import type { KV } from "@nats-io/kv";
import { resourceConflict, resourceNotFound } from "@lambent/errors";
import { LATEST, type FunctionVersionRecord, type StoredFunctionVersionRecord } from "./function-record.js";
import { EnvironmentCipherError, type EnvironmentCipher } from "./environment-cipher.js";
import { versionFromKeyToken, versionKeyToken } from "./function-name.js";
import { AliasStore } from "./alias-store.js";
import { ConcurrencyStore } from "./concurrency-settings.js";
import { EventInvokeConfigStore } from "./event-invoke-config.js";
import { FunctionUrlConfigStore } from "./function-url-config.js";
import { ResourcePolicyStore } from "./resource-policy.js";
import { createIfAbsent, updateByRevision, writeAtRevision } from "./compare-and-set.js";
import { ObservedWrites, type WriteObserver } from "./observed-writes.js";
import { testEventKeysOf } from "./test-event-store.js";
import { usageKeysOf } from "./usage-record.js";
import { listKeys } from "./kv-keys.js";

export const functionKey = (functionName: string, version: string): string =>
  `fn.${functionName}.${versionKeyToken(version)}`;

export const FUNCTION_KEYS = "fn.>";

export interface StoredRecord {
  record: FunctionVersionRecord;
  /** KV revision, for compare-and-set. */
  revision: number;
}

/** Parses a KV key back into function name and version; undefined for keys that are not function versions. */
export function parseFunctionKey(key: string): { functionName: string; version: string } | undefined {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[0] !== "fn") return undefined;
  return { functionName: parts[1]!, version: versionFromKeyToken(parts[2]!) };
}

const decoder = new TextDecoder();

/** The KV value of a record: its environment sealed for the record's own function and version. */
export function encodeRecord(record: FunctionVersionRecord, cipher: EnvironmentCipher): string {
  const { environment, ...rest } = record;
  const stored: StoredFunctionVersionRecord =
    Object.keys(environment).length === 0 ? { ...rest, environment: {} } : { ...rest, sealedEnvironment: cipher.seal(record, environment) };
  return JSON.stringify(stored);
}

/**
 * A record from the KV value under `key`, its environment opened. The environment is authenticated
 * against the key's function and version, so a record copied under another key fails here.
 */
export function decodeRecord(key: string, value: Uint8Array, cipher: EnvironmentCipher): FunctionVersionRecord {
  const { sealedEnvironment, environment, ...rest } = JSON.parse(decoder.decode(value)) as StoredFunctionVersionRecord;
  const scope = parseFunctionKey(key) ?? { functionName: rest.functionName, version: rest.version };
  if (rest.functionName !== scope.functionName || rest.version !== scope.version) {
    throw new EnvironmentCipherError(`The record under ${key} is for ${rest.functionName}:${rest.version}`);
  }
  if (sealedEnvironment !== undefined) return { ...rest, environment: cipher.open(scope, sealedEnvironment) };
  // Written before encryption existed (or an empty map): plain, and sealed by the next update.
  return { ...rest, environment: environment ?? {} };
}

export const versionCounterKey = (functionName: string): string => `versions.${functionName}`;

/** What happened to a function's asynchronous events (the scheduler's counters, see @lambent/event-queue). */
export const eventCountersKey = (functionName: string): string => `eventstats.${functionName}`;

/** The last version number handed out, and the KV revision of the counter (0 before the first). */
export interface VersionCounter {
  lastVersion: number;
  revision: number;
}


export class FunctionStore {
  /** The same bucket's aliases. */
  readonly aliases: AliasStore;
  /** The same bucket's reserved and provisioned concurrency settings. */
  readonly concurrency: ConcurrencyStore;
  /** The same bucket's asynchronous invocation settings per qualifier. */
  readonly eventInvokeConfigs: EventInvokeConfigStore;
  /** The same bucket's function URLs per qualifier. */
  readonly urlConfigs: FunctionUrlConfigStore;
  /** The same bucket's resource-based policies per qualifier. */
  readonly policies: ResourcePolicyStore;
  private readonly writes: ObservedWrites;

  /** @param observer told of every write made through this store (the frontend's own registry view) */
  constructor(
    private readonly kv: KV,
    private readonly cipher: EnvironmentCipher,
    observer?: WriteObserver,
  ) {
    this.writes = new ObservedWrites(kv, observer);
    this.aliases = new AliasStore(kv, this.writes);
    this.concurrency = new ConcurrencyStore(kv, this.writes);
    this.eventInvokeConfigs = new EventInvokeConfigStore(kv, this.writes);
    this.urlConfigs = new FunctionUrlConfigStore(kv, this.writes);
    this.policies = new ResourcePolicyStore(kv, this.writes);
  }

  async get(functionName: string, version: string = LATEST): Promise<StoredRecord | undefined> {
    const key = functionKey(functionName, version);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return { record: decodeRecord(key, entry.value, this.cipher), revision: entry.revision };
  }

  async require(functionName: string, version: string = LATEST): Promise<StoredRecord> {
    const stored = await this.get(functionName, version);
    if (!stored) throw resourceNotFound(`Function not found: ${functionName}${version === LATEST ? "" : `:${version}`}`);
    return stored;
  }

  /** Creates a version's record; fails with ResourceConflictException when it exists. */
  async create(record: FunctionVersionRecord): Promise<void> {
    const created = await createIfAbsent(this.writes, functionKey(record.functionName, record.version), encodeRecord(record, this.cipher));
    if (created === undefined) throw resourceConflict(`Function already exist: ${record.functionName}`);
  }

  /**
   * Read-modify-write of one version's record. `change` sees the current record and returns the new one
   * (or throws a LambdaError); a concurrent writer makes it run again on the newer record.
   */
  async update(
    functionName: string,
    version: string,
    change: (current: FunctionVersionRecord) => FunctionVersionRecord,
  ): Promise<FunctionVersionRecord> {
    const codec = { decode: (key: string, value: Uint8Array) => decodeRecord(key, value, this.cipher), encode: (record: FunctionVersionRecord) => encodeRecord(record, this.cipher) };
    const { written } = await updateByRevision(this.writes, functionKey(functionName, version), codec, (current) => {
      if (!current) throw resourceNotFound(`Function not found: ${functionName}${version === LATEST ? "" : `:${version}`}`);
      const next = change(current);
      if (next.functionName !== functionName || next.version !== version) {
        throw new Error(`An update of ${functionName}:${version} may not rename it to ${next.functionName}:${next.version}`);
      }
      return next;
    });
    return written;
  }

  /** Deletes one published version; false when it did not exist. */
  async deleteVersion(functionName: string, version: string): Promise<boolean> {
    if (version === LATEST) throw new Error("$LATEST goes only with the whole function");
    const key = functionKey(functionName, version);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return false;
    await this.writes.delete(key);
    return true;
  }

  /** The function's versions: `$LATEST` first, then published numbers ascending. */
  async listVersions(functionName: string): Promise<string[]> {
    const versions: string[] = [];
    for (const key of await listKeys(this.kv, `fn.${functionName}.*`)) {
      const parsed = parseFunctionKey(key);
      if (parsed) versions.push(parsed.version);
    }
    return versions.sort(compareVersions);
  }

  async readVersionCounter(functionName: string): Promise<VersionCounter> {
    const entry = await this.kv.get(versionCounterKey(functionName));
    if (!entry || entry.operation !== "PUT") return { lastVersion: 0, revision: entry?.revision ?? 0 };
    const { lastVersion } = JSON.parse(new TextDecoder().decode(entry.value)) as { lastVersion: number };
    return { lastVersion, revision: entry.revision };
  }

  /**
   * Claims the number after `seen.lastVersion` by compare-and-set; undefined when another publisher
   * moved the counter since `seen` was read (read it again and retry).
   */
  async claimVersionNumber(functionName: string, seen: VersionCounter): Promise<number | undefined> {
    const next = seen.lastVersion + 1;
    const written = await writeAtRevision(this.writes, versionCounterKey(functionName), JSON.stringify({ lastVersion: next }), seen.revision);
    return written === undefined ? undefined : next;
  }

  /** Deletes a function with all its versions, aliases, event invoke configs, function URLs, policies and saved test events. */
  async deleteFunction(functionName: string): Promise<void> {
    const keys = await this.keysOf(functionName);
    if (!keys.includes(functionKey(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionName}`);
    }
    // $LATEST last: while it exists the function is visible, so a half-done delete can be retried.
    const ordered = keys.filter((key) => key !== functionKey(functionName, LATEST));
    for (const key of ordered) await this.writes.purge(key);
    await this.writes.delete(functionKey(functionName, LATEST));
  }

  /** Names of all functions, sorted. */
  async listFunctionNames(): Promise<string[]> {
    const names: string[] = [];
    for (const key of await listKeys(this.kv, "fn.*.LATEST")) {
      const parsed = parseFunctionKey(key);
      if (parsed) names.push(parsed.functionName);
    }
    return names.sort();
  }

  private async keysOf(functionName: string): Promise<string[]> {
    const keys: string[] = [];
    const filters = [
      `fn.${functionName}.*`,
      `alias.${functionName}.*`,
      `eventconfig.${functionName}.*`,
      `url.${functionName}.*`,
      `policy.${functionName}.*`,
      versionCounterKey(functionName),
      eventCountersKey(functionName),
    ];
    filters.push(usageKeysOf(functionName), testEventKeysOf(functionName));
    for (const filter of filters) {
      keys.push(...(await listKeys(this.kv, filter)));
    }
    return keys;
  }
}

/** `$LATEST` before every number; numbers in numeric order. */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  if (a === LATEST) return -1;
  if (b === LATEST) return 1;
  return Number(a) - Number(b);
}
