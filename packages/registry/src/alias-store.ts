// Aliases in the functions KV bucket (`alias.<function>.<alias>`), with compare-and-set updates.
// Alias records hold no secrets, so they are stored as plain JSON.
import type { KV } from "@nats-io/kv";
import type { AliasRecord } from "./alias-record.js";
import { createIfAbsent, updateByRevision } from "./compare-and-set.js";
import type { ObservedWrites } from "./observed-writes.js";
import { listKeys } from "./kv-keys.js";

export const aliasKey = (functionName: string, aliasName: string): string => `alias.${functionName}.${aliasName}`;

export const ALIAS_KEYS = "alias.>";

/** Parses a KV key back into function and alias name; undefined for keys that are not aliases. */
export function parseAliasKey(key: string): { functionName: string; aliasName: string } | undefined {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[0] !== "alias") return undefined;
  return { functionName: parts[1]!, aliasName: parts[2]! };
}

const decoder = new TextDecoder();

export function decodeAlias(key: string, value: Uint8Array): AliasRecord {
  const alias = JSON.parse(decoder.decode(value)) as AliasRecord;
  const scope = parseAliasKey(key);
  if (scope && (alias.functionName !== scope.functionName || alias.name !== scope.aliasName)) {
    throw new Error(`The alias under ${key} is ${alias.functionName}:${alias.name}`);
  }
  return alias;
}

export interface StoredAlias {
  alias: AliasRecord;
  /** KV revision, for compare-and-set. */
  revision: number;
}

export class AliasStore {
  constructor(
    private readonly kv: KV,
    private readonly writes: ObservedWrites,
  ) {}

  async get(functionName: string, aliasName: string): Promise<StoredAlias | undefined> {
    const key = aliasKey(functionName, aliasName);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return { alias: decodeAlias(key, entry.value), revision: entry.revision };
  }

  /** Writes a new alias; false when one of that name exists. */
  async create(alias: AliasRecord): Promise<boolean> {
    return (await createIfAbsent(this.writes, aliasKey(alias.functionName, alias.name), JSON.stringify(alias))) !== undefined;
  }

  /**
   * Read-modify-write of one alias. `change` sees the current alias and returns the new one (or throws);
   * a concurrent writer makes it run again on the newer alias. Undefined when the alias does not exist.
   */
  async update(functionName: string, aliasName: string, change: (current: AliasRecord) => AliasRecord): Promise<AliasRecord | undefined> {
    const { written } = await updateByRevision(this.writes, aliasKey(functionName, aliasName), { decode: decodeAlias }, (current) => current && change(current));
    return written;
  }

  /** Deletes an alias; false when it did not exist. */
  async delete(functionName: string, aliasName: string): Promise<boolean> {
    const stored = await this.get(functionName, aliasName);
    if (!stored) return false;
    await this.writes.delete(aliasKey(functionName, aliasName));
    return true;
  }

  /** All aliases of a function, sorted by name. */
  async list(functionName: string): Promise<AliasRecord[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, `alias.${functionName}.*`)));
    const aliases = await Promise.all(keys.map((key) => this.get(functionName, parseAliasKey(key)!.aliasName)));
    return aliases.flatMap((stored) => (stored ? [stored.alias] : [])).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
