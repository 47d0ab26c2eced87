// Lambda's whole REST API inside functions, on a cluster whose API calls are signed: the AWS SDK's
// LambdaClient in a function (pointed at lambda.lambent.internal by the runtime) reaches every operation,
// served by the frontends as the function's execution role. The role's policy decides; a role without
// one may do nothing on such a cluster; the answers are the ones an outside caller gets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { signedHeaders } from "../fixtures/sigv4-signer.js";

const KEY = { accessKeyId: "AKIDLAMBENTADMIN", secretAccessKey: "c2VjcmV0LWFkbWluLWtleQ" };
const READER = "arn:aws:iam::000000000000:role/reader";
const NO_POLICY = "arn:aws:iam::000000000000:role/no-policy";

/** Calls the operations its event names with the SDK, and answers each outcome. */
const sdkCaller = zipFiles({
  "index.mjs": `import { LambdaClient, GetAccountSettingsCommand, ListFunctionsCommand, GetFunctionConfigurationCommand, DeleteFunctionCommand } from "@aws-sdk/client-lambda";
const lambda = new LambdaClient({ maxAttempts: 1 });
const commands = {
  GetAccountSettings: () => new GetAccountSettingsCommand({}),
  ListFunctions: () => new ListFunctionsCommand({}),
  GetFunctionConfiguration: () => new GetFunctionConfigurationCommand({ FunctionName: "target" }),
  DeleteFunction: () => new DeleteFunctionCommand({ FunctionName: "target" }),
};
export const handler = async (event) => {
  const outcomes = {};
  for (const name of event.operations) {
    try {
      const { $metadata, ...output } = await lambda.send(commands[name]());
      outcomes[name] = { status: $metadata.httpStatusCode, output };
    } catch (error) {
      outcomes[name] = { status: error.$metadata?.httpStatusCode, error: error.name, message: error.message };
    }
  }
  return outcomes;
};`,
});

let cluster: TestCluster;
let lambda: LambdaClient;

async function putAsOperator(path: string, body: unknown): Promise<void> {
  const url = new URL(path, cluster.httpUrl);
  const text = JSON.stringify(body);
  const { host: _host, ...headers } = await signedHeaders({ method: "PUT", host: url.host, path: url.pathname, body: text, headers: { "content-type": "application/json" } }, KEY);
  const response = await fetch(url, { method: "PUT", headers, body: text });
  expect(response.status, await response.text()).toBe(200);
}

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_API_AUTH: "sigv4", LAMBENT_ACCESS_KEYS: `${KEY.accessKeyId}:${KEY.secretAccessKey}` } });
  lambda = new LambdaClient({ endpoint: cluster.httpUrl, region: "us-east-1", credentials: KEY, maxAttempts: 1 });
  // The SDK signs with the role's credentials; the frontend serves the call as the role whatever the signature.
  for (const role of [READER, NO_POLICY]) {
    await putAsOperator("/lambent/2024-01-01/role-credentials", { RoleArn: role, AccessKeyId: "AKIDFUNCTIONROLE", SecretAccessKey: "function-role-secret" });
  }
  await putAsOperator("/lambent/2024-01-01/role-policies", {
    RoleArn: READER,
    Policy: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["lambda:GetAccountSettings", "lambda:ListFunctions", "lambda:GetFunctionConfiguration"], Resource: "*" }],
    },
  });
  await createTestFunction(lambda, "target", zipFiles({ "index.js": "exports.handler = async () => 'target';" }), { Environment: { Variables: { COLOUR: "blue" } } });
  await createTestFunction(lambda, "reader", sdkCaller, { Role: READER, Timeout: 30 });
  await createTestFunction(lambda, "unprivileged", sdkCaller, { Role: NO_POLICY, Timeout: 30 });
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

type Outcomes = Record<string, { status?: number; output?: Record<string, unknown>; error?: string; message?: string }>;

async function run(name: string, operations: string[]): Promise<Outcomes> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ operations }) }));
  const payload = JSON.parse(Buffer.from(out.Payload!).toString()) as Outcomes;
  expect(out.FunctionError, JSON.stringify(payload)).toBeUndefined();
  return payload;
}

describe("Lambda's API inside functions, as the function's role", () => {
  it("serves what the role's policy allows, with the answers an outside caller gets, and refuses the rest", async () => {
    const outcomes = await run("reader", ["GetAccountSettings", "ListFunctions", "GetFunctionConfiguration", "DeleteFunction"]);
    expect(outcomes["GetAccountSettings"]).toMatchObject({ status: 200, output: { AccountLimit: { ConcurrentExecutions: expect.any(Number) }, AccountUsage: { FunctionCount: 3 } } });
    const listed = (outcomes["ListFunctions"]!.output!["Functions"] as { FunctionName: string }[]).map((fn) => fn.FunctionName).sort();
    expect(listed).toEqual(["reader", "target", "unprivileged"]);
    const { $metadata: _metadata, ...outside } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "target" }));
    expect(outcomes["GetFunctionConfiguration"]).toEqual({ status: 200, output: JSON.parse(JSON.stringify(outside)) as unknown });
    expect(outcomes["DeleteFunction"]).toMatchObject({ status: 403, error: "AccessDeniedException" });
    expect(outcomes["DeleteFunction"]!.message).toBe(
      `User: ${READER} is not authorized to perform: lambda:DeleteFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:target because no identity-based policy allows the lambda:DeleteFunction action`,
    );
    // Refused, so the target is still there.
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "target" }))).FunctionName).toBe("target");
  });

  it("gives a role without a policy nothing when API calls are signed", async () => {
    const outcomes = await run("unprivileged", ["GetAccountSettings", "ListFunctions"]);
    for (const operation of ["GetAccountSettings", "ListFunctions"]) {
      expect(outcomes[operation]).toMatchObject({ status: 403, error: "AccessDeniedException", message: expect.stringContaining(`User: ${NO_POLICY} is not authorized to perform: lambda:${operation}`) });
    }
  });
});
