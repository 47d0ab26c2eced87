// The conformance suite: the real AWS SDK drives every operation Lambent serves of Lambda's API, and each
// answer is held, field by field, to Lambda's service model (model-conformance.ts) and to what AWS answers
// the same call: the keys it sends and leaves out, literal values, statuses, error types and messages, as
// AWS's API reference documents them and as AWS answers them. Each `it` is one case; the count of cases
// passing is Lambent's match rate.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddLayerVersionPermissionCommand,
  AddPermissionCommand,
  DeleteLayerVersionCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  RemoveLayerVersionPermissionCommand,
  CreateAliasCommand,
  CreateCodeSigningConfigCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteCodeSigningConfigCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCodeSigningConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteFunctionUrlConfigCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetCodeSigningConfigCommand,
  GetEventSourceMappingCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  GetProvisionedConcurrencyConfigCommand,
  GetRuntimeManagementConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListCodeSigningConfigsCommand,
  ListEventSourceMappingsCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionUrlConfigsCommand,
  ListFunctionsByCodeSigningConfigCommand,
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionCodeSigningConfigCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateCodeSigningConfigCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, RetentionPolicy } from "@nats-io/jetstream";
import type { OperationName } from "@lambent/lambda-model";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { modelProblems, recordAnswers, type RawAnswer } from "./model-conformance.js";

const ACCOUNT = "000000000000";
const ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/conformance`;
const CODE = zipFiles({ "index.mjs": "export const handler = async (event) => { console.log('ran'); return { ok: true, event }; };" });
const CSC = `arn:aws:lambda:us-east-1:${ACCOUNT}:code-signing-config:csc-0123456789abcdef0`;

/** The keys AWS answers in each form of FunctionConfiguration (Environment only when one is set). */
const CONFIGURATION_KEYS = [
  "Architectures",
  "CodeSha256",
  "CodeSize",
  "Description",
  "EphemeralStorage",
  "FunctionArn",
  "FunctionName",
  "Handler",
  "LastModified",
  "LoggingConfig",
  "MemorySize",
  "PackageType",
  "RevisionId",
  "Role",
  "Runtime",
  "SnapStart",
  "Timeout",
  "TracingConfig",
  "Version",
];
const CREATED_KEYS = [...CONFIGURATION_KEYS, "RuntimeVersionConfig", "State", "StateReason", "StateReasonCode"].sort();
const READ_KEYS = [...CONFIGURATION_KEYS, "LastUpdateStatus", "RuntimeVersionConfig", "State"].sort();
const UPDATED_KEYS = [...READ_KEYS, "LastUpdateStatusReason", "LastUpdateStatusReasonCode"].sort();
const LISTED_KEYS = [...CONFIGURATION_KEYS].sort();

let cluster: TestCluster;
let lambda: LambdaClient;
let answers: { last(): RawAnswer };
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  answers = recordAnswers(lambda);
  nc = await connect({ ...cluster.natsOptions() });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "CONFORMANCE_QUEUES", subjects: ["cq.>"], retention: RetentionPolicy.Workqueue });
  await jsm.streams.add({ name: "CONFORMANCE_STREAM", subjects: ["cs.>"] });
}, 120_000);
afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
});

interface Answered {
  raw: RawAnswer;
  output: Record<string, unknown> | undefined;
  error: { name: string; message: string } | undefined;
}

/** Sends a command through the SDK and holds the wire answer to the operation's model. */
async function conform(operation: OperationName, send: () => Promise<unknown>): Promise<Answered> {
  let output: Record<string, unknown> | undefined;
  let error: { name: string; message: string } | undefined;
  try {
    output = (await send()) as Record<string, unknown>;
  } catch (failure) {
    const failed = failure as { name?: string; message?: string; $metadata?: unknown };
    if (failed.$metadata === undefined) throw failure;
    error = { name: failed.name ?? "", message: failed.message ?? "" };
  }
  const raw = answers.last();
  expect(modelProblems(operation, raw), `${operation} ${raw.status} ${JSON.stringify(raw.body)}`).toEqual([]);
  return { raw, output, error };
}

/** The case succeeded with the status the model declares; its body. */
function body(answered: Answered): Record<string, unknown> {
  expect(answered.error, JSON.stringify(answered.error)).toBeUndefined();
  return (answered.raw.body ?? {}) as Record<string, unknown>;
}

/** The case failed with this error type, status and message, as AWS answers it. */
function failedWith(answered: Answered, type: string, status: number, message: string | RegExp): void {
  expect(answered.error, `expected ${type}`).toBeDefined();
  expect({ type: answered.raw.headers["x-amzn-errortype"], status: answered.raw.status }).toEqual({ type, status });
  if (typeof message === "string") expect(answered.error!.message).toBe(message);
  else expect(answered.error!.message).toMatch(message);
}

const keys = (value: unknown): string[] => Object.keys(value as object).sort();

function createFunction(name: string, extra: Record<string, unknown> = {}) {
  return lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: CODE }, ...extra }));
}

/** A function with version 1 and alias `live` on it. */
async function functionWithVersion(name: string): Promise<void> {
  await createFunction(name, { Publish: true });
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" }));
}

describe("functions", () => {
  it("CreateFunction answers 201, Pending with its reason, every field AWS always sends and no LastUpdateStatus", async () => {
    const created = body(await conform("CreateFunction", () => createFunction("cf-create", { Environment: { Variables: {} } })));
    expect(keys(created)).toEqual([...CREATED_KEYS, "Environment"].sort());
    expect(created).toMatchObject({
      FunctionName: "cf-create",
      FunctionArn: `${ARN}:cf-create`,
      State: "Pending",
      StateReason: "The function is being created.",
      StateReasonCode: "Creating",
      Version: "$LATEST",
      TracingConfig: { Mode: "PassThrough" },
      LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/cf-create" },
      SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
      Environment: { Variables: {} },
      EphemeralStorage: { Size: 512 },
      Architectures: ["x86_64"],
      MemorySize: 128,
      Timeout: 3,
      PackageType: "Zip",
    });
    expect(created["RuntimeVersionConfig"]).toEqual({ RuntimeVersionArn: expect.stringMatching(/^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/) });
  });

  it("GetFunction answers the configuration Active and Successful, a Code location, and Tags", async () => {
    await createFunction("cf-get", { Tags: { team: "core" } });
    const got = body(await conform("GetFunction", () => lambda.send(new GetFunctionCommand({ FunctionName: "cf-get" }))));
    expect(keys(got)).toEqual(["Code", "Configuration", "Tags"]);
    expect(keys(got["Configuration"])).toEqual(READ_KEYS);
    expect(got["Configuration"]).toMatchObject({ State: "Active", LastUpdateStatus: "Successful", FunctionArn: `${ARN}:cf-get` });
    expect(got["Code"]).toEqual({ RepositoryType: "S3", Location: expect.stringMatching(/^http:\/\//) });
    expect(got["Tags"]).toEqual({ team: "core" });
    const download = await fetch((got["Code"] as { Location: string }).Location);
    expect(download.status).toBe(200);
    const sha256 = createHash("sha256").update(new Uint8Array(await download.arrayBuffer())).digest("base64");
    expect(sha256).toBe((got["Configuration"] as { CodeSha256: string }).CodeSha256);
  });

  it("GetFunctionConfiguration with a qualifier names it in FunctionArn", async () => {
    await functionWithVersion("cf-qualified");
    const latest = body(await conform("GetFunctionConfiguration", () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cf-qualified", Qualifier: "$LATEST" }))));
    expect(latest["FunctionArn"]).toBe(`${ARN}:cf-qualified:$LATEST`);
    const alias = body(await conform("GetFunctionConfiguration", () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cf-qualified", Qualifier: "live" }))));
    expect(alias).toMatchObject({ FunctionArn: `${ARN}:cf-qualified:live`, Version: "1" });
  });

  it("ListFunctions entries carry neither state nor runtime version", async () => {
    await createFunction("cf-list");
    const listed = body(await conform("ListFunctions", () => lambda.send(new ListFunctionsCommand({}))));
    const entry = (listed["Functions"] as Record<string, unknown>[]).find((fn) => fn["FunctionName"] === "cf-list")!;
    expect(keys(entry)).toEqual(LISTED_KEYS);
    expect(entry["FunctionArn"]).toBe(`${ARN}:cf-list`);
  });

  it("ListFunctions with FunctionVersion ALL lists published versions, $LATEST by its qualified ARN", async () => {
    await createFunction("cf-all", { Publish: true });
    const listed = body(await conform("ListFunctions", () => lambda.send(new ListFunctionsCommand({ FunctionVersion: "ALL", MaxItems: 10000 }))));
    const arns = (listed["Functions"] as { FunctionArn: string }[]).map((fn) => fn.FunctionArn).filter((arn) => arn.includes(":cf-all:"));
    expect(arns).toEqual([`${ARN}:cf-all:$LATEST`, `${ARN}:cf-all:1`]);
  });

  it("ListFunctions refuses a FunctionVersion other than ALL", async () => {
    const refused = await conform("ListFunctions", () => lambda.send(new ListFunctionsCommand({ FunctionVersion: "NOPE" as "ALL" })));
    failedWith(refused, "ValidationException", 400, "1 validation error detected: Value 'NOPE' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]");
  });

  it("UpdateFunctionConfiguration answers InProgress with its reason", async () => {
    await createFunction("cf-update");
    const updated = body(await conform("UpdateFunctionConfiguration", () => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "cf-update", Description: "new" }))));
    expect(keys(updated)).toEqual(UPDATED_KEYS);
    expect(updated).toMatchObject({ State: "Active", LastUpdateStatus: "InProgress", LastUpdateStatusReason: "The function is being created.", LastUpdateStatusReasonCode: "Creating" });
  });

  it("UpdateFunctionConfiguration merges a partial LoggingConfig as Lambda does", async () => {
    await createFunction("cf-logging");
    const json = body(await conform("UpdateFunctionConfiguration", () => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "cf-logging", LoggingConfig: { LogFormat: "JSON" } }))));
    expect(json["LoggingConfig"]).toEqual({ ApplicationLogLevel: "INFO", LogFormat: "JSON", LogGroup: "/aws/lambda/cf-logging", SystemLogLevel: "INFO" });
    const text = body(await conform("UpdateFunctionConfiguration", () => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "cf-logging", LoggingConfig: { LogFormat: "Text" } }))));
    expect(text["LoggingConfig"]).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/cf-logging" });
  });

  it("UpdateFunctionCode answers InProgress; with Publish the new version as a create answers", async () => {
    await createFunction("cf-code");
    const updated = body(await conform("UpdateFunctionCode", () => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "cf-code", ZipFile: CODE }))));
    expect(keys(updated)).toEqual(UPDATED_KEYS);
    const published = body(await conform("UpdateFunctionCode", () => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "cf-code", ZipFile: CODE, Publish: true }))));
    expect(keys(published)).toEqual(CREATED_KEYS);
    expect(published).toMatchObject({ Version: "1", FunctionArn: `${ARN}:cf-code:1`, State: "Pending" });
  });

  it("PublishVersion makes a new version after a configuration change, and answers the last one when nothing changed", async () => {
    await createFunction("cf-publish");
    const first = body(await conform("PublishVersion", () => lambda.send(new PublishVersionCommand({ FunctionName: "cf-publish" }))));
    expect(keys(first)).toEqual(READ_KEYS);
    expect(first).toMatchObject({ Version: "1", FunctionArn: `${ARN}:cf-publish:1`, State: "Active", LastUpdateStatus: "Successful" });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "cf-publish", Description: "changed" }));
    const second = body(await conform("PublishVersion", () => lambda.send(new PublishVersionCommand({ FunctionName: "cf-publish" }))));
    expect(second).toMatchObject({ Version: "2", Description: "changed" });
    const again = body(await conform("PublishVersion", () => lambda.send(new PublishVersionCommand({ FunctionName: "cf-publish", Description: "label" }))));
    expect(again).toMatchObject({ Version: "2", RevisionId: second["RevisionId"] });
  });

  it("ListVersionsByFunction lists $LATEST by its qualified ARN, without state", async () => {
    await createFunction("cf-versions", { Publish: true });
    const listed = body(await conform("ListVersionsByFunction", () => lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "cf-versions" }))));
    const versions = listed["Versions"] as Record<string, unknown>[];
    expect(versions.map((version) => version["FunctionArn"])).toEqual([`${ARN}:cf-versions:$LATEST`, `${ARN}:cf-versions:1`]);
    for (const version of versions) expect(keys(version)).toEqual(LISTED_KEYS);
  });

  it("DeleteFunction answers 204, and $LATEST alone cannot be deleted", async () => {
    await createFunction("cf-delete");
    const latest = await conform("DeleteFunction", () => lambda.send(new DeleteFunctionCommand({ FunctionName: "cf-delete", Qualifier: "$LATEST" })));
    failedWith(latest, "InvalidParameterValueException", 400, "$LATEST version cannot be deleted without deleting the function.");
    expect(body(await conform("DeleteFunction", () => lambda.send(new DeleteFunctionCommand({ FunctionName: "cf-delete" }))))).toEqual({});
  });

  it("a missing function is 404 with Message and Type", async () => {
    const missing = await conform("GetFunction", () => lambda.send(new GetFunctionCommand({ FunctionName: "cf-nobody" })));
    failedWith(missing, "ResourceNotFoundException", 404, `Function not found: ${ARN}:cf-nobody`);
    expect(missing.raw.body).toEqual({ Type: "User", Message: `Function not found: ${ARN}:cf-nobody` });
  });

  it.each([
    ["UpdateFunctionConfiguration", () => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "cf-nobody", Timeout: 5 }))],
    ["UpdateFunctionCode", () => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "cf-nobody", ZipFile: CODE }))],
    ["PublishVersion", () => lambda.send(new PublishVersionCommand({ FunctionName: "cf-nobody" }))],
    ["DeleteFunction", () => lambda.send(new DeleteFunctionCommand({ FunctionName: "cf-nobody" }))],
    ["GetFunctionConfiguration", () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cf-nobody" }))],
  ] as const)("%s answers a missing function 404", async (operation, send) => {
    failedWith(await conform(operation, send), "ResourceNotFoundException", 404, new RegExp(`^Function not found: ${ARN}:cf-nobody(:\\$LATEST)?$`));
  });

  it("a version that does not exist is named in the 404", async () => {
    await createFunction("cf-no-version");
    failedWith(
      await conform("GetFunctionConfiguration", () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cf-no-version", Qualifier: "1221" }))),
      "ResourceNotFoundException",
      404,
      `Function not found: ${ARN}:cf-no-version:1221`,
    );
  });

  it("an ARN of another region is 404, of another account 403", async () => {
    failedWith(
      await conform("GetFunction", () => lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:ap-southeast-1:000000000000:function:cf-x" }))),
      "ResourceNotFoundException",
      404,
      "Functions from 'ap-southeast-1' are not reachable in this region ('us-east-1')",
    );
    const other = await conform("GetFunction", () => lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:cf-x" })));
    expect({ type: other.raw.headers["x-amzn-errortype"], status: other.raw.status }).toEqual({ type: "AccessDeniedException", status: 403 });
  });

  it("a qualifier that contradicts the one in the name is refused", async () => {
    failedWith(
      await conform("GetFunction", () => lambda.send(new GetFunctionCommand({ FunctionName: "cf-x:1", Qualifier: "2" }))),
      "InvalidParameterValueException",
      400,
      "The derived qualifier from the function name does not match the specified qualifier.",
    );
  });

  it.each([
    ["a role that is not an IAM role ARN", { Role: "r1" }, "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"],
    ["two architectures", { Architectures: ["x86_64", "arm64"] }, "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1"],
    ["an architecture in capitals", { Architectures: ["X86_64"] }, "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"],
    ["too little memory", { MemorySize: 64 }, "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"],
    ["a timeout of 0", { Timeout: 0 }, "1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ["a timeout past 900 seconds", { Timeout: 901 }, "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"],
    ["a name that is not a name", { FunctionName: "invalid:function:name" }, "1 validation error detected: Value 'invalid:function:name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"],
  ])("CreateFunction refuses %s with ValidationException in AWS's words", async (_label, extra, message) => {
    const refused = await conform("CreateFunction", () => createFunction("cf-invalid", extra));
    failedWith(refused, "ValidationException", 400, message);
    expect(refused.raw.body).toEqual({ message });
  });

  it("CreateFunction refuses a name over 64 characters and a runtime Lambda does not know, in its own words", async () => {
    const name = "a".repeat(65);
    failedWith(
      await conform("CreateFunction", () => createFunction(name)),
      "InvalidParameterValueException",
      400,
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
    failedWith(
      await conform("CreateFunction", () => createFunction("cf-runtime", { Runtime: "non-existent-runtime" })),
      "InvalidParameterValueException",
      400,
      /^Value non-existent-runtime at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[nodejs18\.x, .*\] or be a valid ARN$/,
    );
  });

  it("CreateFunction refuses a name that exists with 409", async () => {
    await createFunction("cf-twice");
    failedWith(await conform("CreateFunction", () => createFunction("cf-twice")), "ResourceConflictException", 409, /cf-twice/);
  });

  it("GetRuntimeManagementConfig answers Auto without a runtime version", async () => {
    await createFunction("cf-runtime-mgmt");
    const config = body(await conform("GetRuntimeManagementConfig", () => lambda.send(new GetRuntimeManagementConfigCommand({ FunctionName: "cf-runtime-mgmt" }))));
    expect(config).toEqual({ UpdateRuntimeOn: "Auto", FunctionArn: `${ARN}:cf-runtime-mgmt` });
  });

  it("GetAccountSettings answers its limits and usage", async () => {
    const settings = body(await conform("GetAccountSettings", () => lambda.send(new GetAccountSettingsCommand({}))));
    expect(keys(settings["AccountLimit"])).toEqual(["CodeSizeUnzipped", "CodeSizeZipped", "ConcurrentExecutions", "TotalCodeSize", "UnreservedConcurrentExecutions"]);
    expect(keys(settings["AccountUsage"])).toEqual(["FunctionCount", "TotalCodeSize"]);
  });
});

describe("invoke", () => {
  it("answers 200 with the version it ran, and its tail log's REPORT line ends with a tab", async () => {
    await createFunction("ci-run");
    const answered = await conform("Invoke", () => lambda.send(new InvokeCommand({ FunctionName: "ci-run", LogType: "Tail", Payload: Buffer.from("{}") })));
    expect(answered.raw.status).toBe(200);
    expect(answered.raw.headers["x-amz-executed-version"]).toBe("$LATEST");
    const log = Buffer.from(answered.raw.headers["x-amz-log-result"]!, "base64").toString("utf8");
    expect(log).toMatch(/\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB(\tInit Duration: [\d.]+ ms)?\t\n$/);
  });

  it("answers a dry run 204 without a version", async () => {
    await createFunction("ci-dry");
    const answered = await conform("Invoke", () => lambda.send(new InvokeCommand({ FunctionName: "ci-dry", InvocationType: "DryRun" })));
    expect(answered.raw.status).toBe(204);
    expect(answered.raw.headers["x-amz-executed-version"]).toBeUndefined();
  });

  it("names $LATEST in the 404 of a function that does not exist", async () => {
    failedWith(await conform("Invoke", () => lambda.send(new InvokeCommand({ FunctionName: "ci-nobody" }))), "ResourceNotFoundException", 404, `Function not found: ${ARN}:ci-nobody:$LATEST`);
  });
});

describe("aliases", () => {
  it("CreateAlias, GetAlias, UpdateAlias and ListAliases answer AliasConfiguration", async () => {
    await functionWithVersion("ca-alias");
    await lambda.send(new PublishVersionCommand({ FunctionName: "ca-alias", Description: "two" }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ca-alias", Timeout: 5 }));
    await lambda.send(new PublishVersionCommand({ FunctionName: "ca-alias" }));
    const created = body(await conform("CreateAlias", () => lambda.send(new CreateAliasCommand({ FunctionName: "ca-alias", Name: "canary", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } }))));
    expect(created).toMatchObject({ AliasArn: `${ARN}:ca-alias:canary`, Name: "canary", FunctionVersion: "1", Description: "", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } });
    body(await conform("GetAlias", () => lambda.send(new GetAliasCommand({ FunctionName: "ca-alias", Name: "canary" }))));
    const updated = body(await conform("UpdateAlias", () => lambda.send(new UpdateAliasCommand({ FunctionName: "ca-alias", Name: "canary", FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} } }))));
    expect(updated["RoutingConfig"]).toBeUndefined();
    const listed = body(await conform("ListAliases", () => lambda.send(new ListAliasesCommand({ FunctionName: "ca-alias" }))));
    expect((listed["Aliases"] as { Name: string }[]).map((alias) => alias.Name)).toEqual(["canary", "live"]);
  });

  it("answers a missing alias as AWS does for each call", async () => {
    await createFunction("ca-missing");
    failedWith(await conform("GetAlias", () => lambda.send(new GetAliasCommand({ FunctionName: "ca-missing", Name: "none" }))), "ResourceNotFoundException", 404, `Cannot find alias arn: ${ARN}:ca-missing:none`);
    failedWith(
      await conform("UpdateAlias", () => lambda.send(new UpdateAliasCommand({ FunctionName: "ca-missing", Name: "none", Description: "x" }))),
      "ResourceNotFoundException",
      404,
      `Alias not found: ${ARN}:ca-missing:none`,
    );
    expect((await conform("DeleteAlias", () => lambda.send(new DeleteAliasCommand({ FunctionName: "ca-missing", Name: "none" })))).raw.status).toBe(204);
  });

  it.each([
    ["a numeric name", { Name: "2024", FunctionVersion: "1" }, "ValidationException", "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"],
    ["a weight over 1", { Name: "w", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 2 } } }, "ValidationException", "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]"],
    ["two extra versions", { Name: "w", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1, "3": 0.1 } } }, "InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1"],
    ["weights on $LATEST", { Name: "w", FunctionVersion: "$LATEST", RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } } }, "InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version"],
    ["weights on its own version", { Name: "w", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } } }, "InvalidParameterValueException", "Invalid function version 1. Function version 1 is already included in routing configuration."],
    ["a version that does not exist", { Name: "w", FunctionVersion: "10" }, "ResourceNotFoundException", `Function not found: ${ARN}:ca-rules:10`],
  ])("CreateAlias refuses %s", async (_label, input, type, message) => {
    await createFunction("ca-rules", { Publish: true }).catch(() => undefined);
    const refused = await conform("CreateAlias", () => lambda.send(new CreateAliasCommand({ FunctionName: "ca-rules", ...input } as ConstructorParameters<typeof CreateAliasCommand>[0])));
    failedWith(refused, type, type === "ResourceNotFoundException" ? 404 : 400, message);
  });
});

describe("concurrency", () => {
  it("PutFunctionConcurrency, GetFunctionConcurrency and DeleteFunctionConcurrency", async () => {
    await createFunction("cc-reserved");
    expect(body(await conform("PutFunctionConcurrency", () => lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "cc-reserved", ReservedConcurrentExecutions: 2 }))))).toEqual({ ReservedConcurrentExecutions: 2 });
    expect(body(await conform("GetFunctionConcurrency", () => lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "cc-reserved" }))))).toEqual({ ReservedConcurrentExecutions: 2 });
    expect((await conform("DeleteFunctionConcurrency", () => lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "cc-reserved" })))).raw.status).toBe(204);
    expect(body(await conform("GetFunctionConcurrency", () => lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "cc-reserved" }))))).toEqual({});
  });

  it("PutFunctionConcurrency refuses a qualified ARN, and names $LATEST for a missing function", async () => {
    await createFunction("cc-qualified", { Publish: true });
    failedWith(
      await conform("PutFunctionConcurrency", () => lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: `${ARN}:cc-qualified:1`, ReservedConcurrentExecutions: 1 }))),
      "InvalidParameterValueException",
      400,
      "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
    );
    failedWith(
      await conform("PutFunctionConcurrency", () => lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "cc-nobody", ReservedConcurrentExecutions: 1 }))),
      "ResourceNotFoundException",
      404,
      `Function not found: ${ARN}:cc-nobody:$LATEST`,
    );
  });

  it("provisioned concurrency: 202 on a version, conflicts between an alias and its version both ways", async () => {
    await functionWithVersion("cc-provisioned");
    const put = body(await conform("PutProvisionedConcurrencyConfig", () => lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned", Qualifier: "1", ProvisionedConcurrentExecutions: 1 }))));
    expect(keys(put)).toEqual(["AllocatedProvisionedConcurrentExecutions", "AvailableProvisionedConcurrentExecutions", "LastModified", "RequestedProvisionedConcurrentExecutions", "Status"]);
    failedWith(
      await conform("PutProvisionedConcurrencyConfig", () => lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned", Qualifier: "live", ProvisionedConcurrentExecutions: 1 }))),
      "ResourceConflictException",
      409,
      "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
    );
    expect((await conform("DeleteProvisionedConcurrencyConfig", () => lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned", Qualifier: "1" })))).raw.status).toBe(204);
    body(await conform("PutProvisionedConcurrencyConfig", () => lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned", Qualifier: "live", ProvisionedConcurrentExecutions: 1 }))));
    failedWith(
      await conform("PutProvisionedConcurrencyConfig", () => lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned", Qualifier: "1", ProvisionedConcurrentExecutions: 1 }))),
      "ResourceConflictException",
      409,
      "Version is pointed by a Provisioned Concurrency alias",
    );
    const listed = body(await conform("ListProvisionedConcurrencyConfigs", () => lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "cc-provisioned" }))));
    expect((listed["ProvisionedConcurrencyConfigs"] as { FunctionArn: string }[]).map((config) => config.FunctionArn)).toEqual([`${ARN}:cc-provisioned:live`]);
  });

  it("provisioned concurrency refuses $LATEST, 0 and a missing alias, and deleting a config that is not there is 204", async () => {
    await functionWithVersion("cc-provisioned-rules");
    failedWith(
      await conform("PutProvisionedConcurrencyConfig", () => lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned-rules", Qualifier: "$LATEST", ProvisionedConcurrentExecutions: 1 }))),
      "InvalidParameterValueException",
      400,
      "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
    );
    failedWith(
      await conform("PutProvisionedConcurrencyConfig", () => lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned-rules", Qualifier: "1", ProvisionedConcurrentExecutions: 0 }))),
      "ValidationException",
      400,
      "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    failedWith(
      await conform("GetProvisionedConcurrencyConfig", () => lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned-rules", Qualifier: "noalias" }))),
      "ResourceNotFoundException",
      404,
      `Cannot find alias arn: ${ARN}:cc-provisioned-rules:noalias`,
    );
    failedWith(
      await conform("GetProvisionedConcurrencyConfig", () => lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned-rules", Qualifier: "1" }))),
      "ProvisionedConcurrencyConfigNotFoundException",
      404,
      "No Provisioned Concurrency Config found for this function",
    );
    failedWith(
      await conform("GetProvisionedConcurrencyConfig", () => lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned-rules", Qualifier: "$LATEST" }))),
      "InvalidParameterValueException",
      400,
      "The function resource provided must be an alias or a published version.",
    );
    expect((await conform("DeleteProvisionedConcurrencyConfig", () => lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "cc-provisioned-rules", Qualifier: "1" })))).raw.status).toBe(204);
  });
});

describe("event invoke configs", () => {
  it("PutFunctionEventInvokeConfig answers only what was set, and Get the same", async () => {
    await createFunction("ce-put");
    const put = body(await conform("PutFunctionEventInvokeConfig", () => lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ce-put", MaximumRetryAttempts: 1 }))));
    expect(keys(put)).toEqual(["DestinationConfig", "FunctionArn", "LastModified", "MaximumRetryAttempts"]);
    expect(put).toMatchObject({ FunctionArn: `${ARN}:ce-put:$LATEST`, MaximumRetryAttempts: 1, DestinationConfig: { OnSuccess: {}, OnFailure: {} } });
    expect(typeof put["LastModified"]).toBe("number");
    expect(keys(body(await conform("GetFunctionEventInvokeConfig", () => lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "ce-put" })))))).toEqual(keys(put));
    const updated = body(await conform("UpdateFunctionEventInvokeConfig", () => lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "ce-put", MaximumEventAgeInSeconds: 60 }))));
    expect(updated).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 60 });
    const listed = body(await conform("ListFunctionEventInvokeConfigs", () => lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "ce-put" }))));
    expect((listed["FunctionEventInvokeConfigs"] as unknown[]).length).toBe(1);
    expect((await conform("DeleteFunctionEventInvokeConfig", () => lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "ce-put" })))).raw.status).toBe(204);
  });

  it.each([
    ["no setting at all", {}, "You must specify at least one of error handling or destination setting."],
    ["the function itself as its destination", { DestinationConfig: { OnFailure: { Destination: `${ARN}:ce-refusals` } } }, "You can't specify the function as a destination for itself."],
    ["a destination function that does not exist", { DestinationConfig: { OnSuccess: { Destination: `${ARN}:ce-nobody` } } }, `The destination ARN ${ARN}:ce-nobody is invalid.`],
    [
      "a destination of a service Lambda does not deliver to",
      { DestinationConfig: { OnSuccess: { Destination: `arn:aws:iam:us-east-1:${ACCOUNT}:function:x` } } },
      `The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:iam:us-east-1:${ACCOUNT}:function:x), onFailure=null) is invalid.`,
    ],
  ])("PutFunctionEventInvokeConfig refuses %s", async (_label, input, message) => {
    await createFunction("ce-refusals").catch(() => undefined);
    failedWith(await conform("PutFunctionEventInvokeConfig", () => lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ce-refusals", ...input }))), "InvalidParameterValueException", 400, message);
  });

  it("answers a missing function or config in each call's words", async () => {
    await createFunction("ce-missing");
    failedWith(
      await conform("UpdateFunctionEventInvokeConfig", () => lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "ce-missing", MaximumRetryAttempts: 0 }))),
      "ResourceNotFoundException",
      404,
      `The function ${ARN}:ce-missing:$LATEST doesn't have an EventInvokeConfig`,
    );
    failedWith(await conform("PutFunctionEventInvokeConfig", () => lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ce-nobody", MaximumRetryAttempts: 0 }))), "ResourceNotFoundException", 404, "The function doesn't exist.");
    failedWith(await conform("ListFunctionEventInvokeConfigs", () => lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "ce-nobody" }))), "ResourceNotFoundException", 404, "The function doesn't exist.");
    failedWith(
      await conform("GetFunctionEventInvokeConfig", () => lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "ce-nobody" }))),
      "ResourceNotFoundException",
      404,
      `The function ${ARN}:ce-nobody:$LATEST doesn't have an EventInvokeConfig`,
    );
    failedWith(
      await conform("PutFunctionEventInvokeConfig", () => lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ce-missing", MaximumRetryAttempts: 3 }))),
      "ValidationException",
      400,
      "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2",
    );
  });
});

describe("function URLs", () => {
  it("Create answers without InvokeMode and LastModifiedTime, Get with them, Update and List", async () => {
    await createFunction("cu-url");
    const created = body(await conform("CreateFunctionUrlConfig", () => lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "cu-url", AuthType: "NONE" }))));
    expect(keys(created)).toEqual(["AuthType", "CreationTime", "FunctionArn", "FunctionUrl"]);
    expect(created["FunctionArn"]).toBe(`${ARN}:cu-url`);
    const got = body(await conform("GetFunctionUrlConfig", () => lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "cu-url" }))));
    expect(keys(got)).toEqual(["AuthType", "CreationTime", "FunctionArn", "FunctionUrl", "InvokeMode", "LastModifiedTime"]);
    const updated = body(await conform("UpdateFunctionUrlConfig", () => lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "cu-url", AuthType: "AWS_IAM" }))));
    expect(keys(updated)).toEqual(["AuthType", "CreationTime", "FunctionArn", "FunctionUrl", "LastModifiedTime"]);
    const listed = body(await conform("ListFunctionUrlConfigs", () => lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "cu-url" }))));
    expect((listed["FunctionUrlConfigs"] as unknown[]).length).toBe(1);
    expect((await conform("DeleteFunctionUrlConfig", () => lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "cu-url" })))).raw.status).toBe(204);
  });

  it("refuses a URL on $LATEST or a version named as a qualifier, and answers missing functions and configs in Lambda's words", async () => {
    await createFunction("cu-rules", { Publish: true });
    for (const qualifier of ["$LATEST", "1"]) {
      failedWith(
        await conform("CreateFunctionUrlConfig", () => lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "cu-rules", Qualifier: qualifier, AuthType: "NONE" }))),
        "ValidationException",
        400,
        `1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)`,
      );
    }
    failedWith(await conform("CreateFunctionUrlConfig", () => lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "cu-nobody", AuthType: "NONE" }))), "ResourceNotFoundException", 404, "Function does not exist");
    failedWith(await conform("GetFunctionUrlConfig", () => lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "cu-rules" }))), "ResourceNotFoundException", 404, "The resource you requested does not exist.");
  });
});

describe("event source mappings", () => {
  it("a queue's mapping is reported as SQS's: USER_INITIATED, without LastProcessingResult", async () => {
    await createFunction("cm-queue");
    const created = body(
      await conform("CreateEventSourceMapping", () =>
        lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "cm-queue", EventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:cq.orders`, BatchSize: 5 })),
      ),
    );
    expect(created).toMatchObject({ State: "Creating", StateTransitionReason: "USER_INITIATED", BatchSize: 5, FunctionArn: `${ARN}:cm-queue` });
    expect(created["LastProcessingResult"]).toBeUndefined();
    const uuid = created["UUID"] as string;
    body(await conform("GetEventSourceMapping", () => lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))));
    const updated = body(await conform("UpdateEventSourceMapping", () => lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 7 }))));
    expect(updated["BatchSize"]).toBe(7);
    body(await conform("ListEventSourceMappings", () => lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "cm-queue" }))));
    expect(body(await conform("DeleteEventSourceMapping", () => lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }))))["State"]).toBe("Deleting");
  });

  it("a stream's mapping is reported as Kinesis': User action, LastProcessingResult, and its FilterCriteria", async () => {
    await createFunction("cm-stream");
    const pattern = JSON.stringify({ data: { kind: ["order"] } });
    const created = body(
      await conform("CreateEventSourceMapping", () =>
        lambda.send(
          new CreateEventSourceMappingCommand({
            FunctionName: "cm-stream",
            EventSourceArn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/CONFORMANCE_STREAM`,
            StartingPosition: "LATEST",
            FilterCriteria: { Filters: [{ Pattern: pattern }] },
          }),
        ),
      ),
    );
    expect(created).toMatchObject({
      StateTransitionReason: "User action",
      LastProcessingResult: "No records processed",
      StartingPosition: "LATEST",
      TumblingWindowInSeconds: 0,
      MaximumRecordAgeInSeconds: -1,
      MaximumRetryAttempts: -1,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: false,
      DestinationConfig: { OnFailure: {} },
      FilterCriteria: { Filters: [{ Pattern: pattern }] },
    });
    const windowed = body(await conform("UpdateEventSourceMapping", () => lambda.send(new UpdateEventSourceMappingCommand({ UUID: created["UUID"] as string, TumblingWindowInSeconds: 60 }))));
    expect(windowed["TumblingWindowInSeconds"]).toBe(60);
    failedWith(
      await conform("UpdateEventSourceMapping", () => lambda.send(new UpdateEventSourceMappingCommand({ UUID: created["UUID"] as string, TumblingWindowInSeconds: 901 }))),
      "ValidationException",
      400,
      "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900",
    );
  });

  it("refuses a mapping for a missing function with 400, an invalid filter, and answers an unknown UUID 404", async () => {
    const source = `arn:aws:sqs:us-east-1:${ACCOUNT}:cq.refused`;
    failedWith(await conform("CreateEventSourceMapping", () => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "cm-nobody", EventSourceArn: source }))), "InvalidParameterValueException", 400, "Function does not exist");
    await createFunction("cm-refused");
    failedWith(
      await conform("CreateEventSourceMapping", () => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "cm-refused", EventSourceArn: source, FilterCriteria: { Filters: [{ Pattern: '{"body": "x"}' }] } }))),
      "InvalidParameterValueException",
      400,
      "Invalid filter pattern definition.",
    );
    failedWith(
      await conform("CreateEventSourceMapping", () => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "cm-refused", EventSourceArn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/CONFORMANCE_STREAM` }))),
      "InvalidParameterValueException",
      400,
      "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.",
    );
    failedWith(
      await conform("GetEventSourceMapping", () => lambda.send(new GetEventSourceMappingCommand({ UUID: "00000000-0000-4000-8000-000000000000" }))),
      "ResourceNotFoundException",
      404,
      "The resource you requested does not exist.",
    );
  });
});

describe("tags", () => {
  it("TagResource and UntagResource answer 204, ListTags the tags", async () => {
    await createFunction("ct-tags");
    expect((await conform("TagResource", () => lambda.send(new TagResourceCommand({ Resource: `${ARN}:ct-tags`, Tags: { a: "1", b: "2" } })))).raw.status).toBe(204);
    expect((await conform("UntagResource", () => lambda.send(new UntagResourceCommand({ Resource: `${ARN}:ct-tags`, TagKeys: ["b", "none"] })))).raw.status).toBe(204);
    expect(body(await conform("ListTags", () => lambda.send(new ListTagsCommand({ Resource: `${ARN}:ct-tags` }))))).toEqual({ Tags: { a: "1" } });
  });

  it("refuses a version's ARN and answers a missing function 404", async () => {
    await createFunction("ct-rules", { Publish: true });
    failedWith(
      await conform("TagResource", () => lambda.send(new TagResourceCommand({ Resource: `${ARN}:ct-rules:1`, Tags: { a: "1" } }))),
      "InvalidParameterValueException",
      400,
      "Tags on function aliases and versions are not supported. Please specify a function ARN.",
    );
    failedWith(await conform("ListTags", () => lambda.send(new ListTagsCommand({ Resource: `${ARN}:ct-nobody` }))), "ResourceNotFoundException", 404, `Function not found: ${ARN}:ct-nobody`);
  });
});

describe("resource-based policies", () => {
  it("AddPermission answers 201 with the statement, GetPolicy the policy, RemovePermission 204", async () => {
    await createFunction("cp-policy");
    const added = body(await conform("AddPermission", () => lambda.send(new AddPermissionCommand({ FunctionName: "cp-policy", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::bucket" }))));
    expect(JSON.parse(added["Statement"] as string)).toEqual({
      Sid: "s3",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: `${ARN}:cp-policy`,
      Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::bucket" } },
    });
    const policy = body(await conform("GetPolicy", () => lambda.send(new GetPolicyCommand({ FunctionName: "cp-policy" }))));
    expect(keys(policy)).toEqual(["Policy", "RevisionId"]);
    expect(JSON.parse(policy["Policy"] as string)).toMatchObject({ Version: "2012-10-17", Id: "default", Statement: [{ Sid: "s3" }] });
    expect((await conform("RemovePermission", () => lambda.send(new RemovePermissionCommand({ FunctionName: "cp-policy", StatementId: "s3" })))).raw.status).toBe(204);
    failedWith(await conform("GetPolicy", () => lambda.send(new GetPolicyCommand({ FunctionName: "cp-policy" }))), "ResourceNotFoundException", 404, "The resource you requested does not exist.");
  });

  it("refuses $LATEST, an invalid principal and a taken statement id", async () => {
    await createFunction("cp-rules");
    const add = (input: Record<string, unknown>) =>
      conform("AddPermission", () =>
        lambda.send(new AddPermissionCommand({ FunctionName: "cp-rules", StatementId: "x", Action: "lambda:InvokeFunction", Principal: "*", ...input } as ConstructorParameters<typeof AddPermissionCommand>[0])),
      );
    failedWith(await add({ Qualifier: "$LATEST" }), "InvalidParameterValueException", 400, "We currently do not support adding policies for $LATEST.");
    failedWith(await add({ Principal: "invalid.nonaws.com" }), "InvalidParameterValueException", 400, "The provided principal was invalid. Please check the principal and try again.");
    await add({});
    failedWith(await add({}), "ResourceConflictException", 409, "The statement id (x) provided already exists. Please provide a new statement id, or remove the existing statement.");
    failedWith(
      await conform("RemovePermission", () => lambda.send(new RemovePermissionCommand({ FunctionName: "cp-rules", StatementId: "nope" }))),
      "ResourceNotFoundException",
      404,
      "Statement nope is not found in resource policy.",
    );
  });
});

describe("code signing", () => {
  it("answers as for an account without code signing configs", async () => {
    await createFunction("cs-none");
    expect(body(await conform("GetFunctionCodeSigningConfig", () => lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: "cs-none" }))))).toEqual({ CodeSigningConfigArn: "", FunctionName: "cs-none" });
    expect((await conform("DeleteFunctionCodeSigningConfig", () => lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: "cs-none" })))).raw.status).toBe(204);
    failedWith(
      await conform("PutFunctionCodeSigningConfig", () => lambda.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: "cs-none", CodeSigningConfigArn: CSC }))),
      "CodeSigningConfigNotFoundException",
      404,
      `The code signing configuration cannot be found. Check that the provided configuration is not deleted: ${CSC}.`,
    );
    failedWith(await conform("GetCodeSigningConfig", () => lambda.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: CSC }))), "ResourceNotFoundException", 404, `The Lambda code signing configuration ${CSC} can not be found.`);
    expect(body(await conform("ListCodeSigningConfigs", () => lambda.send(new ListCodeSigningConfigsCommand({}))))).toEqual({ CodeSigningConfigs: [] });
  });

  it("finds no code signing config to update, delete or list functions of, and creates none", async () => {
    const missing = `The Lambda code signing configuration ${CSC} can not be found.`;
    failedWith(await conform("UpdateCodeSigningConfig", () => lambda.send(new UpdateCodeSigningConfigCommand({ CodeSigningConfigArn: CSC, Description: "x" }))), "ResourceNotFoundException", 404, missing);
    failedWith(await conform("DeleteCodeSigningConfig", () => lambda.send(new DeleteCodeSigningConfigCommand({ CodeSigningConfigArn: CSC }))), "ResourceNotFoundException", 404, missing);
    failedWith(await conform("ListFunctionsByCodeSigningConfig", () => lambda.send(new ListFunctionsByCodeSigningConfigCommand({ CodeSigningConfigArn: CSC }))), "ResourceNotFoundException", 404, missing);
    const profile = `arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/conformance`;
    failedWith(
      await conform("CreateCodeSigningConfig", () => lambda.send(new CreateCodeSigningConfigCommand({ AllowedPublishers: { SigningProfileVersionArns: [profile] } }))),
      "InvalidParameterValueException",
      400,
      /code signing/,
    );
  });
});

describe("layers", () => {
  const LAYER = `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:cl-layer`;

  it("PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions and DeleteLayerVersion answer as AWS does", async () => {
    const published = body(await conform("PublishLayerVersion", () => lambda.send(new PublishLayerVersionCommand({ LayerName: "cl-layer", Content: { ZipFile: CODE }, CompatibleRuntimes: ["nodejs20.x"] }))));
    expect(keys(published)).toEqual(["CompatibleRuntimes", "Content", "CreatedDate", "Description", "LayerArn", "LayerVersionArn", "Version"]);
    expect(keys(published["Content"])).toEqual(["CodeSha256", "CodeSize", "Location"]);
    expect(published).toMatchObject({ LayerArn: LAYER, LayerVersionArn: `${LAYER}:1`, Version: 1, Description: "" });
    expect(body(await conform("GetLayerVersion", () => lambda.send(new GetLayerVersionCommand({ LayerName: "cl-layer", VersionNumber: 1 }))))).toMatchObject({ LayerVersionArn: `${LAYER}:1` });
    expect(body(await conform("GetLayerVersionByArn", () => lambda.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER}:1` }))))).toMatchObject({ Version: 1 });
    const versions = body(await conform("ListLayerVersions", () => lambda.send(new ListLayerVersionsCommand({ LayerName: "cl-layer" }))));
    expect(keys((versions["LayerVersions"] as unknown[])[0])).toEqual(["CompatibleRuntimes", "CreatedDate", "Description", "LayerVersionArn", "Version"]);
    const layers = body(await conform("ListLayers", () => lambda.send(new ListLayersCommand({}))));
    expect((layers["Layers"] as { LayerName: string }[]).find((layer) => layer.LayerName === "cl-layer")).toMatchObject({ LayerArn: LAYER, LatestMatchingVersion: { Version: 1 } });
    expect((await conform("DeleteLayerVersion", () => lambda.send(new DeleteLayerVersionCommand({ LayerName: "cl-layer", VersionNumber: 1 })))).raw.status).toBe(204);
    failedWith(await conform("GetLayerVersion", () => lambda.send(new GetLayerVersionCommand({ LayerName: "cl-layer", VersionNumber: 1 }))), "ResourceNotFoundException", 404, "The resource you requested does not exist.");
  });

  it("CreateFunction with Layers answers Layers: [{Arn, CodeSize}]; a missing version and more than five are refused in AWS's words", async () => {
    const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: "cl-used", Content: { ZipFile: CODE } }));
    const created = body(await conform("CreateFunction", () => createFunction("cl-with-layer", { Layers: [layer.LayerVersionArn] })));
    expect(keys(created)).toEqual([...CREATED_KEYS, "Layers"].sort());
    expect(created["Layers"]).toEqual([{ Arn: layer.LayerVersionArn, CodeSize: CODE.length }]);
    const missing = `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:cl-none:3`;
    failedWith(await conform("CreateFunction", () => createFunction("cl-missing-layer", { Layers: [missing] })), "InvalidParameterValueException", 400, `Layer version ${missing} does not exist.`);
    failedWith(
      await conform("CreateFunction", () => createFunction("cl-six-layers", { Layers: Array.from({ length: 6 }, () => layer.LayerVersionArn) })),
      "InvalidParameterValueException",
      400,
      "Cannot reference more than 5 layers.",
    );
  });

  it("AddLayerVersionPermission, GetLayerVersionPolicy and RemoveLayerVersionPermission answer as AWS does", async () => {
    await lambda.send(new PublishLayerVersionCommand({ LayerName: "cl-policy", Content: { ZipFile: CODE } }));
    const added = body(
      await conform("AddLayerVersionPermission", () =>
        lambda.send(new AddLayerVersionPermissionCommand({ LayerName: "cl-policy", VersionNumber: 1, StatementId: "acct", Action: "lambda:GetLayerVersion", Principal: ACCOUNT })),
      ),
    );
    expect(keys(added)).toEqual(["RevisionId", "Statement"]);
    expect(JSON.parse(added["Statement"] as string)).toEqual({
      Sid: "acct",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "lambda:GetLayerVersion",
      Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:cl-policy:1`,
    });
    expect(keys(body(await conform("GetLayerVersionPolicy", () => lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "cl-policy", VersionNumber: 1 })))))).toEqual(["Policy", "RevisionId"]);
    expect((await conform("RemoveLayerVersionPermission", () => lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: "cl-policy", VersionNumber: 1, StatementId: "acct" })))).raw.status).toBe(204);
    failedWith(
      await conform("RemoveLayerVersionPermission", () => lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: "cl-policy", VersionNumber: 1, StatementId: "acct" }))),
      "ResourceNotFoundException",
      404,
      "Statement acct is not found in resource policy.",
    );
  });
});
