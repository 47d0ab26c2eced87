// What a function carries beside its configuration, on a real cluster through the real AWS SDK, gRPC and
// the CLI: tags, resource-based policies, code signing (as for an account without configs), runtime
// management, and GetFunction's signed, time-limited Code.Location.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateCodeSigningConfigCommand,
  DeleteCodeSigningConfigCommand,
  DeleteFunctionCodeSigningConfigCommand,
  DeleteFunctionCommand,
  GetCodeSigningConfigCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  GetRuntimeManagementConfigCommand,
  LambdaClient,
  ListCodeSigningConfigsCommand,
  ListFunctionsByCodeSigningConfigCommand,
  ListTagsCommand,
  PublishVersionCommand,
  PutFunctionCodeSigningConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import * as proto from "@lambent/proto";
import { lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { hello } from "../fixtures/functions.js";
import { unaryCall } from "../fixtures/grpc-unary.js";
import { runCli, type CliResult } from "../fixtures/cli.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const CSC = "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdef0";

let cluster: TestCluster;
let lambda: LambdaClient;
let client: proto.LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
});
afterAll(async () => {
  lambda?.destroy();
  client?.close();
  await cluster?.stop();
});

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const failed = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failed.name, message: failed.message, status: failed.$metadata?.httpStatusCode };
  }
  throw new Error("expected a failure");
}

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
}

describe("tags", () => {
  it("are added, overwritten, listed, shown by GetFunction and removed, each change a new RevisionId", async () => {
    const created = await createTestFunction(lambda, "res-tags", hello, { Tags: { team: "core" } });
    const resource = `${ARN}:res-tags`;
    expect((await lambda.send(new ListTagsCommand({ Resource: resource }))).Tags).toEqual({ team: "core" });
    const tagged = await lambda.send(new TagResourceCommand({ Resource: resource, Tags: { team: "edge", cost: "42" } }));
    expect(tagged.$metadata.httpStatusCode).toBe(204);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "res-tags" }));
    expect(got.Tags).toEqual({ team: "edge", cost: "42" });
    expect(got.Configuration!.RevisionId).not.toBe(created.RevisionId);
    await lambda.send(new UntagResourceCommand({ Resource: resource, TagKeys: ["team", "nobody"] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: resource }))).Tags).toEqual({ cost: "42" });
    // The tags are the function's: a version shows them too.
    await lambda.send(new PublishVersionCommand({ FunctionName: "res-tags" }));
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "res-tags", Qualifier: "1" }))).Tags).toEqual({ cost: "42" });
  });

  it("answer Lambda's errors", async () => {
    await createTestFunction(lambda, "res-tags-errors", hello);
    expect(await failure(lambda.send(new TagResourceCommand({ Resource: `${ARN}:res-tags-errors:1`, Tags: { a: "b" } })))).toEqual({
      name: "InvalidParameterValueException",
      status: 400,
      message: "Tags on function aliases and versions are not supported. Please specify a function ARN.",
    });
    expect(await failure(lambda.send(new TagResourceCommand({ Resource: `${ARN}:res-nobody`, Tags: { a: "b" } })))).toEqual({
      name: "ResourceNotFoundException",
      status: 404,
      message: `Function not found: ${ARN}:res-nobody`,
    });
    expect((await failure(lambda.send(new TagResourceCommand({ Resource: "arn:aws:something", Tags: { a: "b" } })))).name).toBe("ValidationException");
    expect(await failure(lambda.send(new TagResourceCommand({ Resource: `${ARN}:res-tags-errors`, Tags: {} })))).toMatchObject({
      name: "InvalidParameterValueException",
      message: "An error occurred and the request cannot be processed.",
    });
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, "v"]));
    expect(await failure(lambda.send(new TagResourceCommand({ Resource: `${ARN}:res-tags-errors`, Tags: many })))).toMatchObject({
      name: "InvalidParameterValueException",
      message: "Number of tags exceeds resource tag limit.",
    });
    expect(await failure(lambda.send(new UntagResourceCommand({ Resource: `${ARN}:res-tags-errors`, TagKeys: undefined as unknown as string[] })))).toMatchObject({
      name: "ValidationException",
      message: "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
    });
  });

  it("are shown and changed by lambent tags and over gRPC", async () => {
    await createTestFunction(lambda, "res-tags-cli", hello);
    const set = await lambent("tags", "res-tags-cli", "--set", "env=prod", "--set", "owner=ada", "--json");
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ Tags: { env: "prod", owner: "ada" } });
    const removed = await lambent("tags", "res-tags-cli", "--remove", "owner");
    expect(removed.stdout).toMatch(/^env:\s+prod$/m);
    const listed = await unaryCall(client, client.listTags, proto.ListTagsRequest.fromPartial({ resource: `${ARN}:res-tags-cli` }));
    expect(listed.tags).toEqual({ env: "prod" });
  });
});

describe("resource-based policies", () => {
  it("add statements as Lambda writes them, answer GetPolicy, and remove them", async () => {
    await createTestFunction(lambda, "res-policy", hello, { Publish: true });
    await lambda.send(new CreateAliasCommand({ FunctionName: "res-policy", Name: "live", FunctionVersion: "1" }));
    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: "res-policy",
        StatementId: "s3",
        Action: "lambda:InvokeFunction",
        Principal: "s3.amazonaws.com",
        SourceArn: "arn:aws:s3:::uploads",
        SourceAccount: "000000000000",
      }),
    );
    expect(added.$metadata.httpStatusCode).toBe(201);
    const statement = {
      Sid: "s3",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: `${ARN}:res-policy`,
      Condition: { StringEquals: { "AWS:SourceAccount": "000000000000" }, ArnLike: { "AWS:SourceArn": "arn:aws:s3:::uploads" } },
    };
    expect(JSON.parse(added.Statement!)).toEqual(statement);
    await lambda.send(new AddPermissionCommand({ FunctionName: "res-policy", StatementId: "anyone", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }));
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: "res-policy" }));
    expect(JSON.parse(policy.Policy!)).toEqual({
      Version: "2012-10-17",
      Id: "default",
      Statement: [
        statement,
        {
          Sid: "anyone",
          Effect: "Allow",
          Principal: "*",
          Action: "lambda:InvokeFunctionUrl",
          Resource: `${ARN}:res-policy`,
          Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } },
        },
      ],
    });
    // Each qualifier has its own policy.
    const aliased = await lambda.send(new AddPermissionCommand({ FunctionName: "res-policy", Qualifier: "live", StatementId: "acct", Action: "lambda:InvokeFunction", Principal: "123456789012" }));
    expect(JSON.parse(aliased.Statement!)).toMatchObject({ Principal: { AWS: "arn:aws:iam::123456789012:root" }, Resource: `${ARN}:res-policy:live` });

    expect(
      await failure(lambda.send(new AddPermissionCommand({ FunctionName: "res-policy", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" }))),
    ).toEqual({
      name: "ResourceConflictException",
      status: 409,
      message: "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.",
    });
    expect(
      await failure(lambda.send(new AddPermissionCommand({ FunctionName: "res-policy", StatementId: "x", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", RevisionId: "stale" }))),
    ).toMatchObject({ name: "PreconditionFailedException", status: 412 });
    await lambda.send(new AddPermissionCommand({ FunctionName: "res-policy", StatementId: "x", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", RevisionId: policy.RevisionId }));

    await lambda.send(new RemovePermissionCommand({ FunctionName: "res-policy", StatementId: "anyone" }));
    expect(await failure(lambda.send(new RemovePermissionCommand({ FunctionName: "res-policy", StatementId: "anyone" })))).toEqual({
      name: "ResourceNotFoundException",
      status: 404,
      message: "Statement anyone is not found in resource policy.",
    });
    await lambda.send(new RemovePermissionCommand({ FunctionName: "res-policy", Qualifier: "live", StatementId: "acct" }));
    // The policy goes with its last statement.
    expect(await failure(lambda.send(new GetPolicyCommand({ FunctionName: "res-policy", Qualifier: "live" })))).toEqual({
      name: "ResourceNotFoundException",
      status: 404,
      message: "The resource you requested does not exist.",
    });
    expect(await failure(lambda.send(new RemovePermissionCommand({ FunctionName: "res-policy", Qualifier: "live", StatementId: "acct" })))).toMatchObject({
      message: "No policy is associated with the given resource.",
    });
    // Deleting the function drops its policies: a new one of the same name has none.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "res-policy" }));
    await createTestFunction(lambda, "res-policy", hello);
    expect((await failure(lambda.send(new GetPolicyCommand({ FunctionName: "res-policy" })))).name).toBe("ResourceNotFoundException");
  });

  it("answer Lambda's errors", async () => {
    await createTestFunction(lambda, "res-policy-errors", hello);
    const add = (input: Partial<ConstructorParameters<typeof AddPermissionCommand>[0]>) =>
      failure(lambda.send(new AddPermissionCommand({ FunctionName: "res-policy-errors", StatementId: "s", Action: "lambda:InvokeFunction", Principal: "*", ...input })));
    expect(await add({ Qualifier: "$LATEST" })).toMatchObject({ name: "InvalidParameterValueException", message: "We currently do not support adding policies for $LATEST." });
    expect(await add({ Principal: "invalid.nonaws.com" })).toMatchObject({
      name: "InvalidParameterValueException",
      message: "The provided principal was invalid. Please check the principal and try again.",
    });
    expect(await add({ StatementId: "example.com" })).toMatchObject({
      name: "ValidationException",
      message: "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
    });
    expect(await add({ Qualifier: "nope" })).toMatchObject({ name: "ResourceNotFoundException", message: `Cannot find alias arn: ${ARN}:res-policy-errors:nope` });
    expect(await add({ Qualifier: "42" })).toMatchObject({ name: "ResourceNotFoundException", message: `Function not found: ${ARN}:res-policy-errors:42` });
    expect(await add({ FunctionName: "res-nobody" })).toMatchObject({ name: "ResourceNotFoundException", message: `Function not found: ${ARN}:res-nobody` });
    expect(await failure(lambda.send(new RemovePermissionCommand({ FunctionName: "res-nobody", StatementId: "s" })))).toMatchObject({
      message: `No policy found for: ${ARN}:res-nobody`,
    });
  });

  it("are kept by lambent permission and over gRPC", async () => {
    await createTestFunction(lambda, "res-policy-cli", hello);
    const added = await lambent("permission", "res-policy-cli", "--add", "events", "--principal", "events.amazonaws.com", "--json");
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(JSON.parse(added.stdout).Statement)).toMatchObject({ Sid: "events", Principal: { Service: "events.amazonaws.com" } });
    const shown = await lambent("permission", "res-policy-cli");
    expect(JSON.parse(shown.stdout)).toMatchObject({ Id: "default", Statement: [{ Sid: "events" }] });
    const overGrpc = await unaryCall(client, client.getPolicy, proto.GetPolicyRequest.fromPartial({ functionName: "res-policy-cli" }));
    expect(JSON.parse(overGrpc.policy)).toMatchObject({ Statement: [{ Sid: "events" }] });
    expect((await lambent("permission", "res-policy-cli", "--remove", "events")).code).toBe(0);
    await expect(unaryCall(client, client.getPolicy, proto.GetPolicyRequest.fromPartial({ functionName: "res-policy-cli" }))).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });
});

describe("code signing and runtime management", () => {
  it("answer as Lambda answers an account without code signing configs", async () => {
    await createTestFunction(lambda, "res-csc", hello);
    const config = await lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: "res-csc" }));
    expect({ CodeSigningConfigArn: config.CodeSigningConfigArn, FunctionName: config.FunctionName }).toEqual({ CodeSigningConfigArn: "", FunctionName: "res-csc" });
    expect((await lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: "res-csc" }))).$metadata.httpStatusCode).toBe(204);
    expect(await failure(lambda.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: "res-csc", CodeSigningConfigArn: CSC })))).toEqual({
      name: "CodeSigningConfigNotFoundException",
      status: 404,
      message: `The code signing configuration cannot be found. Check that the provided configuration is not deleted: ${CSC}.`,
    });
    const missing = `The Lambda code signing configuration ${CSC} can not be found.`;
    expect(await failure(lambda.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: CSC })))).toEqual({ name: "ResourceNotFoundException", status: 404, message: missing });
    expect(await failure(lambda.send(new DeleteCodeSigningConfigCommand({ CodeSigningConfigArn: CSC })))).toMatchObject({ message: missing });
    expect(await failure(lambda.send(new ListFunctionsByCodeSigningConfigCommand({ CodeSigningConfigArn: CSC })))).toMatchObject({ message: missing });
    expect((await lambda.send(new ListCodeSigningConfigsCommand({}))).CodeSigningConfigs).toEqual([]);
    expect(
      (await failure(lambda.send(new CreateCodeSigningConfigCommand({ AllowedPublishers: { SigningProfileVersionArns: ["arn:aws:signer:us-east-1:000000000000:/signing-profiles/p"] } })))).name,
    ).toBe("InvalidParameterValueException");
    expect(await failure(lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: "res-nobody" })))).toMatchObject({
      name: "ResourceNotFoundException",
      message: `Function not found: ${ARN}:res-nobody`,
    });

    const runtime = await lambda.send(new GetRuntimeManagementConfigCommand({ FunctionName: "res-csc" }));
    expect({ UpdateRuntimeOn: runtime.UpdateRuntimeOn, FunctionArn: runtime.FunctionArn, RuntimeVersionArn: runtime.RuntimeVersionArn }).toEqual({
      UpdateRuntimeOn: "Auto",
      FunctionArn: `${ARN}:res-csc`,
      RuntimeVersionArn: undefined,
    });
    expect((await lambda.send(new GetRuntimeManagementConfigCommand({ FunctionName: "res-csc", Qualifier: "$LATEST" }))).FunctionArn).toBe(`${ARN}:res-csc:$LATEST`);
  });
});

describe("GetFunction's Code.Location", () => {
  it("downloads the package while its signature holds, and not with another package's name or a changed signature", async () => {
    await createTestFunction(lambda, "res-code", hello);
    const location = (await lambda.send(new GetFunctionCommand({ FunctionName: "res-code" }))).Code!.Location!;
    const url = new URL(location);
    expect(Number(url.searchParams.get("X-Lambent-Expires")) * 1000 - Date.now()).toBeLessThanOrEqual(600_000);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(hello);

    const unsigned = await fetch(`${url.origin}${url.pathname}`);
    expect(unsigned.status).toBe(403);
    const forged = new URL(location);
    forged.searchParams.set("X-Lambent-Expires", String(Number(url.searchParams.get("X-Lambent-Expires")) + 3600));
    expect((await fetch(forged)).status).toBe(403);
  });
});
