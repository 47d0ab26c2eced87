// Lambda's API inside functions: a function's request to http://lambda.lambent.internal (its
// AWS_ENDPOINT_URL_LAMBDA) never goes through the egress policy: Invoke runs the callee as a function
// call and answers as Lambda's REST API does; every other operation is served by a frontend as the
// function's role, which on this cluster (API calls not signed, the role without a policy) may read and
// not write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const callee = zipFiles({
  "index.js": `exports.handler = async (event, context) => {
    if (event.fail) throw new Error("asked to fail");
    return { got: event, client: context.clientContext?.custom ?? null };
  };`,
});

/** Sends the request its event describes to the endpoint and answers what came back. */
const caller = zipFiles({
  "index.mjs": `export const handler = async (event) => {
    const response = await fetch(process.env.AWS_ENDPOINT_URL_LAMBDA + event.path, { method: event.method, headers: event.headers ?? {}, body: event.body });
    const headers = {};
    for (const name of ["x-amz-executed-version", "x-amz-function-error", "x-amzn-errortype", "x-amz-log-result"]) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return { endpoint: process.env.AWS_ENDPOINT_URL_LAMBDA, status: response.status, headers, body: await response.text() };
  };`,
});

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "callee", callee);
  await createTestFunction(lambda, "caller", caller, { Handler: "index.handler" });
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

interface Answer {
  endpoint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function through(event: { path: string; method: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "caller", Payload: JSON.stringify(event) }));
  expect(out.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(out.Payload!).toString()) as Answer;
}

const invocations = (name: string) => `/2015-03-31/functions/${name}/invocations`;

describe("the Lambda endpoint inside functions", () => {
  it("runs an Invoke as a function call and answers as Lambda's REST API", async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { from: "caller" } })).toString("base64");
    const sync = await through({ path: invocations("callee"), method: "POST", headers: { "X-Amz-Client-Context": clientContext }, body: JSON.stringify({ n: 1 }) });
    expect(sync).toMatchObject({ endpoint: "http://lambda.lambent.internal", status: 200, headers: { "x-amz-executed-version": "$LATEST" } });
    expect(JSON.parse(sync.body)).toEqual({ got: { n: 1 }, client: { from: "caller" } });

    const failed = await through({ path: invocations("callee"), method: "POST", body: JSON.stringify({ fail: true }) });
    expect(failed).toMatchObject({ status: 200, headers: { "x-amz-function-error": "Unhandled" } });
    expect(JSON.parse(failed.body)).toMatchObject({ errorType: "Error", errorMessage: "asked to fail" });

    const event = await through({ path: invocations("callee"), method: "POST", headers: { "X-Amz-Invocation-Type": "Event" }, body: "{}" });
    expect(event.status).toBe(202);
    const dryRun = await through({ path: `${invocations("callee")}?Qualifier=%24LATEST`, method: "POST", headers: { "X-Amz-Invocation-Type": "DryRun" } });
    expect(dryRun.status).toBe(204);
  });

  it("refuses an unknown function and a bad payload in Lambda's error model", async () => {
    const missing = await through({ path: invocations("nobody"), method: "POST", body: "{}" });
    expect(missing).toMatchObject({ status: 404, headers: { "x-amzn-errortype": "ResourceNotFoundException" } });
    expect(JSON.parse(missing.body)).toMatchObject({ Type: "User", message: expect.stringContaining("nobody") });

    const badJson = await through({ path: invocations("callee"), method: "POST", body: "{not json" });
    expect(badJson).toMatchObject({ status: 400, headers: { "x-amzn-errortype": "InvalidRequestContentException" } });

  });

  it("serves reads as the function's role, refuses writes and answers an unknown path as the API does", async () => {
    const list = await through({ path: "/2015-03-31/functions/", method: "GET" });
    expect(list.status).toBe(200);
    expect((JSON.parse(list.body) as { Functions: { FunctionName: string }[] }).Functions.map((fn) => fn.FunctionName).sort()).toEqual(["callee", "caller"]);

    const remove = await through({ path: "/2015-03-31/functions/callee", method: "DELETE" });
    expect(remove).toMatchObject({ status: 403, headers: { "x-amzn-errortype": "AccessDeniedException" } });
    expect(JSON.parse(remove.body).message).toContain("User: arn:aws:iam::000000000000:role/test is not authorized to perform: lambda:DeleteFunction");

    const nowhere = await through({ path: "/2015-03-31/nowhere", method: "GET" });
    expect(nowhere).toMatchObject({ status: 404, headers: { "x-amzn-errortype": "ResourceNotFoundException" } });
  });
});
