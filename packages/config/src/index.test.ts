import { describe, expect, it } from "vitest";
import { ConfigError, loadFrontendConfig, loadSchedulerConfig, loadWorkerConfig } from "./index.js";

describe("configuration", () => {
  it("has defaults that work on a laptop", () => {
    const config = loadFrontendConfig({});
    expect(config).toMatchObject({
      natsUrl: "nats://127.0.0.1:4222",
      httpPort: 8080,
      grpcPort: 50051,
      region: "us-east-1",
      accountId: "000000000000",
    });
    expect(loadSchedulerConfig({}).accountConcurrency).toBe(1000);
  });

  it("names the variable when a value is bad", () => {
    expect(() => loadFrontendConfig({ LAMBENT_HTTP_PORT: "eighty" })).toThrow(/LAMBENT_HTTP_PORT/);
    expect(() => loadFrontendConfig({ LAMBENT_HTTP_PORT: "70000" })).toThrow(ConfigError);
    expect(() => loadSchedulerConfig({ LAMBENT_ACCOUNT_CONCURRENCY: "0" })).toThrow(/LAMBENT_ACCOUNT_CONCURRENCY/);
    expect(() => loadWorkerConfig({ LAMBENT_WORKER_ID: "bad id" })).toThrow(/LAMBENT_WORKER_ID/);
    expect(() => loadWorkerConfig({ NATS_URL: "http ://x" })).toThrow(/NATS_URL/);
    expect(() => loadWorkerConfig({ LAMBENT_LOG_LEVEL: "loud" })).toThrow(/LAMBENT_LOG_LEVEL/);
  });
});
