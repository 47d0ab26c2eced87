// The concurrency control plane on a real cluster: account settings, reserved and provisioned
// concurrency through the real AWS SDK, the account's rules, cleanup on delete, bad input, and the same
// calls through the generated lambent.v1 gRPC client. The account allows 20 concurrent executions and
// keeps 5 unreserved; every test deletes its functions, which gives their concurrency back.
import * as grpc from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateFunctionConfigurationCommand,
  type GetAccountSettingsCommandOutput,
} from "@aws-sdk/client-lambda";
import * as proto from "@lambent/proto";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { unaryCall, unaryError, type UnaryMethod } from "../fixtures/grpc-unary.js";
import { createTestFunction } from "../fixtures/deploy.js";

const ACCOUNT_LIMIT = 20;
const UNRESERVED_MINIMUM = 5;
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const STATUSES = ["IN_PROGRESS", "READY"];

let cluster: TestCluster;
let lambda: LambdaClient;
let client: proto.LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster({
    env: { LAMBENT_ACCOUNT_CONCURRENCY: String(ACCOUNT_LIMIT), LAMBENT_UNRESERVED_CONCURRENCY_MIN: String(UNRESERVED_MINIMUM) },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
});
afterAll(async () => {
  lambda?.destroy();
  client?.close();
  await cluster?.stop();
});

/** Functions a test created; deleting them afterwards gives their reserved and provisioned concurrency back. */
const created: string[] = [];
afterEach(async () => {
  for (const name of created.splice(0)) {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name })).catch((error: unknown) => {
      // A test that deleted its function itself leaves nothing to clean up.
      if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
    });
  }
});

const code = zipFiles({ "index.mjs": "export const handler = async () => 'ok';" });

async function createFunction(name: string): Promise<{ codeSize: number }> {
  created.push(name);
  const configuration = await createTestFunction(lambda, name, code);
  return { codeSize: configuration.CodeSize! };
}

/** Publishes `count` versions (1, 2, …), each after a configuration change so it is new. */
async function publishVersions(name: string, count: number): Promise<void> {
  for (let version = 1; version <= count; version += 1) {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 3 + version }));
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: name }))).Version).toBe(String(version));
  }
}

const accountSettings = (): Promise<GetAccountSettingsCommandOutput> => lambda.send(new GetAccountSettingsCommand({}));
const unreserved = async (): Promise<number> => (await accountSettings()).AccountLimit!.UnreservedConcurrentExecutions!;
const reserve = (name: string, count: number) =>
  lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: count }));
const provision = (name: string, qualifier: string, count: number) =>
  lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier, ProvisionedConcurrentExecutions: count }));
const provisioned = (name: string, qualifier: string) =>
  lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }));
const listProvisioned = async (name: string): Promise<string[]> => {
  const page = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name }));
  return (page.ProvisionedConcurrencyConfigs ?? []).map((config) => config.FunctionArn!);
};

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

/** A raw REST call, for inputs the SDK would not send and for exact status codes and bodies. */
async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; errorType: string | null; body: unknown }> {
  const response = await fetch(`${cluster.httpUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
  const text = await response.text();
  return { status: response.status, errorType: response.headers.get("x-amzn-errortype"), body: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

describe("GetAccountSettings", () => {
  it("reports Lambda's limits, the configured concurrency, and usage over every stored version", async () => {
    const before = await accountSettings();
    expect(before.AccountLimit).toEqual({
      TotalCodeSize: 80_530_636_800,
      CodeSizeUnzipped: 262_144_000,
      CodeSizeZipped: 52_428_800,
      ConcurrentExecutions: ACCOUNT_LIMIT,
      UnreservedConcurrentExecutions: ACCOUNT_LIMIT,
    });
    const a = await createFunction("cc-account-a");
    const b = await createFunction("cc-account-b");
    await publishVersions("cc-account-a", 1);
    const after = await accountSettings();
    expect(after.AccountUsage).toEqual({
      FunctionCount: before.AccountUsage!.FunctionCount! + 2,
      // $LATEST and version 1 of a both count.
      TotalCodeSize: before.AccountUsage!.TotalCodeSize! + 2 * a.codeSize + b.codeSize,
    });
  });

  it("moves UnreservedConcurrentExecutions with every reservation and its removal", async () => {
    await createFunction("cc-move-a");
    await createFunction("cc-move-b");
    const start = await unreserved();
    await reserve("cc-move-a", 4);
    expect(await unreserved()).toBe(start - 4);
    await reserve("cc-move-b", 6);
    expect(await unreserved()).toBe(start - 10);
    await reserve("cc-move-a", 2);
    expect(await unreserved()).toBe(start - 8);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "cc-move-a" }));
    expect(await unreserved()).toBe(start - 6);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "cc-move-b" }));
    expect(await unreserved()).toBe(start);
  });

  it("answers on the path with and without a trailing slash", async () => {
    for (const path of ["/2016-08-19/account-settings", "/2016-08-19/account-settings/"]) {
      const response = await rest("GET", path);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ AccountLimit: { ConcurrentExecutions: ACCOUNT_LIMIT }, AccountUsage: { FunctionCount: expect.any(Number) } });
    }
  });
});

describe("reserved concurrency", () => {
  it("puts, gets and deletes a reservation, and GetFunction reports it", async () => {
    await createFunction("cc-reserved");
    expect(await reserve("cc-reserved", 3)).toMatchObject({ ReservedConcurrentExecutions: 3 });
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "cc-reserved" }))).ReservedConcurrentExecutions).toBe(3);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "cc-reserved" }))).Concurrency).toEqual({ ReservedConcurrentExecutions: 3 });

    const deleted = await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "cc-reserved" }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "cc-reserved" }))).ReservedConcurrentExecutions).toBeUndefined();
    expect((await rest("GET", "/2019-09-30/functions/cc-reserved/concurrency")).body).toEqual({});
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "cc-reserved" }))).Concurrency).toBeUndefined();
    // Deleting a reservation that is not there succeeds, as in Lambda.
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "cc-reserved" }));
  });

  it("accepts 0, which throttles every call, and reports it as 0", async () => {
    await createFunction("cc-zero");
    const put = await rest("PUT", "/2017-10-31/functions/cc-zero/concurrency", { ReservedConcurrentExecutions: 0 });
    expect(put).toMatchObject({ status: 200, body: { ReservedConcurrentExecutions: 0 } });
    expect((await rest("GET", "/2019-09-30/functions/cc-zero/concurrency")).body).toEqual({ ReservedConcurrentExecutions: 0 });
  });

  it("refuses a reservation that would leave less than the unreserved minimum", async () => {
    await createFunction("cc-min-a");
    await createFunction("cc-min-b");
    const reservable = (await unreserved()) - UNRESERVED_MINIMUM;
    await expectError(reserve("cc-min-a", reservable + 1), "InvalidParameterValueException", 400, /minimum value of \[5\]/);
    await reserve("cc-min-a", reservable);
    expect(await unreserved()).toBe(UNRESERVED_MINIMUM);
    await expectError(reserve("cc-min-b", 1), "InvalidParameterValueException", 400, /minimum value of \[5\]/);
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "cc-min-b" }))).ReservedConcurrentExecutions).toBeUndefined();
  });

  it("refuses a reservation below the function's provisioned concurrency, and provisioned beyond the reservation", async () => {
    await createFunction("cc-below");
    await publishVersions("cc-below", 1);
    await provision("cc-below", "1", 3);
    await expectError(reserve("cc-below", 2), "InvalidParameterValueException", 400, /provisioned concurrency \[3\]/);
    await reserve("cc-below", 3);
    await expectError(provision("cc-below", "1", 4), "InvalidParameterValueException", 400, /reservedConcurrentExecution for function \[3\]/);
    expect((await provisioned("cc-below", "1")).RequestedProvisionedConcurrentExecutions).toBe(3);
  });

  it("answers ResourceNotFoundException for an unknown function", async () => {
    await expectError(reserve("cc-missing", 1), "ResourceNotFoundException", 404);
    await expectError(lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "cc-missing" })), "ResourceNotFoundException", 404);
    await expectError(lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "cc-missing" })), "ResourceNotFoundException", 404);
  });

  it("refuses a count that is negative, not an integer, a string or missing", async () => {
    await createFunction("cc-bad-reserved");
    await expectError(
      reserve("cc-bad-reserved", -1),
      "ValidationException",
      400,
      /^1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0$/,
    );
    for (const [body, errorType] of [
      [{ ReservedConcurrentExecutions: -1 }, "ValidationException"],
      [{}, "ValidationException"],
      [{ ReservedConcurrentExecutions: 1.5 }, "InvalidParameterValueException"],
      [{ ReservedConcurrentExecutions: "3" }, "InvalidParameterValueException"],
    ] as const) {
      const response = await rest("PUT", "/2017-10-31/functions/cc-bad-reserved/concurrency", body);
      expect({ body, status: response.status, errorType: response.errorType }).toEqual({ body, status: 400, errorType });
    }
    await expectError(
      reserve("cc-bad-reserved:1", 1),
      "InvalidParameterValueException",
      400,
      /^This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.$/,
    );
    expect((await rest("GET", "/2019-09-30/functions/cc-bad-reserved/concurrency")).body).toEqual({});
  });
});

describe("provisioned concurrency", () => {
  it("puts, gets, lists and deletes configs on versions and aliases, in Lambda's shapes", async () => {
    await createFunction("cc-prov");
    await publishVersions("cc-prov", 2);
    await lambda.send(new CreateAliasCommand({ FunctionName: "cc-prov", Name: "prod", FunctionVersion: "2" }));

    const put = await provision("cc-prov", "1", 2);
    expect(put.$metadata.httpStatusCode).toBe(202);
    expect(put.RequestedProvisionedConcurrentExecutions).toBe(2);
    expect(STATUSES).toContain(put.Status);
    expect(put.AllocatedProvisionedConcurrentExecutions).toBeLessThanOrEqual(2);
    expect(put.AvailableProvisionedConcurrentExecutions).toBe(put.AllocatedProvisionedConcurrentExecutions);
    expect(put.LastModified).toEqual(expect.any(String));

    const got = await provisioned("cc-prov", "1");
    expect(got.RequestedProvisionedConcurrentExecutions).toBe(2);
    expect(STATUSES).toContain(got.Status);
    expect(got.LastModified).toBe(put.LastModified);
    const raw = await rest("GET", "/2019-09-30/functions/cc-prov/provisioned-concurrency?Qualifier=1");
    expect(Object.keys(raw.body as object).sort()).toEqual([
      "AllocatedProvisionedConcurrentExecutions",
      "AvailableProvisionedConcurrentExecutions",
      "LastModified",
      "RequestedProvisionedConcurrentExecutions",
      "Status",
    ]);

    await provision("cc-prov", "prod", 1);
    await provision("cc-prov", "1", 3);
    expect((await provisioned("cc-prov", "1")).RequestedProvisionedConcurrentExecutions).toBe(3);

    const list = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "cc-prov" }));
    expect(list.NextMarker).toBeUndefined();
    expect(list.ProvisionedConcurrencyConfigs).toEqual([
      expect.objectContaining({ FunctionArn: `${ARN}:cc-prov:1`, RequestedProvisionedConcurrentExecutions: 3, Status: expect.stringMatching(/^(IN_PROGRESS|READY)$/) }),
      expect.objectContaining({ FunctionArn: `${ARN}:cc-prov:prod`, RequestedProvisionedConcurrentExecutions: 1 }),
    ]);

    const first = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "cc-prov", MaxItems: 1 }));
    expect(first.ProvisionedConcurrencyConfigs!.map((config) => config.FunctionArn)).toEqual([`${ARN}:cc-prov:1`]);
    expect(first.NextMarker).toEqual(expect.any(String));
    const second = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "cc-prov", MaxItems: 1, Marker: first.NextMarker! }));
    expect(second.ProvisionedConcurrencyConfigs!.map((config) => config.FunctionArn)).toEqual([`${ARN}:cc-prov:prod`]);
    expect(second.NextMarker).toBeUndefined();

    const deleted = await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "cc-prov", Qualifier: "1" }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    const message = /^No Provisioned Concurrency Config found for this function$/;
    await expectError(provisioned("cc-prov", "1"), "ProvisionedConcurrencyConfigNotFoundException", 404, message);
    // Deleting a config that is not there answers as a delete does, as Lambda does.
    expect((await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "cc-prov", Qualifier: "1" }))).$metadata.httpStatusCode).toBe(204);
    await expectError(
      lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "cc-prov", Qualifier: "9" })),
      "ResourceNotFoundException",
      404,
    );
    await expectError(provisioned("cc-prov", "2"), "ProvisionedConcurrencyConfigNotFoundException", 404);
    expect(await listProvisioned("cc-prov")).toEqual([`${ARN}:cc-prov:prod`]);
  });

  it("refuses $LATEST and aliases that point at it", async () => {
    await createFunction("cc-latest");
    await lambda.send(new CreateAliasCommand({ FunctionName: "cc-latest", Name: "live", FunctionVersion: "$LATEST" }));
    const message = /^Provisioned Concurrency Configs cannot be applied to unpublished function versions\.$/;
    await expectError(provision("cc-latest", "$LATEST", 1), "InvalidParameterValueException", 400, message);
    await expectError(provision("cc-latest", "live", 1), "InvalidParameterValueException", 400, message);
    expect(await listProvisioned("cc-latest")).toEqual([]);
  });

  it("answers ResourceNotFoundException for an unknown function, version or alias", async () => {
    await createFunction("cc-prov-missing");
    await publishVersions("cc-prov-missing", 1);
    await expectError(provision("cc-prov-missing", "9", 1), "ResourceNotFoundException", 404, /cc-prov-missing:9/);
    await expectError(provision("cc-prov-missing", "nope", 1), "ResourceNotFoundException", 404, /cc-prov-missing:nope/);
    await expectError(provision("cc-nothing", "1", 1), "ResourceNotFoundException", 404);
    await expectError(provisioned("cc-nothing", "1"), "ResourceNotFoundException", 404);
    await expectError(lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "cc-nothing", Qualifier: "1" })), "ResourceNotFoundException", 404);
    await expectError(lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "cc-nothing" })), "ResourceNotFoundException", 404);
  });

  it("refuses a count below 1, not an integer, a string or missing, and a missing Qualifier", async () => {
    await createFunction("cc-bad-prov");
    await publishVersions("cc-bad-prov", 1);
    await expectError(
      provision("cc-bad-prov", "1", 0),
      "ValidationException",
      400,
      /^1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1$/,
    );
    const path = "/2019-09-30/functions/cc-bad-prov/provisioned-concurrency";
    for (const [body, errorType] of [
      [{ ProvisionedConcurrentExecutions: -1 }, "ValidationException"],
      [{}, "ValidationException"],
      [{ ProvisionedConcurrentExecutions: 1.5 }, "InvalidParameterValueException"],
      [{ ProvisionedConcurrentExecutions: "2" }, "InvalidParameterValueException"],
    ] as const) {
      const response = await rest("PUT", `${path}?Qualifier=1`, body);
      expect({ body, status: response.status, errorType: response.errorType }).toEqual({ body, status: 400, errorType });
    }
    expect(await rest("PUT", path, { ProvisionedConcurrentExecutions: 1 })).toMatchObject({ status: 400, errorType: "ValidationException" });
    expect(await rest("GET", `${path}?List=SOME`)).toMatchObject({ status: 400, errorType: "InvalidParameterValueException" });
    expect(await listProvisioned("cc-bad-prov")).toEqual([]);
  });

  it("takes unreserved functions' provisioned concurrency from the pool above its minimum", async () => {
    await createFunction("cc-pool");
    await publishVersions("cc-pool", 1);
    const spare = (await unreserved()) - UNRESERVED_MINIMUM;
    await expectError(provision("cc-pool", "1", spare + 1), "InvalidParameterValueException", 400);
    expect((await provision("cc-pool", "1", spare)).RequestedProvisionedConcurrentExecutions).toBe(spare);
  });
});

describe("deletes", () => {
  it("deleting a version or an alias drops its provisioned config", async () => {
    await createFunction("cc-drop");
    await publishVersions("cc-drop", 2);
    await lambda.send(new CreateAliasCommand({ FunctionName: "cc-drop", Name: "prod", FunctionVersion: "2" }));
    await provision("cc-drop", "1", 1);
    await provision("cc-drop", "prod", 1);

    await lambda.send(new DeleteFunctionCommand({ FunctionName: "cc-drop", Qualifier: "1" }));
    expect(await listProvisioned("cc-drop")).toEqual([`${ARN}:cc-drop:prod`]);
    await lambda.send(new DeleteAliasCommand({ FunctionName: "cc-drop", Name: "prod" }));
    expect(await listProvisioned("cc-drop")).toEqual([]);
  });

  it("DeleteFunction drops the function's reservation and provisioned configs", async () => {
    await createFunction("cc-gone");
    await publishVersions("cc-gone", 1);
    await reserve("cc-gone", 4);
    await provision("cc-gone", "1", 2);
    expect(await unreserved()).toBe(ACCOUNT_LIMIT - 4);

    await lambda.send(new DeleteFunctionCommand({ FunctionName: "cc-gone" }));
    expect(await unreserved()).toBe(ACCOUNT_LIMIT);

    // The same name starts with no settings.
    await createFunction("cc-gone");
    await publishVersions("cc-gone", 1);
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "cc-gone" }))).ReservedConcurrentExecutions).toBeUndefined();
    expect(await listProvisioned("cc-gone")).toEqual([]);
    await expectError(provisioned("cc-gone", "1"), "ProvisionedConcurrencyConfigNotFoundException", 404);
  });
});

const call = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> => unaryCall(client, method, request);
const callError = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req) => unaryError(client, method, request);

describe("over gRPC", () => {
  it("GetAccountSettings and reserved concurrency answer as over HTTP", async () => {
    await createFunction("cc-grpc");
    const settings = await call(client.getAccountSettings, proto.GetAccountSettingsRequest.fromPartial({}));
    const http = await accountSettings();
    expect(settings).toEqual({
      accountLimit: {
        totalCodeSize: http.AccountLimit!.TotalCodeSize,
        codeSizeUnzipped: http.AccountLimit!.CodeSizeUnzipped,
        codeSizeZipped: http.AccountLimit!.CodeSizeZipped,
        concurrentExecutions: ACCOUNT_LIMIT,
        unreservedConcurrentExecutions: http.AccountLimit!.UnreservedConcurrentExecutions,
      },
      accountUsage: { totalCodeSize: http.AccountUsage!.TotalCodeSize, functionCount: http.AccountUsage!.FunctionCount },
    });

    const put = await call(client.putFunctionConcurrency, proto.PutFunctionConcurrencyRequest.fromPartial({ functionName: "cc-grpc", reservedConcurrentExecutions: 3 }));
    expect(put).toEqual({ reservedConcurrentExecutions: 3 });
    expect(await call(client.getFunctionConcurrency, proto.GetFunctionConcurrencyRequest.fromPartial({ functionName: "cc-grpc" }))).toEqual({
      reservedConcurrentExecutions: 3,
    });
    expect((await call(client.getFunction, proto.GetFunctionRequest.fromPartial({ functionName: "cc-grpc" }))).concurrency).toEqual({
      reservedConcurrentExecutions: 3,
    });
    const after = await call(client.getAccountSettings, proto.GetAccountSettingsRequest.fromPartial({}));
    expect(after.accountLimit!.unreservedConcurrentExecutions).toBe(settings.accountLimit!.unreservedConcurrentExecutions - 3);

    expect(await call(client.deleteFunctionConcurrency, proto.DeleteFunctionConcurrencyRequest.fromPartial({ functionName: "cc-grpc" }))).toEqual({});
    const none = await call(client.getFunctionConcurrency, proto.GetFunctionConcurrencyRequest.fromPartial({ functionName: "cc-grpc" }));
    expect(none.reservedConcurrentExecutions).toBeUndefined();
    expect((await call(client.getFunction, proto.GetFunctionRequest.fromPartial({ functionName: "cc-grpc" }))).concurrency).toBeUndefined();
  });

  it("reports errors as gRPC statuses with the Lambda type", async () => {
    await createFunction("cc-grpc-errors");
    expect(await callError(client.putFunctionConcurrency, proto.PutFunctionConcurrencyRequest.fromPartial({ functionName: "cc-grpc-errors" }))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      errorType: "ValidationException",
    });
    expect(
      await callError(client.putFunctionConcurrency, proto.PutFunctionConcurrencyRequest.fromPartial({ functionName: "cc-grpc-errors", reservedConcurrentExecutions: ACCOUNT_LIMIT })),
    ).toEqual({ code: grpc.status.INVALID_ARGUMENT, errorType: "InvalidParameterValueException" });
    expect(await callError(client.getFunctionConcurrency, proto.GetFunctionConcurrencyRequest.fromPartial({ functionName: "cc-grpc-missing" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      errorType: "ResourceNotFoundException",
    });
  });

  it("provisioned concurrency configs: put, get, list, delete and not found", async () => {
    await createFunction("cc-grpc-prov");
    await publishVersions("cc-grpc-prov", 1);
    const target = { functionName: "cc-grpc-prov", qualifier: "1" };
    const put = await call(
      client.putProvisionedConcurrencyConfig,
      proto.PutProvisionedConcurrencyConfigRequest.fromPartial({ ...target, provisionedConcurrentExecutions: 2 }),
    );
    expect(put.config).toMatchObject({ functionArn: "", requestedProvisionedConcurrentExecutions: 2 });
    expect(STATUSES).toContain(put.config!.status);
    const got = await call(client.getProvisionedConcurrencyConfig, proto.GetProvisionedConcurrencyConfigRequest.fromPartial(target));
    expect(got.config).toMatchObject({ requestedProvisionedConcurrentExecutions: 2, lastModified: put.config!.lastModified });
    const list = await call(client.listProvisionedConcurrencyConfigs, proto.ListProvisionedConcurrencyConfigsRequest.fromPartial({ functionName: "cc-grpc-prov" }));
    expect(list.provisionedConcurrencyConfigs.map((config) => config.functionArn)).toEqual([`${ARN}:cc-grpc-prov:1`]);
    expect(list.nextMarker).toBe("");

    expect(
      await callError(client.putProvisionedConcurrencyConfig, proto.PutProvisionedConcurrencyConfigRequest.fromPartial({ ...target, qualifier: "$LATEST", provisionedConcurrentExecutions: 1 })),
    ).toEqual({ code: grpc.status.INVALID_ARGUMENT, errorType: "InvalidParameterValueException" });
    await call(client.deleteProvisionedConcurrencyConfig, proto.DeleteProvisionedConcurrencyConfigRequest.fromPartial(target));
    expect(await callError(client.getProvisionedConcurrencyConfig, proto.GetProvisionedConcurrencyConfigRequest.fromPartial(target))).toEqual({
      code: grpc.status.NOT_FOUND,
      errorType: "ProvisionedConcurrencyConfigNotFoundException",
    });
  });
});
