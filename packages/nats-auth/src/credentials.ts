// One NKey per service identity: the frontends share one, the schedulers share one, each worker node has its
// own (its permissions name its worker id). The seed is the service's secret; the server knows only the
// public key.
import { createUser } from "@nats-io/nkeys";
import type { NatsIdentity } from "@lambent/protocol";

export interface NatsCredential {
  identity: NatsIdentity;
  /** `U…`: what the server config lists. */
  publicKey: string;
  /** `SU…`: what the service is given (LAMBENT_NATS_NKEY_SEED). A secret. */
  seed: string;
}

export interface NatsCredentials {
  frontend: NatsCredential;
  scheduler: NatsCredential;
  /** Worker id (LAMBENT_WORKER_ID) → that worker node's credential. */
  workers: Map<string, NatsCredential>;
  /** Every permission, for an operator's tools; only when asked for. */
  operator: NatsCredential | undefined;
}

const WORKER_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export function createNatsCredential(identity: NatsIdentity): NatsCredential {
  const pair = createUser();
  return { identity, publicKey: pair.getPublicKey(), seed: new TextDecoder().decode(pair.getSeed()) };
}

/** Fresh credentials for the frontends, the schedulers, each of `workerIds`, and an operator when `operator` is set. */
export function createNatsCredentials(workerIds: readonly string[], options: { operator?: boolean } = {}): NatsCredentials {
  const workers = new Map<string, NatsCredential>();
  for (const workerId of workerIds) {
    if (!WORKER_ID.test(workerId)) throw new Error(`not a worker id (letters, digits, '-' and '_', at most 64): "${workerId}"`);
    if (workers.has(workerId)) throw new Error(`worker id ${workerId} is listed twice`);
    workers.set(workerId, createNatsCredential({ role: "worker", workerNodeId: workerId }));
  }
  return {
    frontend: createNatsCredential({ role: "frontend" }),
    scheduler: createNatsCredential({ role: "scheduler" }),
    workers,
    operator: options.operator ? createNatsCredential({ role: "operator" }) : undefined,
  };
}

export function allCredentials(credentials: NatsCredentials): NatsCredential[] {
  return [credentials.frontend, credentials.scheduler, ...credentials.workers.values(), ...(credentials.operator ? [credentials.operator] : [])];
}
