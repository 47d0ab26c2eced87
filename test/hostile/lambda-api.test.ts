// Hostile function code against Lambda's API at lambda.lambent.internal, on a real cluster with the API
// open (LAMBENT_API_AUTH=none) and the function's role without a policy: it may read, and whatever it
// puts in its request (signatures, principal headers, odd paths, huge bodies, floods) it stays its own
// role, reaches only the API's routes, and gets Lambda's errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const ROLE = "arn:aws:iam::000000000000:role/test";

/** Sends each request its event lists to the endpoint, at once, and answers what came back. */
const prober = zipFiles({
  "index.mjs": `export const handler = async (event) => Promise.all(event.requests.map(async (request) => {
    const body = request.bodyBytes ? "x".repeat(request.bodyBytes) : request.body;
    try {
      const response = await fetch("http://lambda.lambent.internal" + request.path, { method: request.method, headers: request.headers ?? {}, body });
      const text = await response.text();
      return { status: response.status, errorType: response.headers.get("x-amzn-errortype"), body: text.slice(0, 400) };
    } catch (error) {
      return { failed: error.name + ": " + error.message };
    }
  }));`,
});

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "bystander", zipFiles({ "index.js": "exports.handler = async () => ({ ok: true });" }));
  await createTestFunction(lambda, "prober", prober, { Timeout: 60, MemorySize: 512 });
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

interface Probe {
  path: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  bodyBytes?: number;
}

interface Outcome {
  status?: number;
  errorType?: string | null;
  body?: string;
  failed?: string;
}

async function probe(requests: Probe[]): Promise<Outcome[]> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "prober", Payload: JSON.stringify({ requests }) }));
  const payload = JSON.parse(Buffer.from(out.Payload!).toString()) as Outcome[];
  expect(out.FunctionError, JSON.stringify(payload)).toBeUndefined();
  return payload;
}

const denied = (action: string) => ({ status: 403, errorType: "AccessDeniedException", body: expect.stringContaining(`User: ${ROLE} is not authorized to perform: ${action}`) });

describe("hostile code against the in-function Lambda API", () => {
  it("stays its own role whatever principal, signature or forwarding headers it sends", async () => {
    const spoof = {
      Authorization: "AWS4-HMAC-SHA256 Credential=AKIDLAMBENTADMIN/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00",
      "X-Amz-Security-Token": "forged",
      "X-Lambent-Principal": "arn:aws:iam::000000000000:root",
      "X-Amz-Principal-Arn": "arn:aws:iam::000000000000:root",
      "X-Forwarded-For": "127.0.0.1",
      Host: "127.0.0.1",
    };
    const policy = JSON.stringify({ RoleArn: ROLE, Policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } });
    const outcomes = await probe([
      { path: "/2015-03-31/functions/bystander", method: "DELETE", headers: spoof },
      { path: "/lambent/2024-01-01/role-policies", method: "PUT", headers: { ...spoof, "Content-Type": "application/json" }, body: policy },
      { path: "/lambent/2024-01-01/access-keys", method: "POST", headers: { ...spoof, "Content-Type": "application/json" }, body: JSON.stringify({ UserName: "escape", Policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }) },
      // Dot segments resolve before routing: the route reached is authorized as itself.
      { path: "/2015-03-31/functions/%2e%2e/%2e%2e/lambent/2024-01-01/role-credentials", method: "GET", headers: spoof },
    ]);
    expect(outcomes[0]).toMatchObject(denied("lambda:DeleteFunction"));
    expect(outcomes[1]).toMatchObject(denied("lambent:PutRolePolicy"));
    expect(outcomes[2]).toMatchObject(denied("lambent:CreateAccessKey"));
    expect(outcomes[3]).toMatchObject(denied("lambent:ListRoleCredentials"));
    // Nothing was done: the bystander is there, and its role has no policy.
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "bystander" }))).FunctionName).toBe("bystander");
    const policies = (await (await fetch(`${cluster.httpUrl}/lambent/2024-01-01/role-policies`)).json()) as { RolePolicies: unknown[] };
    expect(policies.RolePolicies).toEqual([]);
  });

  it("reaches the API's routes only, with Lambda's errors for anything else", async () => {
    const outcomes = await probe([
      { path: "/2015-03-31/no-such-operation", method: "GET" },
      { path: "/metrics", method: "GET" },
      { path: "/healthz", method: "GET" },
      { path: "/", method: "GET" },
      { path: "/2021-11-15/functions/bystander/response-streaming-invocations", method: "POST", body: "{}" },
      { path: "/2015-03-31/functions/bystander/configuration", method: "BREW" },
      { path: "/2015-03-31/functions/%ZZ/configuration", method: "GET" },
    ]);
    for (const outcome of outcomes.slice(0, 4)) expect(outcome).toMatchObject({ status: 404, errorType: "ResourceNotFoundException", body: expect.stringContaining("No Lambda API operation") });
    expect(outcomes[4]).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(outcomes[5]).toMatchObject({ status: 404, errorType: "ResourceNotFoundException" });
    // Whatever the server makes of it, the answer is an answer in Lambda's error model, and the worker carries on.
    expect(outcomes[6]!.errorType).toEqual(expect.any(String));
    expect((await lambda.send(new InvokeCommand({ FunctionName: "bystander" }))).StatusCode).toBe(200);
  });

  it("cannot take an application's lock nor record a revision whose gradual deployment would move another function's alias", async () => {
    const deployment = { LogicalId: "Api", FunctionName: "bystander", Alias: "live", FromVersion: "1", ToVersion: "1", Config: "AllAtOnce", Steps: [{ Weight: 1, WaitMinutes: 0 }], Alarms: [] };
    const document = { Operation: "deploy", Parameters: {}, Functions: [], Permissions: [], Deployments: [deployment] };
    const outcomes = await probe([
      { path: "/lambent/2024-01-01/applications/intruder/lock", method: "PUT", body: JSON.stringify({ Owner: "prober" }) },
      { path: "/lambent/2024-01-01/applications/intruder/revisions", method: "POST", body: JSON.stringify({ LockId: "guessed", Document: document }) },
    ]);
    expect(outcomes[0]).toMatchObject(denied("lambent:AcquireApplicationLock"));
    expect(outcomes[1]).toMatchObject(denied("lambent:CreateApplicationRevision"));
  });

  it("refuses a body over 6 MB at the worker and holds a flood of requests to the call limits", async () => {
    const [huge] = await probe([{ path: "/2015-03-31/functions", method: "POST", headers: { "Content-Type": "application/json" }, bodyBytes: 7 * 1024 * 1024 }]);
    expect(huge).toMatchObject({ status: 413, errorType: "RequestTooLargeException" });

    const flood = await probe(Array.from({ length: 300 }, () => ({ path: "/2015-03-31/functions/", method: "GET" })));
    const counts: Record<string, number> = {};
    for (const outcome of flood) counts[String(outcome.status ?? outcome.failed)] = (counts[String(outcome.status ?? outcome.failed)] ?? 0) + 1;
    // Every request settled: those that fit were served, the rest refused at once, none left hanging.
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(300);
    expect(counts["200"]).toBeGreaterThan(0);
    expect(Object.keys(counts).every((status) => status === "200" || status === "429"), JSON.stringify(counts)).toBe(true);
    expect((await lambda.send(new InvokeCommand({ FunctionName: "bystander" }))).StatusCode).toBe(200);
  });
});
