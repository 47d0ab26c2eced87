// The control plane through the real AWS SDK: every operation and its bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { echo, hello } from "../fixtures/functions.js";

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
});
afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

const create = (name: string, extra: Partial<CreateFunctionCommandInput> = {}) => createTestFunction(lambda, name, hello, extra);

async function expectError(promise: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );
  expect(error, `expected ${name}`).toBeDefined();
  expect(error!.name).toBe(name);
  expect(error!.$metadata.httpStatusCode).toBe(status);
  if (message) expect(error!.message).toMatch(message);
}

describe("CreateFunction", () => {
  it("answers Lambda's FunctionConfiguration, Pending at first, then Active", async () => {
    const created = await create("cp-create", {
      MemorySize: 256,
      Timeout: 10,
      Description: "made by a test",
      Environment: { Variables: { GREETING: "hi" } },
      Tags: { team: "core" },
    });
    expect(created).toMatchObject({
      FunctionName: "cp-create",
      FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:cp-create",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      MemorySize: 256,
      Timeout: 10,
      Description: "made by a test",
      Version: "$LATEST",
      State: "Pending",
      PackageType: "Zip",
      Environment: { Variables: { GREETING: "hi" } },
    });
    expect(created.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(created.CodeSize).toBe(hello.length);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(created.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    const fetched = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cp-create" }));
    expect(fetched.State).toBe("Active");
    expect(fetched.LastUpdateStatus).toBe("Successful");
    expect(fetched.CodeSha256).toBe(created.CodeSha256);
  });

  it("applies Lambda's defaults", async () => {
    const created = await create("cp-defaults");
    expect(created).toMatchObject({ MemorySize: 128, Timeout: 3, EphemeralStorage: { Size: 512 }, Architectures: ["x86_64"] });
  });

  it("refuses a name that exists with ResourceConflictException", async () => {
    await create("cp-twice");
    await expectError(create("cp-twice"), "ResourceConflictException", 409);
  });

  it.each([
    ["a bad name", { FunctionName: "no spaces allowed" }, /^1 validation error detected: Value 'no spaces allowed' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: /],
    ["too little memory", { MemorySize: 64 }, /^1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128$/],
    ["too much memory", { MemorySize: 10241 }, /^1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240$/],
    ["a zero timeout", { Timeout: 0 }, /^1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1$/],
    ["a timeout past 900 s", { Timeout: 901 }, /^1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900$/],
    ["a role that is not an IAM role ARN", { Role: "r1" }, /^1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:\(aws\[a-zA-Z-\]\*\)\?:iam::/],
    ["two architectures", { Architectures: ["x86_64", "arm64"] }, /^1 validation error detected: Value '\[x86_64, arm64\]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1$/],
  ])("refuses %s with ValidationException, worded as AWS words it", async (_label, extra, message) => {
    await expectError(create("cp-invalid", extra as Partial<CreateFunctionCommandInput>), "ValidationException", 400, message);
  });

  it("refuses a name over 64 characters as Lambda itself does", async () => {
    const name = "a".repeat(65);
    await expectError(
      create(name),
      "InvalidParameterValueException",
      400,
      new RegExp(`^1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64$`),
    );
  });

  it.each([
    ["a handler without an export", { Handler: "index" }, /Handler/],
    ["a handler whose file is missing", { Handler: "missing.handler" }, /missing\.js/],
    ["an unsupported runtime", { Runtime: "python3.11" }, /runtime/],
    ["a zip that is not a zip", { Code: { ZipFile: new Uint8Array([1, 2, 3, 4]) } }, /unzip/],
    ["code that does not parse", { Code: { ZipFile: zipFiles({ "index.js": "exports.handler = (" }) } }, /index\.js:1/],
    ["reserved environment variables", { Environment: { Variables: { AWS_REGION: "x" } } }, /reserved/],
    ["environment over 4 KB", { Environment: { Variables: { BIG: "x".repeat(4100) } } }, /4KB/],
  ])("refuses %s with InvalidParameterValueException", async (_label, extra, message) => {
    await expectError(create("cp-invalid", extra as Partial<CreateFunctionCommandInput>), "InvalidParameterValueException", 400, message);
  });
});

describe("reading functions", () => {
  it("GetFunction returns configuration, tags and a working code location", async () => {
    await create("cp-get", { Tags: { owner: "tests" } });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "cp-get" }));
    expect(got.Configuration?.FunctionName).toBe("cp-get");
    expect(got.Tags).toEqual({ owner: "tests" });
    expect(got.Code?.RepositoryType).toBe("S3");
    const download = await fetch(got.Code!.Location!);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(hello);
  });

  it("accepts ARNs and $LATEST as names and qualifiers", async () => {
    await create("cp-arn");
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:cp-arn";
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn }))).FunctionName).toBe("cp-arn");
    const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cp-arn", Qualifier: "$LATEST" }));
    expect(latest.Version).toBe("$LATEST");
  });

  it("reports unknown functions with ResourceNotFoundException", async () => {
    await expectError(lambda.send(new GetFunctionCommand({ FunctionName: "cp-nobody" })), "ResourceNotFoundException", 404, /cp-nobody/);
    await expectError(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cp-nobody" })), "ResourceNotFoundException", 404);
    await expectError(lambda.send(new DeleteFunctionCommand({ FunctionName: "cp-nobody" })), "ResourceNotFoundException", 404);
  });

  it("names the qualifier a call was made with in FunctionArn, and refuses ARNs of another region or account", async () => {
    await create("cp-qualified", { Publish: true });
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:cp-qualified";
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cp-qualified" }))).FunctionArn).toBe(arn);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cp-qualified", Qualifier: "$LATEST" }))).FunctionArn).toBe(`${arn}:$LATEST`);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: `${arn}:1` }))).Configuration!.FunctionArn).toBe(`${arn}:1`);
    await expectError(
      lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:eu-west-1:000000000000:function:cp-qualified" })),
      "ResourceNotFoundException",
      404,
      /^Functions from 'eu-west-1' are not reachable in this region \('us-east-1'\)$/,
    );
    await expectError(lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:cp-qualified" })), "AccessDeniedException", 403);
    await expectError(lambda.send(new InvokeCommand({ FunctionName: "arn:aws:lambda:eu-west-1:000000000000:function:cp-qualified" })), "ResourceNotFoundException", 404, /not reachable/);
  });

  it("ListFunctions with FunctionVersion ALL lists every version, each by its qualified ARN", async () => {
    await create("cp-all", { Publish: true });
    const everything: { FunctionArn?: string; Version?: string }[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ FunctionVersion: "ALL", MaxItems: 3, ...(marker ? { Marker: marker } : {}) }));
      everything.push(...page.Functions!);
      marker = page.NextMarker;
    } while (marker);
    expect(everything.filter((fn) => fn.FunctionArn!.includes(":cp-all:")).map((fn) => [fn.FunctionArn, fn.Version])).toEqual([
      ["arn:aws:lambda:us-east-1:000000000000:function:cp-all:$LATEST", "$LATEST"],
      ["arn:aws:lambda:us-east-1:000000000000:function:cp-all:1", "1"],
    ]);
    const listed = (await lambda.send(new ListFunctionsCommand({}))).Functions!.find((fn) => fn.FunctionName === "cp-all")!;
    expect(listed.FunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:cp-all");
    expect(listed.Version).toBe("$LATEST");
    await expectError(
      lambda.send(new ListFunctionsCommand({ FunctionVersion: "SOME" as "ALL" })),
      "ValidationException",
      400,
      /^1 validation error detected: Value 'SOME' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: \[ALL\]$/,
    );
  });

  it("ListFunctions pages with Marker and MaxItems", async () => {
    for (const name of ["cp-list-a", "cp-list-b", "cp-list-c", "cp-list-d", "cp-list-e"]) await create(name);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      expect(page.Functions!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Functions!.map((fn) => fn.FunctionName!));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    expect(seen.filter((name) => name.startsWith("cp-list-"))).toEqual(["cp-list-a", "cp-list-b", "cp-list-c", "cp-list-d", "cp-list-e"]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(3);
    await expectError(
      lambda.send(new ListFunctionsCommand({ MaxItems: 0 })),
      "ValidationException",
      400,
      /^1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1$/,
    );
  });
});

describe("updating functions", () => {
  it("UpdateFunctionCode swaps the code and the next call runs it", async () => {
    await create("cp-code");
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cp-code" }));
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "cp-code", ZipFile: echo }));
    expect(updated.LastUpdateStatus).toBe("InProgress");
    expect(updated.CodeSha256).not.toBe(before.CodeSha256);
    expect(updated.RevisionId).not.toBe(before.RevisionId);
    const result = await lambda.send(new InvokeCommand({ FunctionName: "cp-code", Payload: Buffer.from('{"same":"back"}') }));
    expect(JSON.parse(Buffer.from(result.Payload!).toString())).toEqual({ same: "back" });
  });

  it("UpdateFunctionConfiguration changes settings and honours RevisionId", async () => {
    const created = await create("cp-config");
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "cp-config",
        MemorySize: 512,
        Timeout: 30,
        Environment: { Variables: { MODE: "test" } },
        RevisionId: created.RevisionId,
      }),
    );
    expect(updated).toMatchObject({ MemorySize: 512, Timeout: 30, Environment: { Variables: { MODE: "test" } } });
    await expectError(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "cp-config", Timeout: 5, RevisionId: created.RevisionId })),
      "PreconditionFailedException",
      412,
    );
    await expectError(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "cp-config", MemorySize: 1 })),
      "ValidationException",
      400,
    );
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: "cp-config" }));
    expect(JSON.parse(Buffer.from(invoked.Payload!).toString()).memory).toBe("512");
  });

  it("a new handler in another file of the package is rebuilt", async () => {
    await create("cp-handler", {
      Code: { ZipFile: zipFiles({ "index.js": "exports.handler = async () => 'one';", "other.js": "exports.run = async () => 'two';" }) },
    });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "cp-handler", Handler: "other.run" }));
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: "cp-handler" }));
    expect(Buffer.from(invoked.Payload!).toString()).toBe('"two"');
  });
});

describe("DeleteFunction", () => {
  it("removes the function; invoking it then is ResourceNotFoundException", async () => {
    await create("cp-delete");
    await lambda.send(new InvokeCommand({ FunctionName: "cp-delete" }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "cp-delete" }));
    await expectError(lambda.send(new InvokeCommand({ FunctionName: "cp-delete" })), "ResourceNotFoundException", 404);
    await expectError(
      lambda.send(new DeleteFunctionCommand({ FunctionName: "cp-delete-x", Qualifier: "$LATEST" })),
      "InvalidParameterValueException",
      400,
    );
    // The name is free again.
    await create("cp-delete");
  });
});
