import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadFrontendConfig, loadSchedulerConfig, loadWorkerConfig } from "./index.js";

const SEED = `SU${"B".repeat(56)}`;
const KEY = Buffer.alloc(32, 7).toString("base64");
const production = { LAMBENT_MODE: "production", LAMBENT_SECRETS_KEY: KEY };

describe("NATS credentials and TLS", () => {
  it("are optional in development: no seed, no TLS", () => {
    expect(loadFrontendConfig({}).natsAuth).toEqual({ nkeySeed: undefined, tls: undefined });
  });

  it("are required in production by every service, naming the variable", () => {
    for (const load of [loadFrontendConfig, loadSchedulerConfig, loadWorkerConfig]) {
      expect(() => load({ ...production, LAMBENT_WORKER_ID: "w1" })).toThrow(ConfigError);
      expect(() => load({ ...production, LAMBENT_WORKER_ID: "w1" })).toThrow(/^LAMBENT_NATS_NKEY_SEED: NATS credentials are required when LAMBENT_MODE is production/);
    }
  });

  it("require a worker id in production, since a worker's seed is issued for one", () => {
    expect(() => loadWorkerConfig({ ...production, LAMBENT_NATS_NKEY_SEED: SEED })).toThrow(/^LAMBENT_WORKER_ID: required when LAMBENT_MODE is production/);
    expect(loadWorkerConfig({ ...production, LAMBENT_NATS_NKEY_SEED: SEED, LAMBENT_WORKER_ID: "w1" }).natsAuth.nkeySeed).toBe(SEED);
  });

  it("read the seed from a file, and refuse a value that is not a seed without repeating it", () => {
    const dir = mkdtempSync(join(tmpdir(), "lambent-config-"));
    writeFileSync(join(dir, "seed"), `${SEED}\n`);
    expect(loadSchedulerConfig({ ...production, LAMBENT_NATS_NKEY_SEED_FILE: join(dir, "seed") }).natsAuth.nkeySeed).toBe(SEED);
    expect(() => loadSchedulerConfig({ LAMBENT_NATS_NKEY_SEED_FILE: join(dir, "missing") })).toThrow(/^LAMBENT_NATS_NKEY_SEED_FILE: no such file/);
    expect(() => loadSchedulerConfig({ LAMBENT_NATS_NKEY_SEED: "hunter2-secret" })).toThrow(/^LAMBENT_NATS_NKEY_SEED: expected a NATS user NKey seed/);
    expect(() => loadSchedulerConfig({ LAMBENT_NATS_NKEY_SEED: "hunter2-secret" })).not.toThrow(/hunter2/);
    expect(() => loadSchedulerConfig({ LAMBENT_NATS_NKEY_SEED: SEED, LAMBENT_NATS_NKEY_SEED_FILE: join(dir, "seed") })).toThrow(/not both/);
  });

  it("read the TLS files, a certificate only with its key", () => {
    const dir = mkdtempSync(join(tmpdir(), "lambent-config-"));
    for (const name of ["ca.crt", "client.crt", "client.key"]) writeFileSync(join(dir, name), "pem");
    expect(loadFrontendConfig({ LAMBENT_NATS_CA: join(dir, "ca.crt") }).natsAuth.tls).toEqual({ caFile: join(dir, "ca.crt"), certFile: undefined, keyFile: undefined });
    expect(loadFrontendConfig({ LAMBENT_NATS_CERT: join(dir, "client.crt"), LAMBENT_NATS_KEY: join(dir, "client.key") }).natsAuth.tls?.keyFile).toBe(join(dir, "client.key"));
    expect(() => loadFrontendConfig({ LAMBENT_NATS_CERT: join(dir, "client.crt") })).toThrow(/^LAMBENT_NATS_KEY: LAMBENT_NATS_CERT and LAMBENT_NATS_KEY go together/);
    expect(() => loadFrontendConfig({ LAMBENT_NATS_CA: join(dir, "nope.crt") })).toThrow(/^LAMBENT_NATS_CA: no such file/);
  });

  it("accept a sandbox process's worker id (the node's id and its index and generation)", () => {
    expect(loadWorkerConfig({ LAMBENT_WORKER_ID: "w1.0-3" }).workerId).toBe("w1.0-3");
    expect(() => loadWorkerConfig({ LAMBENT_WORKER_ID: "w1.x.y" })).toThrow(/^LAMBENT_WORKER_ID/);
  });
});
