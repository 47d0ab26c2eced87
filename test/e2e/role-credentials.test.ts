// Execution role credentials, role policies and the operator's AWS endpoints on a real cluster: set over the API and the
// CLI, found by functions in the variables the AWS SDK reads (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_ENDPOINT_URL_S3), never answered back, given only to the role's functions.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const READER = "arn:aws:iam::000000000000:role/service-role/reader";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const PATH = "/lambent/2024-01-01/role-credentials";

const printsCredentials = zipFiles({
  "index.js": `exports.handler = async () => ({
    id: process.env.AWS_ACCESS_KEY_ID ?? null,
    secret: process.env.AWS_SECRET_ACCESS_KEY ?? null,
    token: process.env.AWS_SESSION_TOKEN ?? null,
    s3: process.env.AWS_ENDPOINT_URL_S3 ?? null,
    sqs: process.env.AWS_ENDPOINT_URL_SQS ?? null,
  });`,
});

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_AWS_ENDPOINT_URL_S3: "http://s3.store.internal:9000", LAMBENT_AWS_ENDPOINT_URL_SQS: "http://sqs.store.internal" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

function api(method: string, body?: unknown, query = ""): Promise<Response> {
  return fetch(`${cluster.httpUrl}${PATH}${query}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
}

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl, AWS_SECRET_ACCESS_KEY_FOR_ROLE: "from-the-environment" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function invoke(name: string): Promise<Record<string, string | null>> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
  expect(out.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(out.Payload!).toString()) as Record<string, string | null>;
}

describe("role credentials", () => {
  it("gives a role's functions its credentials, and the operator's endpoints beneath a function's own", async () => {
    const put = await api("PUT", { RoleArn: READER, AccessKeyId: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: SECRET, SessionToken: "token-1" });
    expect(put.status).toBe(200);
    const answered = await put.text();
    expect(answered).not.toContain(SECRET);
    expect(JSON.parse(answered)).toMatchObject({ RoleArn: READER, AccessKeyId: "AKIAIOSFODNN7EXAMPLE", HasSessionToken: true });

    await createTestFunction(lambda, "reader", printsCredentials, { Role: READER, Environment: { Variables: { AWS_ENDPOINT_URL_SQS: "http://my-own-sqs" } } });
    await createTestFunction(lambda, "stranger", printsCredentials);
    expect(await invoke("reader")).toEqual({ id: "AKIAIOSFODNN7EXAMPLE", secret: SECRET, token: "token-1", s3: "http://s3.store.internal:9000", sqs: "http://my-own-sqs" });
    expect(await invoke("stranger")).toEqual({ id: null, secret: null, token: null, s3: "http://s3.store.internal:9000", sqs: "http://sqs.store.internal" });

    const listed = await api("GET");
    const listing = await listed.text();
    expect(listing).not.toContain(SECRET);
    expect(JSON.parse(listing)).toEqual({ RoleCredentials: [{ RoleArn: READER, AccessKeyId: "AKIAIOSFODNN7EXAMPLE", HasSessionToken: true, UpdatedAt: expect.any(String) }] });
  });

  it("rotates through the CLI: environments started afterwards get the new key", async () => {
    const set = await cli("role", "set", READER, "--access-key-id", "AKIAI44QH8DHBEXAMPLE");
    expect(set).toMatchObject({ code: 0, stdout: `${READER}: credentials AKIAI44QH8DHBEXAMPLE set\n` });
    // A configuration change starts fresh environments; one started before keeps what it started with.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "reader", Description: "rotated" }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: "reader" });
    expect(await invoke("reader")).toMatchObject({ id: "AKIAI44QH8DHBEXAMPLE", secret: "from-the-environment", token: null });

    const listed = await cli("role", "list");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(READER);
    expect(listed.stdout).not.toContain("from-the-environment");

    expect(await cli("role", "delete", READER)).toMatchObject({ code: 0 });
    const again = await cli("role", "delete", READER);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("No credentials are set for role");
  });

  it("refuses what is not a role or a key, in Lambda's error model", async () => {
    const notRole = await api("PUT", { RoleArn: "arn:aws:iam::000000000000:user/alice", AccessKeyId: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "x" });
    expect(notRole.status).toBe(400);
    expect(await notRole.json()).toMatchObject({ Type: "User", message: expect.stringContaining("RoleArn") });
    expect((await api("PUT", { RoleArn: READER, AccessKeyId: 5, SecretAccessKey: "x" })).status).toBe(400);
    expect((await api("PUT", [1, 2])).status).toBe(400);
    const malformed = await fetch(`${cluster.httpUrl}${PATH}`, { method: "PUT", body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(malformed.status).toBe(400);
    expect((await api("DELETE", undefined, "?RoleArn=")).status).toBe(400);
    expect((await api("DELETE", undefined, `?RoleArn=${encodeURIComponent("arn:aws:iam::000000000000:role/nobody")}`)).status).toBe(404);
  });
});

describe("role policies", () => {
  const CALLER_ROLE = "arn:aws:iam::000000000000:role/narrow-caller";
  const FN = "arn:aws:lambda:us-east-1:000000000000:function:";
  const callsBoth = zipFiles({
    "index.mjs": `import { invoke } from "lambent:functions";
const outcome = (call) => call.then((out) => out.Payload.transformToString(), (error) => error.name + ": " + error.message);
export const handler = async () => ({ allowed: await outcome(invoke("policy-target-allowed", {})), other: await outcome(invoke("policy-target-other", {})) });`,
  });

  it("holds a role's functions to its policy when they invoke others, and frees them when it is removed", async () => {
    const answers = zipFiles({ "index.js": "exports.handler = async () => 'answered';" });
    await createTestFunction(lambda, "policy-target-allowed", answers);
    await createTestFunction(lambda, "policy-target-other", answers);
    await createTestFunction(lambda, "policy-caller", callsBoth, { Role: CALLER_ROLE });
    expect(await invoke("policy-caller")).toEqual({ allowed: '"answered"', other: '"answered"' });

    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const policyDirectory = await mkdtemp(`${tmpdir()}/lambent-role-policy-`);
    const policyFile = `${policyDirectory}/policy.json`;
    await writeFile(policyFile, JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `${FN}policy-target-allowed` }] }));
    try {
      expect(await cli("role", "policy", CALLER_ROLE, "--policy", policyFile)).toMatchObject({ code: 0 });
    } finally {
      await rm(policyDirectory, { recursive: true, force: true });
    }
    const denied = await eventually(async () => {
      const answer = await invoke("policy-caller");
      return answer["other"] !== '"answered"' && answer;
    }, { deadline: 30_000, message: "the role's policy never applied" });
    expect(denied).toEqual({
      allowed: '"answered"',
      other: `AccessDeniedException: User: ${CALLER_ROLE} is not authorized to perform: lambda:InvokeFunction on resource: ${FN}policy-target-other because no identity-based policy allows the lambda:InvokeFunction action`,
    });
    expect((await cli("role", "policies")).stdout).toContain(CALLER_ROLE);

    expect(await cli("role", "policy", CALLER_ROLE, "--remove")).toMatchObject({ code: 0 });
    await eventually(async () => (await invoke("policy-caller"))["other"] === '"answered"', { deadline: 30_000, message: "the removed policy still applied" });
  });

  it("refuses a policy it cannot honour, or a name that is not a role", async () => {
    const bad = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/role-policies`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ RoleArn: CALLER_ROLE, Policy: { Statement: [{ Effect: "Perhaps", Action: "lambda:*", Resource: "*" }] } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/Effect must be Allow or Deny/);
    const notRole = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/role-policies`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ RoleArn: "arn:aws:iam::000000000000:user/alice", Policy: { Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*" }] } }),
    });
    expect(notRole.status).toBe(400);
  });
});
