import { describe, expect, it } from "vitest";
import { ConfigError, DEVELOPMENT_SECRETS_KEY, loadFrontendConfig, loadSchedulerConfig, loadWorkerConfig } from "./index.js";

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
    expect(loadSchedulerConfig({}).concurrency).toEqual({ accountLimit: 1000, unreservedMinimum: 100 });
    expect(loadSchedulerConfig({}).kvTriggerCacheBytes).toBe(64 * 1024 * 1024);
    expect(loadSchedulerConfig({ LAMBENT_KV_TRIGGER_CACHE_MB: "8" }).kvTriggerCacheBytes).toBe(8 * 1024 * 1024);
    expect(loadSchedulerConfig({}).deploymentErrorRate).toEqual({ marginPercent: 10, minCalls: 5 });
    expect(loadSchedulerConfig({ LAMBENT_DEPLOYMENT_ERROR_RATE_MARGIN_PERCENT: "100", LAMBENT_DEPLOYMENT_ERROR_RATE_MIN_CALLS: "20" }).deploymentErrorRate).toEqual({ marginPercent: 100, minCalls: 20 });
  });

  it("gives a sandbox process a memory margin of its own share, at least 1 GB, unless told", () => {
    expect(loadWorkerConfig({ LAMBENT_WORKER_MEMORY_MB: "4096" }).sandboxMemoryMarginMb).toBe(4096);
    expect(loadWorkerConfig({ LAMBENT_WORKER_MEMORY_MB: "512" }).sandboxMemoryMarginMb).toBe(1024);
    expect(loadWorkerConfig({ LAMBENT_SANDBOX_MEMORY_MARGIN_MB: "256" }).sandboxMemoryMarginMb).toBe(256);
    expect(() => loadWorkerConfig({ LAMBENT_SANDBOX_MEMORY_MARGIN_MB: "8" })).toThrow(/LAMBENT_SANDBOX_MEMORY_MARGIN_MB/);
  });

  it("puts the operator's AWS endpoints in functions' environments under the SDK's names", () => {
    expect(loadWorkerConfig({}).awsEndpoints).toEqual({});
    expect(
      loadWorkerConfig({ LAMBENT_AWS_ENDPOINT_URL: "http://aws.internal:4566", LAMBENT_AWS_ENDPOINT_URL_S3: "https://s3.internal", LAMBENT_AWS_ENDPOINT_URL_DYNAMODB: "" }).awsEndpoints,
    ).toEqual({ AWS_ENDPOINT_URL: "http://aws.internal:4566", AWS_ENDPOINT_URL_S3: "https://s3.internal" });
    expect(() => loadWorkerConfig({ LAMBENT_AWS_ENDPOINT_URL_S3: "s3.internal" })).toThrow(/LAMBENT_AWS_ENDPOINT_URL_S3/);
    expect(() => loadWorkerConfig({ LAMBENT_AWS_ENDPOINT_URL: "ftp://x" })).toThrow(/LAMBENT_AWS_ENDPOINT_URL/);
  });

  it("names the variable when a value is bad", () => {
    expect(() => loadFrontendConfig({ LAMBENT_HTTP_PORT: "eighty" })).toThrow(/LAMBENT_HTTP_PORT/);
    expect(() => loadFrontendConfig({ LAMBENT_HTTP_PORT: "70000" })).toThrow(ConfigError);
    expect(() => loadSchedulerConfig({ LAMBENT_ACCOUNT_CONCURRENCY: "0" })).toThrow(/LAMBENT_ACCOUNT_CONCURRENCY/);
    expect(() => loadSchedulerConfig({ LAMBENT_DEPLOYMENT_ERROR_RATE_MARGIN_PERCENT: "101" })).toThrow(/LAMBENT_DEPLOYMENT_ERROR_RATE_MARGIN_PERCENT/);
    expect(() => loadSchedulerConfig({ LAMBENT_DEPLOYMENT_ERROR_RATE_MIN_CALLS: "0" })).toThrow(/LAMBENT_DEPLOYMENT_ERROR_RATE_MIN_CALLS/);
    expect(() => loadSchedulerConfig({ LAMBENT_KV_TRIGGER_CACHE_MB: "0" })).toThrow(/LAMBENT_KV_TRIGGER_CACHE_MB/);
    expect(() => loadSchedulerConfig({ LAMBENT_WORKFLOW_S3_ENDPOINT: "ftp://store" })).toThrow(/LAMBENT_WORKFLOW_S3_ENDPOINT/);
    expect(() => loadSchedulerConfig({ LAMBENT_WORKFLOW_S3_ENDPOINT: "http://store:9000" })).toThrow(/LAMBENT_WORKFLOW_S3_ACCESS_KEY_ID/);
    expect(loadSchedulerConfig({ LAMBENT_WORKFLOW_S3_ENDPOINT: "http://store:9000/", LAMBENT_WORKFLOW_S3_ACCESS_KEY_ID: "k", LAMBENT_WORKFLOW_S3_SECRET_ACCESS_KEY: "s" }).workflowS3).toEqual({
      endpoint: "http://store:9000",
      accessKeyId: "k",
      secretAccessKey: "s",
    });
    expect(() => loadWorkerConfig({ LAMBENT_WORKER_ID: "bad id" })).toThrow(/LAMBENT_WORKER_ID/);
    expect(() => loadWorkerConfig({ NATS_URL: "http ://x" })).toThrow(/NATS_URL/);
    expect(() => loadWorkerConfig({ LAMBENT_LOG_LEVEL: "loud" })).toThrow(/LAMBENT_LOG_LEVEL/);
  });

  describe("secrets", () => {
    const key = Buffer.alloc(32, 7).toString("base64");

    it("uses the public development key by default, and says so", () => {
      const config = loadSchedulerConfig({});
      expect(config.mode).toBe("development");
      expect(config.secrets.isDevelopmentKey).toBe(true);
      expect(Buffer.from(config.secrets.key).toString("utf8")).toBe("lambent-development-key-insecure");
      expect(DEVELOPMENT_SECRETS_KEY).toHaveLength(32);
    });

    it("reads LAMBENT_SECRETS_KEY as base64 of 32 bytes", () => {
      const config = loadWorkerConfig({ LAMBENT_SECRETS_KEY: key, LAMBENT_MODE: "production", LAMBENT_NATS_NKEY_SEED: `SU${"A".repeat(56)}`, LAMBENT_WORKER_ID: "w1" });
      expect(config.mode).toBe("production");
      expect(config.secrets).toEqual({ key: new Uint8Array(Buffer.alloc(32, 7)), isDevelopmentKey: false });
      // The worker's own settings are still there.
      expect(config.fetch.timeoutMs).toBe(30_000);
    });

    it("requires a key in production mode, naming the variable", () => {
      expect(() => loadFrontendConfig({ LAMBENT_MODE: "production" })).toThrow(ConfigError);
      expect(() => loadFrontendConfig({ LAMBENT_MODE: "production" })).toThrow(/LAMBENT_SECRETS_KEY: required when LAMBENT_MODE is production/);
      const development = Buffer.from(DEVELOPMENT_SECRETS_KEY).toString("base64");
      expect(() => loadFrontendConfig({ LAMBENT_MODE: "production", LAMBENT_SECRETS_KEY: development })).toThrow(/LAMBENT_SECRETS_KEY: the public development key/);
    });

    it("names the variable for a bad key or mode, without repeating the key", () => {
      expect(() => loadFrontendConfig({ LAMBENT_SECRETS_KEY: "not base64!" })).toThrow(/LAMBENT_SECRETS_KEY: expected base64 of 32 bytes/);
      const short = Buffer.alloc(16, 1).toString("base64");
      expect(() => loadFrontendConfig({ LAMBENT_SECRETS_KEY: short })).toThrow(/LAMBENT_SECRETS_KEY: expected base64 of 32 bytes, got 16 bytes/);
      expect(() => loadFrontendConfig({ LAMBENT_SECRETS_KEY: "not base64!" })).not.toThrow(/not base64!/);
      expect(() => loadFrontendConfig({ LAMBENT_MODE: "staging" })).toThrow(/LAMBENT_MODE/);
    });
  });

  describe("the console's trace link", () => {
    it("is unset by default and must be an http(s) URL holding {traceId}", () => {
      expect(loadFrontendConfig({}).consoleTraceUrl).toBeUndefined();
      expect(loadFrontendConfig({ LAMBENT_CONSOLE_TRACE_URL: "http://jaeger:16686/trace/{traceId}" }).consoleTraceUrl).toBe("http://jaeger:16686/trace/{traceId}");
      expect(() => loadFrontendConfig({ LAMBENT_CONSOLE_TRACE_URL: "http://jaeger:16686/search" })).toThrow(/^LAMBENT_CONSOLE_TRACE_URL: expected an http or https URL holding \{traceId\}/);
      expect(() => loadFrontendConfig({ LAMBENT_CONSOLE_TRACE_URL: "javascript:alert(1)//{traceId}" })).toThrow(/LAMBENT_CONSOLE_TRACE_URL/);
    });
  });

  describe("access keys", () => {
    it("reads id:secret pairs, none by default", () => {
      expect(loadFrontendConfig({}).accessKeys.size).toBe(0);
      expect(loadFrontendConfig({}).apiAuth).toBe("none");
      expect(loadFrontendConfig({ LAMBENT_API_AUTH: "sigv4", LAMBENT_ACCESS_KEYS: "AKIDONE:secret" }).apiAuth).toBe("sigv4");
      expect(() => loadFrontendConfig({ LAMBENT_API_AUTH: "sigv4" })).toThrow(/^LAMBENT_ACCESS_KEYS: required when API requests must be signed/);
      expect(() => loadFrontendConfig({ LAMBENT_API_AUTH: "basic" })).toThrow(/LAMBENT_API_AUTH: expected one of sigv4, none/);
      const keys = loadFrontendConfig({ LAMBENT_ACCESS_KEYS: "AKIDONE:s3cr/et+1, AKIDTWO:other" }).accessKeys;
      expect([...keys]).toEqual([["AKIDONE", "s3cr/et+1"], ["AKIDTWO", "other"]]);
    });

    it("names the variable for a malformed or repeated pair, without repeating the secret", () => {
      expect(() => loadFrontendConfig({ LAMBENT_ACCESS_KEYS: "no-colon" })).toThrow(/LAMBENT_ACCESS_KEYS/);
      expect(() => loadFrontendConfig({ LAMBENT_ACCESS_KEYS: "AKID:" })).toThrow(/LAMBENT_ACCESS_KEYS/);
      expect(() => loadFrontendConfig({ LAMBENT_ACCESS_KEYS: "bad id:secret" })).toThrow(/LAMBENT_ACCESS_KEYS/);
      expect(() => loadFrontendConfig({ LAMBENT_ACCESS_KEYS: "AKID:one,AKID:two" })).toThrow(/listed twice/);
      expect(() => loadFrontendConfig({ LAMBENT_ACCESS_KEYS: "AKID:topsecret,x" })).not.toThrow(/topsecret/);
    });
  });
});
