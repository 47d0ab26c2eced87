// Compare-and-set on JetStream KV, written once: read a key, change its value, write it only if the key is
// still at the revision read, and on losing that race read again. A key that was deleted or purged counts
// as absent, but its marker has a revision the next write must follow.
import type { KvEntry } from "@nats-io/kv";

/** A KV write lost a compare-and-set race (or a create found the key taken). */
export function isWrongLastSequence(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence/i.test(error.message);
}

/** What a compare-and-set needs of a bucket: a JetStream KV, or ObservedWrites over one. */
export interface RevisionedKv {
  get(key: string): Promise<KvEntry | null>;
  /** Fails with "wrong last sequence" when the key holds a value. */
  create(key: string, value: string | Uint8Array): Promise<number>;
  /** Fails with "wrong last sequence" unless the key is still at `revision`. */
  update(key: string, value: string | Uint8Array, revision: number): Promise<number>;
}

/** Another writer changed the key between every read and write an update tried. */
export class CompareAndSetConflictError extends Error {
  override readonly name = "CompareAndSetConflictError";

  constructor(
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`KV key ${key} changed under each of ${attempts} compare-and-set attempts`);
  }
}

/** Read-change-write rounds an update tries before it gives up; far more than any real contention needs. */
export const DEFAULT_COMPARE_AND_SET_ATTEMPTS = 100;

export interface UpdateByRevisionOptions<T> {
  /** A stored value as `T`; whatever it throws, the update throws. */
  decode: (key: string, value: Uint8Array) => T;
  /** `T` as stored; JSON by default. */
  encode?: (value: T) => string | Uint8Array;
  /** Rounds before giving up with CompareAndSetConflictError. */
  attempts?: number;
}

export interface RevisionUpdate<T, Written extends T | undefined = T | undefined> {
  /** The value `change` saw last (undefined: the key was absent or deleted). */
  previous: T | undefined;
  /** The value written; undefined when `change` answered undefined and nothing was written. */
  written: Written;
  /** The key's revision now: the write's, else the one read (0: the key never existed). */
  revision: number;
}

/**
 * Read-modify-write of one key. `change` sees the current value (undefined when absent or deleted) and
 * answers the next one, or undefined to write nothing; when another writer got there first it runs again
 * on the newer value. What `change` throws, the update throws, having written nothing.
 */
export async function updateByRevision<T, Next extends T | undefined = T | undefined>(
  kv: RevisionedKv,
  key: string,
  options: UpdateByRevisionOptions<T>,
  change: (current: T | undefined) => Next | Promise<Next>,
): Promise<RevisionUpdate<T, Next>> {
  const encode = options.encode ?? JSON.stringify;
  const attempts = options.attempts ?? DEFAULT_COMPARE_AND_SET_ATTEMPTS;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const entry = await kv.get(key);
    const current = entry?.operation === "PUT" ? options.decode(key, entry.value) : undefined;
    const revision = entry?.revision ?? 0;
    const next = await change(current);
    if (next === undefined) return { previous: current, written: next, revision };
    const written = await writeAtRevision(kv, key, encode(next), revision);
    if (written !== undefined) return { previous: current, written: next, revision: written };
  }
  throw new CompareAndSetConflictError(key, attempts);
}

/**
 * One compare-and-set against a revision the caller read (0: the key never existed, so create it).
 * Resolves with the new revision, or undefined when another writer got there first.
 */
export async function writeAtRevision(kv: RevisionedKv, key: string, value: string | Uint8Array, revision: number): Promise<number | undefined> {
  try {
    return revision === 0 ? await kv.create(key, value) : await kv.update(key, value, revision);
  } catch (error) {
    if (isWrongLastSequence(error)) return undefined;
    throw error;
  }
}

/** Writes `value` unless the key holds one (a deleted key does not): the new revision, or undefined when it does. */
export async function createIfAbsent(kv: RevisionedKv, key: string, value: string | Uint8Array): Promise<number | undefined> {
  const { written, revision } = await updateByRevision<string | Uint8Array>(kv, key, { decode: (_key, stored) => stored, encode: (bytes) => bytes }, (current) =>
    current === undefined ? value : undefined,
  );
  return written === undefined ? undefined : revision;
}
