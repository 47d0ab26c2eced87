// One deploy of a stack at a time: the stack's lock in the control plane (AcquireApplicationLock), held by
// this process while it changes the stack, with the journal of its changes written to it step by step. A
// lock found expired is taken over and its journal undone (or, once committed, finished) before anything else.
import { hostname } from "node:os";
import { ApiError, type ApiClient } from "./api-client.js";
import { undoJournal, journalOf, type Journal, type JournalStep } from "./deploy-journal.js";
import { DeployInputError, type DeployReporter } from "./reporter.js";

/** How long the lock holds without renewal (the holder renews it every third of this, and with each step). `LAMBENT_DEPLOY_LOCK_TTL` (seconds) overrides it. */
const DEFAULT_LOCK_TTL_SECONDS = 60;

/** The stack is locked by another deploy, or its abandoned deploy could not be undone in full: nothing was changed. */
export class ApplicationLockError extends Error {
  override readonly name = "ApplicationLockError";
}

export interface HeldLock {
  readonly lockId: string;
  readonly journal: Journal;
  /** Writes the step to the journal before the change it describes is made (and renews the lock). */
  record(step: JournalStep): Promise<void>;
  /** Releases the lock; the journal goes with it. */
  release(): Promise<void>;
  /** Stops renewing the lock and leaves it, with its journal, to expire: the next actor takes it over. */
  abandon(): void;
}

export function lockTtlSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const given = env.LAMBENT_DEPLOY_LOCK_TTL;
  if (given === undefined || given === "") return DEFAULT_LOCK_TTL_SECONDS;
  const seconds = Number(given);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) throw new DeployInputError(`LAMBENT_DEPLOY_LOCK_TTL must be a whole number of seconds from 1 to 3600, not '${given}'`);
  return seconds;
}

/**
 * Takes the stack's lock for `operation`; refuses (an ApplicationLockError naming the holder) while another deploy holds
 * it. An abandoned lock's journal is undone first, and what was undone is reported as progress.
 */
export async function takeApplicationLock(client: ApiClient, stackName: string, operation: Journal["operation"], baseRevision: number, io: DeployReporter, settle: (name: string) => Promise<void>): Promise<HeldLock> {
  const ttl = lockTtlSeconds(io.env);
  let acquired;
  try {
    acquired = await client.acquireApplicationLock(stackName, { Owner: `lambent ${operation} on ${hostname()} (pid ${process.pid})`, TtlSeconds: ttl });
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) throw new ApplicationLockError(`${error.message}; nothing was changed. Try again once it has finished (or once its lock expires, if it died).`);
    throw error;
  }
  const lockId = acquired.Lock.LockId;
  const abandoned = acquired.AbandonedLock ? journalOf(acquired.AbandonedLock.Journal) : undefined;
  if (acquired.AbandonedLock && abandoned) {
    const outcome = await undoJournal(client, abandoned, settle);
    const owner = acquired.AbandonedLock.Owner;
    if (outcome.finished) io.progress(`recovered: the ${abandoned.operation} by ${owner} had recorded its revision and died; removed what it no longer lists: ${outcome.finished.join(", ") || "nothing"}`);
    else io.progress(`recovered: the ${abandoned.operation} by ${owner} died midway; undid ${outcome.undone.length} step${outcome.undone.length === 1 ? "" : "s"}, the stack is back on ${abandoned.baseRevision === 0 ? "what it was before (it had no revision)" : `revision ${abandoned.baseRevision}`}`);
    for (const line of outcome.undone) io.progress(`  undid ${line}`);
    if (outcome.failed.length > 0) {
      // The journal stays in the lock, which expires, so the next actor tries again.
      await client.updateApplicationLock(stackName, { LockId: lockId, Journal: { ...abandoned }, TtlSeconds: 1 });
      throw new ApplicationLockError(`could not undo the abandoned ${abandoned.operation} of ${stackName} in full (the next command retries):\n  ${outcome.failed.join("\n  ")}`);
    }
  }
  const journal: Journal = { operation, baseRevision, steps: [] };
  // A step can outlast the lock (a large package bundled at create), so the lock is renewed meanwhile;
  // a renewal that fails is reported by the next journal write, which finds the lock lost.
  const renewal = setInterval(() => {
    client.updateApplicationLock(stackName, { LockId: lockId, TtlSeconds: ttl }).catch(() => undefined);
  }, (ttl * 1000) / 3);
  renewal.unref();
  return {
    lockId,
    journal,
    async record(step) {
      journal.steps.push(step);
      await client.updateApplicationLock(stackName, { LockId: lockId, Journal: { ...journal }, TtlSeconds: ttl });
    },
    async release() {
      clearInterval(renewal);
      await client.releaseApplicationLock(stackName, lockId);
    },
    abandon() {
      clearInterval(renewal);
    },
  };
}

/**
 * For commands that only read a stack (history, diff): an expired lock with a journal is taken over,
 * undone and released; a live one is left alone and reported. Returns whether a deploy holds it now.
 */
export async function recoverAbandonedLock(client: ApiClient, stackName: string, io: DeployReporter, settle: (name: string) => Promise<void>): Promise<{ heldBy?: string }> {
  let lock;
  try {
    lock = await client.getApplicationLock(stackName);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return {};
    throw error;
  }
  if (Date.parse(lock.ExpiresAt) > Date.now()) return { heldBy: `${lock.Owner} (until ${lock.ExpiresAt})` };
  try {
    const held = await takeApplicationLock(client, stackName, journalOf(lock.Journal)?.operation ?? "deploy", 0, io, settle);
    await held.release();
  } catch (error) {
    // Another actor took it over first: that one recovers the stack.
    if (!(error instanceof ApplicationLockError) || !/being deployed by/.test(error.message)) throw error;
  }
  return {};
}
