// Function URLs on a real cluster: the config calls through the real AWS SDK, then plain HTTP to the URL —
// the event the function sees, JSON and binary answers, shaped and plain results, function errors, CORS.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import * as proto from "@lambent/proto";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { unaryCall, unaryError } from "../fixtures/grpc-unary.js";
import { presignedQuery, requestTo, signedHeaders } from "../fixtures/sigv4-signer.js";
import { createTestFunction } from "../fixtures/deploy.js";
import { readFileSync } from "node:fs";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
/** The frontends' only access key (LAMBENT_ACCESS_KEYS): AWS_IAM URLs take requests it signs. */
const IAM_KEY = { accessKeyId: "AKIDLAMBENTTEST", secretAccessKey: "c2VjcmV0LWtleS1mb3ItdGVzdHM/+=" };
const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80]);

/** Answers by path: the event itself, a binary image, a plain object, a string, or a failure. */
const HANDLER = `
export const handler = async (event) => {
  switch (event.rawPath) {
    case "/png":
      return { statusCode: 200, headers: { "content-type": "image/png" }, body: "${PNG_BYTES.toString("base64")}", isBase64Encoded: true };
    case "/plain":
      return { hello: "world", n: 1 };
    case "/string":
      return "just text";
    case "/fail":
      throw new Error("boom");
    case "/created":
      return { statusCode: 201, headers: { "x-made": "yes" }, cookies: ["a=1; Path=/", "b=2"], body: "made" };
    default:
      return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(event) };
  }
};`;

let cluster: TestCluster;
let lambda: LambdaClient;
let client: proto.LambdaClient;
const FUNCTION = "url-echo";
let functionUrl: string;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_ACCESS_KEYS: `${IAM_KEY.accessKeyId}:${IAM_KEY.secretAccessKey}` } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
  await createTestFunction(lambda, FUNCTION, zipFiles({ "index.mjs": HANDLER }));
  const created = await lambda.send(
    new CreateFunctionUrlConfigCommand({
      FunctionName: FUNCTION,
      AuthType: "NONE",
      Cors: { AllowOrigins: ["https://app.example"], AllowMethods: ["GET", "POST"], AllowHeaders: ["x-custom"], ExposeHeaders: ["x-made"], MaxAge: 300 },
    }),
  );
  functionUrl = created.FunctionUrl!;
});
afterAll(async () => {
  lambda?.destroy();
  client?.close();
  await cluster?.stop();
});

/** The URL of `path` beneath the function URL, reached at the cluster's own address. */
const urlOf = (path: string): string => `${cluster.httpUrl}${new URL(functionUrl).pathname}${path.replace(/^\//, "")}`;

describe("function URL configs", () => {
  it("creates, reads, updates and deletes a config, with Lambda's errors", async () => {
    const name = "url-crud";
    await createTestFunction(lambda, name, zipFiles({ "index.mjs": HANDLER }));
    const created = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.FunctionUrl).toMatch(/\/lambent-url\/[a-z0-9]{32}\/$/);
    expect(created.FunctionArn).toBe(`${ARN}:${name}`);
    expect(created.AuthType).toBe("NONE");
    // As Lambda's, the answer to a create carries no invoke mode the request did not set; Get has it.
    expect(created.InvokeMode).toBeUndefined();
    expect(Date.parse(created.CreationTime!)).not.toBeNaN();

    const conflict = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" })).catch((error: unknown) => error);
    expect((conflict as Error).name).toBe("ResourceConflictException");

    const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }));
    expect(got.FunctionUrl).toBe(created.FunctionUrl);
    expect(got.InvokeMode).toBe("BUFFERED");
    expect(Date.parse(got.LastModifiedTime!)).not.toBeNaN();

    const updated = await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: name, Cors: { AllowOrigins: ["*"] } }));
    expect(updated.$metadata.httpStatusCode).toBe(200);
    expect(updated.FunctionUrl).toBe(created.FunctionUrl);
    expect(updated.Cors).toEqual({ AllowOrigins: ["*"] });

    const deleted = await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: name }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    const missing = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name })).catch((error: unknown) => error);
    expect((missing as Error).name).toBe("ResourceNotFoundException");
    const gone = await fetch(`${cluster.httpUrl}${new URL(created.FunctionUrl!).pathname}`);
    expect(gone.status).toBe(404);

    const unknownAuth = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "TOKEN" as "NONE" })).catch((error: unknown) => error);
    expect((unknownAuth as Error).name).toBe("ValidationException");
    expect((unknownAuth as Error).message).toBe(
      "1 validation error detected: Value 'TOKEN' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
    );
    for (const qualifier of ["1", "$LATEST"]) {
      const version = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, Qualifier: qualifier, AuthType: "NONE" })).catch((error: unknown) => error);
      expect((version as Error).name).toBe("ValidationException");
      expect((version as Error).message).toBe(
        `1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)`,
      );
    }
    const noAlias = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, Qualifier: "live", AuthType: "NONE" })).catch((error: unknown) => error);
    expect((noAlias as Error).name).toBe("ResourceNotFoundException");
    expect((noAlias as Error).message).toBe("Function does not exist");
    const noFunction = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "url-nobody" })).catch((error: unknown) => error);
    expect((noFunction as Error).name).toBe("ResourceNotFoundException");
    expect((noFunction as Error).message).toBe("The resource you requested does not exist.");
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });

  it("serves an alias's URL, and drops it with the alias and the function", async () => {
    const name = "url-alias";
    await createTestFunction(lambda, name, zipFiles({ "index.mjs": HANDLER }));
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" }));
    const created = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, Qualifier: "live", AuthType: "NONE" }));
    expect(created.FunctionArn).toBe(`${ARN}:${name}:live`);
    const path = new URL(created.FunctionUrl!).pathname;
    expect((await fetch(`${cluster.httpUrl}${path}plain`)).status).toBe(200);

    await lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "live" }));
    expect((await fetch(`${cluster.httpUrl}${path}plain`)).status).toBe(404);

    const latest = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    expect((await fetch(`${cluster.httpUrl}${new URL(latest.FunctionUrl!).pathname}`)).status).toBe(404);
    await createTestFunction(lambda, name, zipFiles({ "index.mjs": HANDLER }));
    const fresh = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name })).catch((error: unknown) => error);
    expect((fresh as Error).name).toBe("ResourceNotFoundException");
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });
});

describe("function URL configs over gRPC", () => {
  it("creates, reads, updates and deletes as over HTTP", async () => {
    const name = "url-grpc";
    await createTestFunction(lambda, name, zipFiles({ "index.mjs": HANDLER }));
    const created = await unaryCall(client, client.createFunctionUrlConfig.bind(client), proto.CreateFunctionUrlConfigRequest.fromPartial({ functionName: name, authType: "NONE" }));
    expect(created.config?.functionUrl).toMatch(/\/lambent-url\/[a-z0-9]{32}\/$/);
    expect(created.config?.lastModifiedTime).toBe("");
    const overHttp = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }));
    expect(overHttp.FunctionUrl).toBe(created.config?.functionUrl);
    const updated = await unaryCall(
      client,
      client.updateFunctionUrlConfig.bind(client),
      proto.UpdateFunctionUrlConfigRequest.fromPartial({ functionName: name, cors: { allowOrigins: ["*"], maxAge: 10 } }),
    );
    expect(updated.config?.cors).toEqual({ allowOrigins: ["*"], allowMethods: [], allowHeaders: [], exposeHeaders: [], maxAge: 10 });
    const conflict = await unaryError(client, client.createFunctionUrlConfig.bind(client), proto.CreateFunctionUrlConfigRequest.fromPartial({ functionName: name, authType: "NONE" }));
    expect(conflict.errorType).toBe("ResourceConflictException");
    await unaryCall(client, client.deleteFunctionUrlConfig.bind(client), proto.DeleteFunctionUrlConfigRequest.fromPartial({ functionName: name }));
    const missing = await unaryError(client, client.getFunctionUrlConfig.bind(client), proto.GetFunctionUrlConfigRequest.fromPartial({ functionName: name }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });
});

describe("a function URL with AuthType AWS_IAM", () => {
  it("takes only requests signed with a known key, and tells the function who signed", async () => {
    const name = "url-iam";
    await createTestFunction(lambda, name, zipFiles({ "index.mjs": HANDLER }));
    const created = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "AWS_IAM" }));
    expect(created.AuthType).toBe("AWS_IAM");
    const url = new URL(`${cluster.httpUrl}${new URL(created.FunctionUrl!).pathname}orders/7?page=2`);
    const body = JSON.stringify({ item: "tea" });

    const unsigned = await fetch(url, { method: "POST", body });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ Message: "Forbidden" });
    const wrongSecret = await signedHeaders(requestTo("POST", url, body), { ...IAM_KEY, secretAccessKey: "not-the-secret" });
    expect((await fetch(url, { method: "POST", body, headers: wrongSecret })).status).toBe(403);
    const tampered = await signedHeaders(requestTo("POST", url, body), IAM_KEY);
    expect((await fetch(url, { method: "POST", body: body.replace("tea", "gin"), headers: tampered })).status).toBe(403);

    const signed = await fetch(url, { method: "POST", body, headers: await signedHeaders(requestTo("POST", url, body), IAM_KEY) });
    expect(signed.status).toBe(200);
    const event = (await signed.json()) as { rawPath: string; body: string; requestContext: { accountId: string; authorizer: unknown } };
    expect(event.rawPath).toBe("/orders/7");
    expect(event.body).toBe(body);
    expect(event.requestContext.accountId).toBe("000000000000");
    expect(event.requestContext.authorizer).toEqual({
      iam: {
        accessKey: IAM_KEY.accessKeyId,
        accountId: "000000000000",
        callerId: IAM_KEY.accessKeyId,
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: `arn:aws:iam::000000000000:user/${IAM_KEY.accessKeyId}`,
        userId: IAM_KEY.accessKeyId,
      },
    });

    // A presigned URL carries its signature in the query string, as the SDK's presigner makes it.
    const presigned = new URL(url);
    for (const [key, value] of Object.entries(await presignedQuery(requestTo("GET", url), IAM_KEY, { expiresIn: 60 }))) presigned.searchParams.set(key, value);
    const viaQuery = await fetch(presigned);
    expect(viaQuery.status).toBe(200);
    expect(((await viaQuery.json()) as { requestContext: { authorizer: { iam: { accessKey: string } } } }).requestContext.authorizer.iam.accessKey).toBe(IAM_KEY.accessKeyId);
    const altered = new URL(presigned);
    altered.searchParams.set("page", "3");
    expect((await fetch(altered)).status).toBe(403);

    // Back to NONE: anyone may call, and the event names no caller.
    await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    const open = await fetch(url);
    expect(open.status).toBe(200);
    const openEvent = (await open.json()) as { requestContext: { accountId: string; authorizer?: unknown } };
    expect(openEvent.requestContext).toMatchObject({ accountId: "anonymous" });
    expect(openEvent.requestContext.authorizer).toBeUndefined();
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });
});

describe("serving a function URL", () => {
  it("gives a GET's path, query string, headers and cookies to the function", async () => {
    const response = await fetch(urlOf("/echo/deep?a=1&b=two&a=3"), {
      headers: { cookie: "session=abc; theme=dark", "x-custom": "yes", "user-agent": "url-test" },
    });
    expect(response.status).toBe(200);
    const event = (await response.json()) as Record<string, unknown> & { requestContext: Record<string, unknown> & { http: Record<string, unknown> } };
    expect(event["version"]).toBe("2.0");
    expect(event["routeKey"]).toBe("$default");
    expect(event["rawPath"]).toBe("/echo/deep");
    expect(event["rawQueryString"]).toBe("a=1&b=two&a=3");
    expect(event["queryStringParameters"]).toEqual({ a: "1,3", b: "two" });
    expect(event["cookies"]).toEqual(["session=abc", "theme=dark"]);
    expect(event["headers"]).toMatchObject({ "x-custom": "yes", "user-agent": "url-test" });
    expect(event["isBase64Encoded"]).toBe(false);
    expect(event["body"]).toBeUndefined();
    const urlId = new URL(functionUrl).pathname.split("/")[2];
    expect(event.requestContext).toMatchObject({ apiId: urlId, routeKey: "$default", stage: "$default" });
    expect(event.requestContext.http).toMatchObject({ method: "GET", path: "/echo/deep", protocol: "HTTP/1.1", userAgent: "url-test" });
    expect(typeof event.requestContext["timeEpoch"]).toBe("number");
    expect(event.requestContext["requestId"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives a POST's JSON body as text, and a binary body as base64", async () => {
    const json = await fetch(urlOf("/echo"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ order: 7 }) });
    const jsonEvent = (await json.json()) as { body: string; isBase64Encoded: boolean; requestContext: { http: { method: string } } };
    expect(jsonEvent.requestContext.http.method).toBe("POST");
    expect(jsonEvent.isBase64Encoded).toBe(false);
    expect(JSON.parse(jsonEvent.body)).toEqual({ order: 7 });

    const binary = await fetch(urlOf("/echo"), { method: "POST", headers: { "content-type": "application/octet-stream" }, body: PNG_BYTES });
    const binaryEvent = (await binary.json()) as { body: string; isBase64Encoded: boolean };
    expect(binaryEvent.isBase64Encoded).toBe(true);
    expect(Buffer.from(binaryEvent.body, "base64")).toEqual(PNG_BYTES);
  });

  it("sends a base64 body back as the exact bytes", async () => {
    const response = await fetch(urlOf("/png"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG_BYTES);
  });

  it("uses a shaped answer's status, headers and cookies", async () => {
    const response = await fetch(urlOf("/created"));
    expect(response.status).toBe(201);
    expect(response.headers.get("x-made")).toBe("yes");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2"]);
    expect(await response.text()).toBe("made");
  });

  it("answers a plain object as JSON 200, and a string as it is", async () => {
    const object = await fetch(urlOf("/plain"));
    expect(object.status).toBe(200);
    expect(object.headers.get("content-type")).toBe("application/json");
    expect(await object.json()).toEqual({ hello: "world", n: 1 });
    const text = await fetch(urlOf("/string"));
    expect(text.status).toBe(200);
    expect(await text.text()).toBe("just text");
  });

  it("answers a function error with 502, and an unknown url id with 404", async () => {
    const failed = await fetch(urlOf("/fail"));
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ Message: "Internal Server Error" });
    const unknown = await fetch(`${cluster.httpUrl}/lambent-url/${"x".repeat(32)}/`);
    expect(unknown.status).toBe(404);
  });

  it("answers a CORS preflight from the config and marks allowed origins", async () => {
    const preflight = await fetch(urlOf("/echo"), {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "x-custom" },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET,POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("x-custom");
    expect(preflight.headers.get("access-control-max-age")).toBe("300");

    const allowed = await fetch(urlOf("/created"), { headers: { origin: "https://app.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("access-control-expose-headers")).toBe("x-made");
    const other = await fetch(urlOf("/created"), { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("examples/function-url", () => {
  it("greets, echoes a JSON body and answers its PNG", async () => {
    const name = "url-example";
    const source = readFileSync(new URL("../../examples/function-url/index.mjs", import.meta.url), "utf8");
    await createTestFunction(lambda, name, zipFiles({ "index.mjs": source }));
    const { FunctionUrl } = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    const base = `${cluster.httpUrl}${new URL(FunctionUrl!).pathname}`;
    expect(await (await fetch(`${base}?name=ada`)).json()).toEqual({ greeting: "hello, ada", path: "/", cookies: [] });
    const posted = await fetch(base, { method: "POST", headers: { "content-type": "application/json" }, body: '{"n":1}' });
    expect(await posted.json()).toEqual({ received: { n: 1 } });
    const pixel = Buffer.from(await (await fetch(`${base}pixel.png`)).arrayBuffer());
    expect(pixel.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });
});
