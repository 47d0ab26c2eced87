// Function configuration per version in the functions KV bucket, with compare-and-set updates.
//   fn.<name>.LATEST   the $LATEST configuration
//   fn.<name>.<n>      published version n
//   alias.<name>.<a>   alias a
import type { KV } from "@nats-io/kv";
import { LambdaError, resourceConflict, resourceNotFound } from "@lambent/errors";
import { LATEST, type FunctionVersionRecord } from "./function-record.js";
import { versionFromKeyToken, versionKeyToken } from "./function-name.js";

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

export function decodeRecord(value: Uint8Array): FunctionVersionRecord {
  return JSON.parse(decoder.decode(value)) as FunctionVersionRecord;
}

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence/i.test(error.message);
}

export class FunctionStore {
  constructor(private readonly kv: KV) {}

  async get(functionName: string, version: string = LATEST): Promise<StoredRecord | undefined> {
    const entry = await this.kv.get(functionKey(functionName, version));
    if (!entry || entry.operation !== "PUT") return undefined;
    return { record: decodeRecord(entry.value), revision: entry.revision };
  }

  async require(functionName: string, version: string = LATEST): Promise<StoredRecord> {
    const stored = await this.get(functionName, version);
    if (!stored) throw resourceNotFound(`Function not found: ${functionName}${version === LATEST ? "" : `:${version}`}`);
    return stored;
  }

  /** Creates a version's record; fails with ResourceConflictException when it exists. */
  async create(record: FunctionVersionRecord): Promise<void> {
    try {
      await this.kv.create(functionKey(record.functionName, record.version), JSON.stringify(record));
    } catch (error) {
      if (isWrongLastSequence(error)) throw resourceConflict(`Function already exist: ${record.functionName}`);
      throw error;
    }
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
    for (;;) {
      const stored = await this.require(functionName, version);
      const next = change(stored.record);
      try {
        await this.kv.update(functionKey(functionName, version), JSON.stringify(next), stored.revision);
        return next;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
  }

  /** Deletes a function with all its versions and aliases. */
  async deleteFunction(functionName: string): Promise<void> {
    const keys = await this.keysOf(functionName);
    if (!keys.includes(functionKey(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionName}`);
    }
    // $LATEST last: while it exists the function is visible, so a half-done delete can be retried.
    const ordered = keys.filter((key) => key !== functionKey(functionName, LATEST));
    for (const key of ordered) await this.kv.purge(key);
    await this.kv.delete(functionKey(functionName, LATEST));
  }

  /** Names of all functions, sorted. */
  async listFunctionNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const key of await this.kv.keys("fn.*.LATEST")) {
      const parsed = parseFunctionKey(key);
      if (parsed) names.push(parsed.functionName);
    }
    return names.sort();
  }

  private async keysOf(functionName: string): Promise<string[]> {
    const keys: string[] = [];
    for (const filter of [`fn.${functionName}.*`, `alias.${functionName}.*`]) {
      for await (const key of await this.kv.keys(filter)) keys.push(key);
    }
    return keys;
  }
}

export { LambdaError };
