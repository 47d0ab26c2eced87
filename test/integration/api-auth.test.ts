// Signed API calls on a real cluster with LAMBENT_API_AUTH=sigv4: the AWS SDKs and the CLI sign with a key
// of LAMBENT_ACCESS_KEYS and are served; unsigned, unknown-key, wrong-secret, expired and tampered
// requests are refused as AWS refuses them, over HTTP and gRPC; probes and function URLs with AuthType
// NONE stay open.
import { execFile } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddPermissionCommand, CreateFunctionUrlConfigCommand, DeleteFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { eventually } from "@lambent/testkit";
import { ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import * as proto from "@lambent/proto";
import { signGrpcCall } from "@lambent/request-signing";
import { startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { signedHeaders } from "../fixtures/sigv4-signer.js";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const KEY = { accessKeyId: "AKIDLAMBENTADMIN", secretAccessKey: "c2VjcmV0LWFkbWluLWtleQ" };

let cluster: TestCluster;

function lambdaAs(credentials: { accessKeyId: string; secretAccessKey: string }, extra: { systemClockOffset?: number } = {}): LambdaClient {
  return new LambdaClient({ endpoint: cluster.httpUrl, region: "us-east-1", credentials, maxAttempts: 1, ...extra });
}

async function refusal(send: () => Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await send();
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to be refused");
}

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
    execFile(process.execPath, [CLI, ...args], { env: { ...clean, LAMBENT_ENDPOINT: cluster.httpUrl, AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_CONFIG_FILE: "/nonexistent", ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_API_AUTH: "sigv4", LAMBENT_ACCESS_KEYS: `${KEY.accessKeyId}:${KEY.secretAccessKey}` } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("signed API calls", () => {
  it("serves the AWS SDK signing with a known key, over Lambda's and Step Functions' APIs", async () => {
    const lambda = lambdaAs(KEY);
    await createTestFunction(lambda, "signed-hello", zipFiles({ "index.js": "exports.handler = async (event) => ({ hello: event.name });" }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: "signed-hello", Payload: JSON.stringify({ name: "signed" }) }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ hello: "signed" });
    const sfn = new SFNClient({ endpoint: cluster.httpUrl, region: "us-east-1", credentials: KEY, maxAttempts: 1 });
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
    const stranger = new SFNClient({ endpoint: cluster.httpUrl, region: "us-east-1", credentials: { accessKeyId: "AKIDSTRANGER", secretAccessKey: "x" }, maxAttempts: 1 });
    expect((await refusal(() => stranger.send(new ListStateMachinesCommand({})))).name).toBe("UnrecognizedClientException");
  });

  it("refuses an unknown key, a wrong secret and a stale signature as AWS does", async () => {
    expect(await refusal(() => lambdaAs({ accessKeyId: "AKIDSTRANGER", secretAccessKey: KEY.secretAccessKey }).send(new ListFunctionsCommand({})))).toEqual({
      name: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
      status: 403,
    });
    expect(await refusal(() => lambdaAs({ ...KEY, secretAccessKey: "not-the-secret" }).send(new ListFunctionsCommand({})))).toMatchObject({
      name: "InvalidSignatureException",
      message: expect.stringMatching(/^The request signature we calculated does not match the signature you provided/),
      status: 403,
    });
    const stale = await refusal(() => lambdaAs(KEY, { systemClockOffset: -20 * 60_000 }).send(new ListFunctionsCommand({})));
    expect(stale).toMatchObject({ name: "InvalidSignatureException", message: expect.stringMatching(/^Signature expired/), status: 403 });
  });

  it("refuses an unsigned request and a signed one whose body was changed on the way", async () => {
    const unsigned = await fetch(`${cluster.httpUrl}/2015-03-31/functions/`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    expect(await unsigned.json()).toMatchObject({ message: "Missing Authentication Token" });

    const url = new URL(`${cluster.httpUrl}/2015-03-31/functions/signed-hello/invocations`);
    const headers = await signedHeaders({ method: "POST", host: url.host, path: url.pathname, body: '{"name":"ann"}' }, KEY);
    const { host: _host, ...sent } = headers;
    const honest = await fetch(url, { method: "POST", headers: sent, body: '{"name":"ann"}' });
    expect(await honest.json()).toEqual({ hello: "ann" });
    const tampered = await fetch(url, { method: "POST", headers: sent, body: '{"name":"eve"}' });
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
  });

  it("keeps probes open, and function URLs to their own AuthType", async () => {
    expect((await fetch(`${cluster.httpUrl}/healthz`)).status).toBe(200);
    const url = await lambdaAs(KEY).send(new CreateFunctionUrlConfigCommand({ FunctionName: "signed-hello", AuthType: "NONE" }));
    const answer = await fetch(`${url.FunctionUrl}?name=x`, { method: "POST", body: JSON.stringify({ name: "public" }) });
    expect(answer.status).toBe(200);
  });

  it("serves the AWS CLI signing with a profile, and refuses it with a wrong secret", async () => {
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const directory = await mkdtemp(`${tmpdir()}/lambent-aws-profile-`);
    await writeFile(
      `${directory}/credentials`,
      `[lambent]\naws_access_key_id = ${KEY.accessKeyId}\naws_secret_access_key = ${KEY.secretAccessKey}\n[wrong]\naws_access_key_id = ${KEY.accessKeyId}\naws_secret_access_key = not-the-secret\n`,
    );
    const aws = (profile: string): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const env = { PATH: process.env["PATH"] ?? "", HOME: directory, AWS_SHARED_CREDENTIALS_FILE: `${directory}/credentials`, AWS_CONFIG_FILE: `${directory}/config` };
        execFile("aws", ["lambda", "list-functions", "--endpoint-url", cluster.httpUrl, "--region", "us-east-1", "--profile", profile, "--output", "json"], { env }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    const served = await aws("lambent");
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toContain("signed-hello");
    const refused = await aws("wrong");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("InvalidSignatureException");
  });

  it("signs the CLI's requests with the credentials the AWS CLI would use", async () => {
    const signed = await cli({ AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey, AWS_REGION: "us-east-1" }, "list");
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toContain("signed-hello");
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const directory = await mkdtemp(`${tmpdir()}/lambent-cli-profile-`);
    await writeFile(`${directory}/credentials`, `[ops]\naws_access_key_id = ${KEY.accessKeyId}\naws_secret_access_key = ${KEY.secretAccessKey}\n`);
    await writeFile(`${directory}/config`, "[profile ops]\nregion = us-east-1\n");
    const fromProfile = await cli({ AWS_PROFILE: "ops", AWS_SHARED_CREDENTIALS_FILE: `${directory}/credentials`, AWS_CONFIG_FILE: `${directory}/config` }, "list");
    expect(fromProfile.code, fromProfile.stderr).toBe(0);
    expect(fromProfile.stdout).toContain("signed-hello");
    const unsigned = await cli({}, "list");
    expect(unsigned.code).not.toBe(0);
    expect(unsigned.stderr).toContain("MissingAuthenticationTokenException");
  });
});

describe("signed gRPC calls", () => {
  const LIST = "/lambent.v1.Lambda/ListFunctions";

  function listFunctions(client: proto.LambdaClient, metadata: Record<string, string>): Promise<proto.ListFunctionsResponse> {
    const sent = new grpc.Metadata();
    for (const [name, value] of Object.entries(metadata)) sent.set(name, value);
    return new Promise((resolve, reject) =>
      client.listFunctions(proto.ListFunctionsRequest.fromPartial({}), sent, { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  async function grpcRefusal(client: proto.LambdaClient, metadata: Record<string, string>): Promise<{ code: grpc.status; errorType: unknown }> {
    const error = await listFunctions(client, metadata).then(
      () => undefined,
      (failure: grpc.ServiceError) => failure,
    );
    expect(error, "expected the call to be refused").toBeDefined();
    return { code: error!.code, errorType: error!.metadata.get("x-amzn-errortype")[0] };
  }

  it("serves a call signed with a known key, and refuses unsigned, unknown-key, wrong-secret, stale and replayed-elsewhere ones", async () => {
    const client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    try {
      const listed = await listFunctions(client, await signGrpcCall(LIST, KEY, "us-east-1"));
      expect(listed.functions.map((fn) => fn.functionName)).toContain("signed-hello");
      const unauthenticated = grpc.status.UNAUTHENTICATED;
      expect(await grpcRefusal(client, {})).toEqual({ code: unauthenticated, errorType: "MissingAuthenticationTokenException" });
      expect(await grpcRefusal(client, await signGrpcCall(LIST, { accessKeyId: "AKIDSTRANGER", secretAccessKey: "x" }, "us-east-1"))).toEqual({
        code: unauthenticated,
        errorType: "UnrecognizedClientException",
      });
      expect(await grpcRefusal(client, await signGrpcCall(LIST, { ...KEY, secretAccessKey: "wrong" }, "us-east-1"))).toEqual({ code: unauthenticated, errorType: "InvalidSignatureException" });
      expect(await grpcRefusal(client, await signGrpcCall(LIST, KEY, "us-east-1", new Date(Date.now() - 20 * 60_000)))).toEqual({
        code: unauthenticated,
        errorType: "InvalidSignatureException",
      });
      // A signature is for one method: taken from ListFunctions, it does not open DeleteFunction.
      const stolen = await signGrpcCall(LIST, KEY, "us-east-1");
      const deleted = await new Promise<grpc.ServiceError | null>((resolve) => {
        const sent = new grpc.Metadata();
        for (const [name, value] of Object.entries(stolen)) sent.set(name, value);
        client.deleteFunction(proto.DeleteFunctionRequest.fromPartial({ functionName: "signed-hello" }), sent, { deadline: Date.now() + 30_000 }, (error) => resolve(error));
      });
      expect(deleted?.code).toBe(unauthenticated);
    } finally {
      client.close();
    }
  });
});

describe("users' access keys and their policies", () => {
  const FN = "arn:aws:lambda:us-east-1:000000000000:function:";

  async function createKey(userName: string, policy: unknown): Promise<{ AccessKeyId: string; SecretAccessKey: string }> {
    const made = await cli({ AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey, AWS_REGION: "us-east-1" }, "key", "create", userName, "--policy", await policyFile(policy), "--json");
    expect(made.code, made.stderr).toBe(0);
    const key = JSON.parse(made.stdout) as { AccessKeyId: string; SecretAccessKey: string };
    // Every frontend follows new keys from KV; this one takes it within moments, no restart.
    await eventually(async () => (await refusal(() => lambdaAs({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }).send(new ListFunctionsCommand({}))).catch(() => ({ name: "served" }))).name !== "UnrecognizedClientException", {
      deadline: 30_000,
      message: "the frontend never took the new key",
    });
    return key;
  }

  it("allows a user's key only what its policy allows, an explicit deny winning, in AWS's words", async () => {
    await createTestFunction(lambdaAs(KEY), "policy-open", zipFiles({ "index.js": "exports.handler = async () => 'open';" }));
    await createTestFunction(lambdaAs(KEY), "policy-closed", zipFiles({ "index.js": "exports.handler = async () => 'closed';" }));
    const key = await createKey("invoker", {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["lambda:InvokeFunction", "lambda:Get*"], Resource: `${FN}policy-*` },
        { Effect: "Deny", Action: "lambda:GetFunctionConfiguration", Resource: `${FN}policy-closed` },
      ],
    });
    const user = lambdaAs({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    const out = await user.send(new InvokeCommand({ FunctionName: "policy-open" }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"open"');
    expect((await user.send(new GetFunctionConfigurationCommand({ FunctionName: "policy-open" }))).FunctionName).toBe("policy-open");

    expect(await refusal(() => user.send(new DeleteFunctionCommand({ FunctionName: "policy-open" })))).toEqual({
      name: "AccessDeniedException",
      message: `User: arn:aws:iam::000000000000:user/invoker is not authorized to perform: lambda:DeleteFunction on resource: ${FN}policy-open because no identity-based policy allows the lambda:DeleteFunction action`,
      status: 403,
    });
    expect(await refusal(() => user.send(new GetFunctionConfigurationCommand({ FunctionName: "policy-closed" })))).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringMatching(/lambda:GetFunctionConfiguration on resource: .*policy-closed with an explicit deny in an identity-based policy$/),
    });
    expect((await refusal(() => user.send(new InvokeCommand({ FunctionName: "signed-hello" })))).name).toBe("AccessDeniedException");
    // Keys are the operator's to hand out: this user's policy does not allow lambent:CreateAccessKey.
    const keysUrl = new URL(`${cluster.httpUrl}/lambent/2024-01-01/access-keys`);
    const body = JSON.stringify({ UserName: "escalated", Policy: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } });
    const { host: _host, ...signed } = await signedHeaders({ method: "POST", host: keysUrl.host, path: keysUrl.pathname, body, headers: { "content-type": "application/json" } }, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    const escalation = await fetch(keysUrl, { method: "POST", headers: signed, body });
    expect(escalation.status).toBe(403);
    expect(escalation.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    expect(((await escalation.json()) as { message: string }).message).toMatch(/not authorized to perform: lambent:CreateAccessKey on resource: \*/);
    expect((await refusal(() => new SFNClient({ endpoint: cluster.httpUrl, region: "us-east-1", credentials: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }, maxAttempts: 1 }).send(new ListStateMachinesCommand({})))).name).toBe("AccessDeniedException");
  });

  it("holds gRPC calls to the same policy, by the function the request names", async () => {
    const key = await createKey("grpc-invoker", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `${FN}policy-open` }] });
    const client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    const invoke = async (functionName: string): Promise<grpc.ServiceError | null> => {
      const metadata = new grpc.Metadata();
      for (const [name, value] of Object.entries(await signGrpcCall("/lambent.v1.Lambda/Invoke", { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }, "us-east-1"))) metadata.set(name, value);
      return new Promise((resolve) => client.invoke(proto.InvokeRequest.fromPartial({ functionName, payload: Buffer.from("{}") }), metadata, { deadline: Date.now() + 30_000 }, (error) => resolve(error)));
    };
    try {
      expect(await invoke("policy-open")).toBeNull();
      const denied = await invoke("policy-closed");
      expect(denied?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(denied?.metadata.get("x-amzn-errortype")[0]).toBe("AccessDeniedException");
    } finally {
      client.close();
    }
  });

  it("lets a function's resource policy (AddPermission) grant Invoke to a user its identity policy does not", async () => {
    const key = await createKey("partner", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:ListFunctions", Resource: "*" }] });
    const user = lambdaAs({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    expect((await refusal(() => user.send(new InvokeCommand({ FunctionName: "policy-closed" })))).name).toBe("AccessDeniedException");
    await lambdaAs(KEY).send(
      new AddPermissionCommand({ FunctionName: "policy-closed", StatementId: "partner-invokes", Action: "lambda:InvokeFunction", Principal: "arn:aws:iam::000000000000:user/partner" }),
    );
    const out = await user.send(new InvokeCommand({ FunctionName: "policy-closed" }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"closed"');
    // The grant is for Invoke only.
    expect((await refusal(() => user.send(new GetFunctionConfigurationCommand({ FunctionName: "policy-closed" })))).name).toBe("AccessDeniedException");

    const client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    try {
      const metadata = new grpc.Metadata();
      for (const [name, value] of Object.entries(await signGrpcCall("/lambent.v1.Lambda/Invoke", { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }, "us-east-1"))) metadata.set(name, value);
      const failure = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.invoke(proto.InvokeRequest.fromPartial({ functionName: "policy-closed", payload: Buffer.from("{}") }), metadata, { deadline: Date.now() + 30_000 }, (error) => resolve(error)),
      );
      expect(failure).toBeNull();
    } finally {
      client.close();
    }
  });

  it("lets a user's key call a function URL with AuthType AWS_IAM when its policy allows lambda:InvokeFunctionUrl", async () => {
    await createTestFunction(lambdaAs(KEY), "url-iam", zipFiles({ "index.js": "exports.handler = async (event) => ({ statusCode: 200, body: event.requestContext.authorizer.iam.userArn });" }));
    const url = new URL((await lambdaAs(KEY).send(new CreateFunctionUrlConfigCommand({ FunctionName: "url-iam", AuthType: "AWS_IAM" }))).FunctionUrl!);
    const allowed = await createKey("url-caller", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunctionUrl", Resource: `${FN}url-iam` }] });
    const other = await createKey("url-stranger", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*" }] });
    const call = async (key: { AccessKeyId: string; SecretAccessKey: string }): Promise<Response> => {
      const { host: _host, ...headers } = await signedHeaders({ method: "GET", host: url.host, path: url.pathname }, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
      return fetch(url, { headers });
    };
    const served = await call(allowed);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe("arn:aws:iam::000000000000:user/url-caller");
    expect((await call(other)).status).toBe(403);
  });

  it("takes a changed policy and a deleted key without a restart", async () => {
    const key = await createKey("rotating", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:ListFunctions", Resource: "*" }] });
    const user = lambdaAs({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    expect((await user.send(new ListFunctionsCommand({}))).Functions?.length).toBeGreaterThan(0);
    const admin = { AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey, AWS_REGION: "us-east-1" };
    const changed = await cli(admin, "key", "policy", key.AccessKeyId, "--policy", await policyFile({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "lambda:*", Resource: "*" }] }));
    expect(changed.code, changed.stderr).toBe(0);
    await eventually(async () => (await refusal(() => user.send(new ListFunctionsCommand({}))).catch(() => ({ name: "served" }))).name === "AccessDeniedException", { deadline: 30_000, message: "the new policy never applied" });
    const listed = await cli(admin, "key", "list");
    expect(listed.stdout).toContain(key.AccessKeyId);
    expect(listed.stdout).not.toContain(key.SecretAccessKey);
    expect((await cli(admin, "key", "delete", key.AccessKeyId)).code).toBe(0);
    await eventually(async () => (await refusal(() => user.send(new ListFunctionsCommand({}))).catch(() => ({ name: "served" }))).name === "UnrecognizedClientException", { deadline: 30_000, message: "the deleted key was still taken" });
  });
});

async function policyFile(policy: unknown): Promise<string> {
  const { mkdtemp, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const path = join(await mkdtemp(join(tmpdir(), "lambent-policy-")), "policy.json");
  await writeFile(path, JSON.stringify(policy));
  return path;
}
