// Snapshots per Python function version, taken after its module was imported (as Lambda's SnapStart):
// a function whose import is slow (vendored `requests` takes seconds) cold-starts again from an interpreter
// that has it imported already. One is made after the first call of a cold start whose import took longer
// than `minImportMs`, off that cold start's path, in a throwaway isolate (python-snapshot-maker.ts). It
// holds the function's environment variables (its import may have read them), so it is kept in this
// process's memory only, never on disk, a few at most (least recently used dropped). Its key is the
// version's record (name, version, revision: code and configuration), so a changed function never gets an
// old one. When Pyodide refuses to make one (the module holds a JavaScript object) or the import fails
// there, that version is never tried again in this process: its cold starts take the ordinary path.
import type { FunctionVersionRecord } from "@lambent/registry/functions";

/**
 * Below this, an import costs less than restoring a snapshot into a new isolate does (0.3 to 0.8 s
 * measured, about what a start from the base snapshot costs): with a spare ready, which has paid for that
 * restore already, binding it and importing again would be quicker than the function's own snapshot.
 */
export const IMPORT_WORTH_MS = 500;

/** Makes one function's snapshot (python-snapshot-maker.ts); rejects when it cannot. */
export type SnapshotMaker = () => Promise<Uint8Array>;

export interface FunctionSnapshotsOptions {
  /** At most this many snapshots kept (0: none made). */
  maxSnapshots: number;
  /** And at most this many bytes together. */
  maxBytes: number;
  /** Imports quicker than this are not worth a snapshot; IMPORT_WORTH_MS unless told. */
  minImportMs?: number;
}

/** What each snapshot may take of the process's memory on average: one is the interpreter's whole memory (20 MB and more). */
export const SNAPSHOT_BUDGET_BYTES = 64 * 1024 * 1024;

/** The settings' default: a handful of functions. */
export const DEFAULT_FUNCTION_SNAPSHOTS: FunctionSnapshotsOptions = { maxSnapshots: 4, maxBytes: 4 * SNAPSHOT_BUDGET_BYTES };

export function snapshotKey(record: FunctionVersionRecord): string {
  return JSON.stringify([record.functionName, record.version, record.revisionId, record.codeSha256]);
}

export class FunctionSnapshots {
  /** Insertion order is use order: the first is the least recently used. */
  private readonly kept = new Map<string, Uint8Array>();
  private readonly failed = new Set<string>();
  private readonly making = new Set<string>();
  private keptBytes = 0;
  private closed = false;
  /** How many cold starts a function's own snapshot has served. */
  served = 0;
  /** How many snapshots were made, and how many attempts failed. */
  made = 0;
  failures = 0;
  /** Why the last attempt failed. */
  lastError: string | undefined;
  /** The snapshot being made now, for tests to await. */
  pending: Promise<void> | undefined;

  constructor(private readonly options: FunctionSnapshotsOptions = DEFAULT_FUNCTION_SNAPSHOTS) {}

  get enabled(): boolean {
    return this.options.maxSnapshots > 0 && !this.closed;
  }

  /** The function version's snapshot, if this process has one (now its most recently used). */
  take(record: FunctionVersionRecord): Uint8Array | undefined {
    const key = snapshotKey(record);
    const snapshot = this.kept.get(key);
    if (!snapshot) {
      this.dropOlder(record);
      return undefined;
    }
    this.kept.delete(key);
    this.kept.set(key, snapshot);
    this.served++;
    return snapshot;
  }

  has(record: FunctionVersionRecord): boolean {
    return this.kept.has(snapshotKey(record));
  }

  /**
   * After a cold start whose import took `importMs`: makes the version's snapshot with `make` unless it is
   * not worth it, is kept or being made already, failed before, or one is being made for another function
   * (one at a time: each takes an interpreter's memory and a core while it runs).
   */
  consider(record: FunctionVersionRecord, importMs: number, make: SnapshotMaker): void {
    const key = snapshotKey(record);
    if (!this.enabled || importMs < (this.options.minImportMs ?? IMPORT_WORTH_MS) || this.kept.has(key) || this.failed.has(key) || this.making.size > 0) return;
    this.making.add(key);
    this.pending = make().then(
      (snapshot) => {
        this.making.delete(key);
        if (!this.closed) this.keep(key, snapshot);
        this.made++;
      },
      (error: unknown) => {
        this.making.delete(key);
        this.lastError = error instanceof Error ? error.message : String(error);
        this.failed.add(key);
        this.failures++;
      },
    );
  }

  /** The version's snapshot could not be restored: it is dropped and never made again in this process. */
  forget(record: FunctionVersionRecord, error: unknown): void {
    const key = snapshotKey(record);
    this.drop(key);
    this.failed.add(key);
    this.failures++;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  /** Another revision of this version is asked for: the older ones' are never asked for again. */
  private dropOlder(record: FunctionVersionRecord): void {
    for (const old of [...this.kept.keys()]) {
      const [name, version] = JSON.parse(old) as string[];
      if (name === record.functionName && version === record.version) this.drop(old);
    }
  }

  private keep(key: string, snapshot: Uint8Array): void {
    if (snapshot.byteLength > this.options.maxBytes) return;
    this.kept.set(key, snapshot);
    this.keptBytes += snapshot.byteLength;
    for (const old of this.kept.keys()) {
      if (this.kept.size <= this.options.maxSnapshots && this.keptBytes <= this.options.maxBytes) break;
      this.drop(old);
    }
  }

  private drop(key: string): void {
    const snapshot = this.kept.get(key);
    if (!snapshot) return;
    this.kept.delete(key);
    this.keptBytes -= snapshot.byteLength;
  }

  /** The bytes the snapshots hold, which count in the process's memory. */
  get bytes(): number {
    return this.keptBytes;
  }

  close(): void {
    this.closed = true;
    this.kept.clear();
    this.keptBytes = 0;
  }
}
