// Environment variables at rest: sealed in the functions KV bucket, plain to the API and the function,
// and a production frontend without a key refuses to start.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { Buckets } from "@lambent/protocol";
import { startService } from "@lambent/local-cluster";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const SECRET = `pw-${randomBytes(12).toString("hex")}`;
const UPDATED_SECRET = `pw-${randomBytes(12).toString("hex")}`;

const printEnv = zipFiles({
  "index.mjs": `export const handler = async () => ({ password: process.env.DB_PASSWORD, user: process.env.DB_USER });`,
});

let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;
let functions: KV;

beforeAll(async () => {
  // Production signs API calls: the test clients' key (lambdaClientConfig's) is the cluster's.
  cluster = await startTestCluster({ env: { LAMBENT_SECRETS_KEY: randomBytes(32).toString("base64"), LAMBENT_MODE: "production", LAMBENT_ACCESS_KEYS: "test:test" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect({ ...cluster.natsOptions() });
  functions = await new Kvm(nc).open(Buckets.functions);
});
afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
});

async function rawRecord(name: string): Promise<string> {
  const entry = await functions.get(`fn.${name}.LATEST`);
  expect(entry?.operation).toBe("PUT");
  return entry!.string();
}

describe("environment variables at rest", () => {
  it("are sealed in KV, plain in GetFunctionConfiguration and in the function's process.env", async () => {
    const variables = { DB_PASSWORD: SECRET, DB_USER: "app" };
    const created = await createTestFunction(lambda, "secretive", printEnv, { Environment: { Variables: variables } });
    expect(created.Environment?.Variables).toEqual(variables);

    const raw = await rawRecord("secretive");
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain("DB_PASSWORD");
    expect(JSON.parse(raw)).toMatchObject({ functionName: "secretive", sealedEnvironment: { alg: "AES-256-GCM" } });

    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "secretive" }));
    expect(configuration.Environment?.Variables).toEqual(variables);

    const invoked = await lambda.send(new InvokeCommand({ FunctionName: "secretive", Payload: Buffer.from("{}") }));
    expect(invoked.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).toEqual({ password: SECRET, user: "app" });
  });

  it("stay sealed through an update, and the function sees the new values", async () => {
    await createTestFunction(lambda, "rotating", printEnv, { Environment: { Variables: { DB_PASSWORD: SECRET } } });
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "rotating", Environment: { Variables: { DB_PASSWORD: UPDATED_SECRET, DB_USER: "ops" } } }),
    );
    expect(updated.Environment?.Variables).toEqual({ DB_PASSWORD: UPDATED_SECRET, DB_USER: "ops" });
    const raw = await rawRecord("rotating");
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain(UPDATED_SECRET);

    const invoked = await lambda.send(new InvokeCommand({ FunctionName: "rotating", Payload: Buffer.from("{}") }));
    expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).toEqual({ password: UPDATED_SECRET, user: "ops" });
  });

  it("cannot be read by a frontend with another key, which says why", async () => {
    await createTestFunction(lambda, "guarded", printEnv, { Environment: { Variables: { DB_PASSWORD: SECRET } } });
    const stranger = await cluster.add("frontend", { LAMBENT_SECRETS_KEY: randomBytes(32).toString("base64") });
    const other = new LambdaClient(lambdaClientConfig(`http://127.0.0.1:${String(stranger.ready["httpPort"])}`));
    try {
      const failure = await other.send(new GetFunctionConfigurationCommand({ FunctionName: "guarded" })).then(
        () => undefined,
        (error: unknown) => error as { name: string; message: string; $metadata: { httpStatusCode?: number } },
      );
      expect(failure?.name).toBe("ServiceException");
      expect(failure?.$metadata.httpStatusCode).toBe(500);
      expect(failure?.message).toMatch(/guarded:\$LATEST were sealed with key .*LAMBENT_SECRETS_KEY/);
      expect(failure?.message).not.toContain(SECRET);
    } finally {
      other.destroy();
      await stranger.stop();
    }
  });

  it("need a key in production: a frontend without one exits naming LAMBENT_SECRETS_KEY", async () => {
    const started = startService({
      name: "frontend",
      env: { NATS_URL: cluster.natsUrl, LAMBENT_MODE: "production", LAMBENT_SECRETS_KEY: "", LAMBENT_HTTP_PORT: "0", LAMBENT_GRPC_PORT: "0" },
      readyTimeoutMs: 20_000,
    });
    await expect(started).rejects.toThrow(/exited .*before it was ready[\s\S]*LAMBENT_SECRETS_KEY/);
  });

  it("need access keys in production: a frontend without any exits naming LAMBENT_ACCESS_KEYS", async () => {
    const started = startService({
      name: "frontend",
      env: { NATS_URL: cluster.natsUrl, LAMBENT_MODE: "production", LAMBENT_SECRETS_KEY: randomBytes(32).toString("base64"), LAMBENT_NATS_NKEY_SEED: `SU${"A".repeat(56)}`, LAMBENT_ACCESS_KEYS: "", LAMBENT_HTTP_PORT: "0", LAMBENT_GRPC_PORT: "0" },
      readyTimeoutMs: 20_000,
    });
    await expect(started).rejects.toThrow(/exited .*before it was ready[\s\S]*LAMBENT_ACCESS_KEYS: required when API requests must be signed/);
  });
});
