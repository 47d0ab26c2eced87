// Provisioned environments per environment key: the worker holds exactly the count the scheduler last
// asked for, making missing ones ahead of traffic and letting extras go. Requests for one key are
// handled one at a time (a request that arrives meanwhile just updates the count the next round aims
// for), so overlapping requests never make more than asked. A provisioned environment lost to a
// crashed call is replaced.
import { environmentKey, type ProvisionRequest } from "@lambent/protocol";
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import type { Logger } from "@lambent/telemetry";
import type { RevisionLookup } from "./invoke.js";
import type { PooledEnvironment, WarmPool } from "./pool/warm-pool.js";

export interface ProvisionerOptions<E extends PooledEnvironment> {
  pool: WarmPool<E>;
  registry: RevisionLookup;
  /** Starts an environment of the record under the key (its init log is the caller's to keep or drop). */
  start: (key: string, record: FunctionVersionRecord) => Promise<E>;
  logger: Logger;
  /** Called when a key's provisioned environments changed, so the scheduler hears of it promptly. */
  onChange?: () => void;
}

interface KeyState {
  /** The latest request for the key: what the next round aims for. */
  request: ProvisionRequest;
  /** The rounds under way, resolved when the key holds what the latest request asked (or could not). */
  running: Promise<void> | undefined;
  /** A request arrived while a round ran: run another. */
  again: boolean;
}

export class Provisioner<E extends PooledEnvironment> {
  private readonly keys = new Map<string, KeyState>();
  private closed = false;

  constructor(private readonly options: ProvisionerOptions<E>) {}

  /** Holds exactly `request.count` environments of the version; resolves once they are made or could not be. */
  request(request: ProvisionRequest): Promise<void> {
    if (this.closed) return Promise.resolve();
    const key = environmentKey(request.functionName, request.version, request.revisionId);
    let state = this.keys.get(key);
    if (!state) {
      state = { request, running: undefined, again: false };
      this.keys.set(key, state);
    }
    state.request = request;
    if (state.running) {
      state.again = true;
      return state.running;
    }
    state.running = this.run(key, state);
    return state.running;
  }

  /** A provisioned environment of the key ended on its own (the pool's onProvisionedLost): make another. */
  replace(key: string): void {
    const state = this.keys.get(key);
    if (state) void this.request(state.request);
  }

  /** Takes no more requests; resolves when the rounds under way have ended. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.keys.values()].map((state) => state.running));
  }

  private async run(key: string, state: KeyState): Promise<void> {
    try {
      do {
        state.again = false;
        if (await this.round(key, state.request)) this.options.onChange?.();
      } while (state.again && !this.closed);
    } catch (error) {
      this.options.logger.error("provisioning failed", { key, err: error });
    } finally {
      state.running = undefined;
      if (state.request.count === 0 || this.closed) this.keys.delete(key);
    }
  }

  /** One step towards the requested count; true when the key's provisioned environments changed. */
  private async round(key: string, request: ProvisionRequest): Promise<boolean> {
    const { pool, logger } = this.options;
    const held = pool.provisionedCount(key);
    if (held > request.count) return pool.unprovision(key, held - request.count) > 0;
    const missing = request.count - held;
    if (missing === 0 || this.closed) return false;
    const record = await this.options.registry.getRevision(request.functionName, request.version, request.revisionId);
    if (!record) {
      logger.warn("cannot provision environments: function revision not found", { key, count: request.count });
      return false;
    }
    // The pool takes each environment's slot and memory before it starts, so all may start at once.
    const outcomes = await Promise.allSettled(
      Array.from({ length: missing }, () => pool.provision(record.memorySize, () => this.options.start(key, record))),
    );
    let made = 0;
    let failure: { error: unknown } | undefined;
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") failure ??= { error: outcome.reason };
      else if (outcome.value) made++;
    }
    if (failure) {
      logger.warn("cannot provision environments: the function failed to start", { key, count: request.count, provisioned: held + made, err: failure.error });
    } else if (made < missing && !this.closed) {
      logger.warn("cannot provision environments: no room on this worker", { key, count: request.count, provisioned: held + made });
    }
    return made > 0;
  }
}
