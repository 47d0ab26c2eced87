// Applications deployed from templates, in their own KV bucket: each stack's numbered revisions and its
// head, and the deploy lock (owner, expiry, and the journal of the changes its deploy has applied).
// Revision documents and journals are the deployer's JSON; this store numbers, locks and compares-and-sets.
import type { NatsConnection } from "@nats-io/nats-core";
import { Kvm, type KV } from "@nats-io/kv";
import { Buckets } from "@lambent/protocol";
import { updateByRevision } from "./compare-and-set.js";
import { listKeys } from "./kv-keys.js";

/** A JSON object the deployer wrote (a revision, or a journal): stored and given back as it is. */
export type ApplicationDocument = Record<string, unknown>;

export interface ApplicationHead {
  stackName: string;
  /** The revision running now (0: none yet). */
  currentRevision: number;
  updatedAt: number;
}

export interface ApplicationLock {
  lockId: string;
  owner: string;
  acquiredAt: number;
  /** Past this time the lock is abandoned: the next actor takes it over, and with it the journal to undo. */
  expiresAt: number;
  journal: ApplicationDocument;
}

export interface ApplicationRevision {
  stackName: string;
  revision: number;
  createdAt: number;
  document: ApplicationDocument;
}

/** What taking the lock found: taken (over an abandoned lock, whose journal is given), or held by another. */
export type LockAcquisition = { acquired: ApplicationLock; abandoned?: ApplicationLock } | { heldBy: ApplicationLock };

const headKey = (stack: string): string => `app.${stack}.head`;
const lockKey = (stack: string): string => `app.${stack}.lock`;
/** Zero-padded, so the keys of one stack list in order. */
const revisionKey = (stack: string, revision: number): string => `app.${stack}.rev.${String(revision).padStart(8, "0")}`;

/** Opens (creating when missing) the applications bucket. */
export async function openApplicationBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return new Kvm(nc).create(Buckets.applications, { history: 1, storage: "file", replicas });
}

function decodeObject<T>(key: string, value: Uint8Array): T {
  const parsed = JSON.parse(new TextDecoder().decode(value)) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${key} does not hold a JSON object`);
  return parsed as T;
}

export class ApplicationStore {
  constructor(private readonly kv: KV) {}

  async head(stackName: string): Promise<ApplicationHead | undefined> {
    return this.read<ApplicationHead>(headKey(stackName));
  }

  /** Every stack with a head, by name. */
  async heads(): Promise<ApplicationHead[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, "app.*.head")));
    const heads = await Promise.all(keys.map((key) => this.read<ApplicationHead>(key)));
    return heads.filter((head): head is ApplicationHead => head !== undefined).sort((a, b) => (a.stackName < b.stackName ? -1 : 1));
  }

  async lock(stackName: string): Promise<ApplicationLock | undefined> {
    return this.read<ApplicationLock>(lockKey(stackName));
  }

  /** Takes the lock when it is free or abandoned (compare-and-set, so of two takers exactly one wins). */
  async acquireLock(stackName: string, lock: ApplicationLock, now: number): Promise<LockAcquisition> {
    let abandoned: ApplicationLock | undefined;
    let heldBy: ApplicationLock | undefined;
    await updateByRevision<ApplicationLock>(this.kv, lockKey(stackName), { decode: decodeObject }, (current) => {
      abandoned = undefined;
      heldBy = undefined;
      if (current !== undefined && current.expiresAt > now) {
        heldBy = current;
        return undefined;
      }
      abandoned = current;
      return lock;
    });
    if (heldBy !== undefined) return { heldBy };
    return abandoned === undefined ? { acquired: lock } : { acquired: lock, abandoned };
  }

  /** Replaces the journal and moves the expiry, if `lockId` still holds the lock; undefined when it does not. */
  async updateLock(stackName: string, lockId: string, change: (lock: ApplicationLock) => ApplicationLock): Promise<ApplicationLock | undefined> {
    const { written } = await updateByRevision<ApplicationLock>(this.kv, lockKey(stackName), { decode: decodeObject }, (current) =>
      current?.lockId === lockId ? change(current) : undefined,
    );
    return written;
  }

  /** Releases the lock if `lockId` holds it; false when it does not. */
  async releaseLock(stackName: string, lockId: string): Promise<boolean> {
    const entry = await this.kv.get(lockKey(stackName));
    if (entry?.operation !== "PUT" || decodeObject<ApplicationLock>(entry.key, entry.value).lockId !== lockId) return false;
    try {
      await this.kv.delete(lockKey(stackName), { previousSeq: entry.revision });
      return true;
    } catch {
      // Changed since it was read: taken over by another actor, so no longer this one's to release.
      return false;
    }
  }

  /** Records the next revision of the stack and makes it current; the caller has checked it holds the lock. */
  async addRevision(stackName: string, document: ApplicationDocument, now: number): Promise<ApplicationRevision> {
    const { written } = await updateByRevision<ApplicationHead, ApplicationHead>(this.kv, headKey(stackName), { decode: decodeObject }, (current) => ({
      stackName,
      currentRevision: (current?.currentRevision ?? 0) + 1,
      updatedAt: now,
    }));
    const revision: ApplicationRevision = { stackName, revision: written.currentRevision, createdAt: now, document };
    await this.kv.put(revisionKey(stackName, revision.revision), JSON.stringify(revision));
    return revision;
  }

  async revision(stackName: string, revision: number): Promise<ApplicationRevision | undefined> {
    return this.read<ApplicationRevision>(revisionKey(stackName, revision));
  }

  /** Every revision of the stack, oldest first. */
  async revisions(stackName: string): Promise<ApplicationRevision[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, `app.${stackName}.rev.*`)));
    keys.sort();
    const revisions = await Promise.all(keys.map((key) => this.read<ApplicationRevision>(key)));
    return revisions.filter((revision): revision is ApplicationRevision => revision !== undefined);
  }

  /** Forgets the stack: its head and revisions (the lock is the caller's to release). */
  async forget(stackName: string): Promise<void> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, `app.${stackName}.rev.*`)));
    for (const key of keys) await this.kv.purge(key);
    await this.kv.purge(headKey(stackName));
  }

  private async read<T>(key: string): Promise<T | undefined> {
    const entry = await this.kv.get(key);
    return entry?.operation === "PUT" ? decodeObject<T>(key, entry.value) : undefined;
  }
}
