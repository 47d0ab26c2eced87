// The environment a service is started with to use its credential.
import type { NatsCredential } from "./credentials.js";

export function natsCredentialEnv(credential: NatsCredential): Record<string, string> {
  return {
    LAMBENT_NATS_NKEY_SEED: credential.seed,
    ...(credential.identity.role === "worker" ? { LAMBENT_WORKER_ID: credential.identity.workerNodeId } : {}),
  };
}
