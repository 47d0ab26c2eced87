// The control plane of asynchronous invocation on a real cluster: EventInvokeConfig through the real AWS
// SDK (shapes, defaults, merge, qualifiers, validation, pagination, cleanup when a qualifier goes away),
// DeadLetterConfig on functions, and queue stats over REST, gRPC and the CLI. gRPC parity of the same
// calls lives in event-invoke-config-grpc.test.ts.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  type FunctionEventInvokeConfig,
  type PutFunctionEventInvokeConfigCommandInput,
} from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { runCli, type CliResult } from "../fixtures/cli.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const TOPIC = "arn:aws:sns:us-east-1:000000000000:orders.succeeded";
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:orders-failed";
const FUNCTION_DESTINATION = "arn:aws:lambda:us-east-1:000000000000:function:audit:prod";

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

async function createFunction(name: string, extra: Parameters<typeof createTestFunction>[3] = {}) {
  created.push(name);
  return createTestFunction(lambda, name, code, extra);
}

/** Publishes version 1 and points alias `prod` at it. */
async function createFunctionWithVersionAndAlias(name: string): Promise<void> {
  await createFunction(name);
  expect((await lambda.send(new PublishVersionCommand({ FunctionName: name }))).Version).toBe("1");
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "prod", FunctionVersion: "1" }));
}

const put = (input: PutFunctionEventInvokeConfigCommandInput) => lambda.send(new PutFunctionEventInvokeConfigCommand(input));
const update = (input: PutFunctionEventInvokeConfigCommandInput) => lambda.send(new UpdateFunctionEventInvokeConfigCommand(input));
const get = (FunctionName: string, Qualifier?: string) => lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName, Qualifier }));
const remove = (FunctionName: string, Qualifier?: string) => lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName, Qualifier }));
const list = (FunctionName: string, Marker?: string, MaxItems?: number) =>
  lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName, Marker, MaxItems }));

/** The config's fields without LastModified, which changes with every write; fields never set are left out, as Lambda leaves them out. */
function settingsOf(config: FunctionEventInvokeConfig) {
  return {
    FunctionArn: config.FunctionArn,
    ...(config.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: config.MaximumRetryAttempts } : {}),
    ...(config.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: config.MaximumEventAgeInSeconds } : {}),
    DestinationConfig: config.DestinationConfig,
  };
}

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
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
  const text = await response.text();
  return { status: response.status, errorType: response.headers.get("x-amzn-errortype"), body: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
}

describe("PutFunctionEventInvokeConfig and GetFunctionEventInvokeConfig", () => {
  it("answer Lambda's shape, without fields that were not set, and the $LATEST-qualified ARN", async () => {
    await createFunction("eic-defaults");
    const before = Date.now();
    const answered = await put({ FunctionName: "eic-defaults", MaximumRetryAttempts: 1 });
    expect(settingsOf(answered)).toEqual({
      FunctionArn: `${ARN}:eic-defaults:$LATEST`,
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnSuccess: {}, OnFailure: {} },
    });
    expect(answered.LastModified).toBeInstanceOf(Date);
    expect(answered.LastModified!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(settingsOf(await get("eic-defaults"))).toEqual(settingsOf(answered));

    const raw = await rest("GET", "/2019-09-25/functions/eic-defaults/event-invoke-config");
    expect(raw.status).toBe(200);
    const body = raw.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["DestinationConfig", "FunctionArn", "LastModified", "MaximumRetryAttempts"]);
    // Epoch seconds, a number, as Lambda sends it.
    expect(typeof body["LastModified"]).toBe("number");
    expect(body["LastModified"]).toBeCloseTo(answered.LastModified!.getTime() / 1000, 2);
  });

  it("refuses a put that sets nothing", async () => {
    await createFunction("eic-nothing");
    await expectError(put({ FunctionName: "eic-nothing" }), "InvalidParameterValueException", 400, /^You must specify at least one of error handling or destination setting.$/);
  });

  it("stores every field and replaces the whole config on the next put", async () => {
    await createFunction("eic-replace");
    await createFunctionWithVersionAndAlias("audit");
    const full = await put({
      FunctionName: "eic-replace",
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnSuccess: { Destination: TOPIC }, OnFailure: { Destination: QUEUE } },
    });
    expect(settingsOf(full)).toEqual({
      FunctionArn: `${ARN}:eic-replace:$LATEST`,
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnSuccess: { Destination: TOPIC }, OnFailure: { Destination: QUEUE } },
    });
    const replaced = await put({ FunctionName: "eic-replace", MaximumEventAgeInSeconds: 21600, DestinationConfig: { OnFailure: { Destination: FUNCTION_DESTINATION } } });
    expect(settingsOf(replaced)).toEqual({
      FunctionArn: `${ARN}:eic-replace:$LATEST`,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: FUNCTION_DESTINATION } },
    });
    expect(settingsOf(await get("eic-replace", "$LATEST"))).toEqual(settingsOf(replaced));
  });

  it("answers 404 ResourceNotFoundException when the qualifier has no config", async () => {
    await createFunction("eic-none");
    await expectError(get("eic-none"), "ResourceNotFoundException", 404, /^The function arn:aws:lambda:us-east-1:000000000000:function:eic-none:\$LATEST doesn't have an EventInvokeConfig$/);
  });
});

describe("UpdateFunctionEventInvokeConfig", () => {
  it("merges the fields given into the config and keeps the rest", async () => {
    await createFunction("eic-merge");
    await put({ FunctionName: "eic-merge", MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120, DestinationConfig: { OnSuccess: { Destination: TOPIC } } });
    const merged = await update({ FunctionName: "eic-merge", DestinationConfig: { OnFailure: { Destination: QUEUE } } });
    expect(settingsOf(merged)).toEqual({
      FunctionArn: `${ARN}:eic-merge:$LATEST`,
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: { Destination: TOPIC }, OnFailure: { Destination: QUEUE } },
    });
    const retried = await update({ FunctionName: "eic-merge", MaximumRetryAttempts: 1 });
    expect(settingsOf(retried)).toEqual({ ...settingsOf(merged), MaximumRetryAttempts: 1 });
    // A destination given without an ARN is removed; the other stays.
    const cleared = await update({ FunctionName: "eic-merge", DestinationConfig: { OnSuccess: {} } });
    expect(cleared.DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: { Destination: QUEUE } });
    expect(settingsOf(await get("eic-merge"))).toEqual(settingsOf(cleared));
  });

  it("answers 404 when the qualifier has no config to update", async () => {
    await createFunction("eic-update-new");
    await expectError(
      update({ FunctionName: "eic-update-new", MaximumEventAgeInSeconds: 3600 }),
      "ResourceNotFoundException",
      404,
      /^The function arn:aws:lambda:us-east-1:000000000000:function:eic-update-new:\$LATEST doesn't have an EventInvokeConfig$/,
    );
  });
});

describe("DeleteFunctionEventInvokeConfig", () => {
  it("answers 204, after which the config is gone, and 404 when there is none", async () => {
    await createFunction("eic-delete");
    await put({ FunctionName: "eic-delete", MaximumRetryAttempts: 1 });
    const deleted = await rest("DELETE", "/2019-09-25/functions/eic-delete/event-invoke-config");
    expect(deleted).toEqual({ status: 204, errorType: null, body: undefined });
    await expectError(get("eic-delete"), "ResourceNotFoundException", 404, /doesn't have an EventInvokeConfig/);
    await expectError(remove("eic-delete"), "ResourceNotFoundException", 404, /doesn't have an EventInvokeConfig/);
    // Lambda's defaults apply again, and a new config can be put.
    expect((await put({ FunctionName: "eic-delete", MaximumEventAgeInSeconds: 60 })).MaximumRetryAttempts).toBeUndefined();
  });
});

describe("qualifiers", () => {
  it("keep a config each for $LATEST, a version and an alias, named by Qualifier or inside FunctionName", async () => {
    await createFunctionWithVersionAndAlias("eic-qualified");
    await put({ FunctionName: "eic-qualified", MaximumRetryAttempts: 0 });
    const version = await put({ FunctionName: "eic-qualified", Qualifier: "1", MaximumRetryAttempts: 1 });
    const alias = await put({ FunctionName: "eic-qualified:prod", MaximumEventAgeInSeconds: 600 });
    expect(version.FunctionArn).toBe(`${ARN}:eic-qualified:1`);
    expect(alias.FunctionArn).toBe(`${ARN}:eic-qualified:prod`);
    expect((await get("eic-qualified")).MaximumRetryAttempts).toBe(0);
    expect((await get("eic-qualified", "1")).MaximumRetryAttempts).toBe(1);
    expect(settingsOf(await get(`${ARN}:eic-qualified:prod`))).toEqual(settingsOf(alias));
    expect((await get("eic-qualified", "prod")).MaximumRetryAttempts).toBeUndefined();
  });

  it("answer 404 for an unknown function, version or alias, in Lambda's words for each call", async () => {
    await createFunctionWithVersionAndAlias("eic-unknown");
    for (const [FunctionName, Qualifier] of [["eic-missing", undefined], ["eic-unknown", "9"], ["eic-unknown", "staging"]] as const) {
      const missing = /^The function doesn't exist.$/;
      await expectError(put({ FunctionName, Qualifier, MaximumRetryAttempts: 0 }), "ResourceNotFoundException", 404, missing);
      await expectError(update({ FunctionName, Qualifier, MaximumRetryAttempts: 0 }), "ResourceNotFoundException", 404, missing);
      const arn = `${ARN}:${FunctionName}:${Qualifier ?? "$LATEST"}`.replaceAll("$", "\\$");
      await expectError(get(FunctionName, Qualifier), "ResourceNotFoundException", 404, new RegExp(`^The function ${arn} doesn't have an EventInvokeConfig$`));
    }
    await expectError(remove("eic-missing"), "ResourceNotFoundException", 404, /^The function arn:aws:lambda:us-east-1:000000000000:function:eic-missing:\$LATEST doesn't have an EventInvokeConfig$/);
    await expectError(list("eic-missing"), "ResourceNotFoundException", 404, /^The function doesn't exist.$/);
    await expectError(remove("eic-unknown", "9"), "ResourceNotFoundException", 404, /doesn't have an EventInvokeConfig/);
  });

  it("refuses a qualifier that contradicts the one inside FunctionName", async () => {
    await createFunctionWithVersionAndAlias("eic-contradiction");
    await expectError(
      put({ FunctionName: "eic-contradiction:prod", Qualifier: "1", MaximumRetryAttempts: 0 }),
      "InvalidParameterValueException",
      400,
      /^The derived qualifier from the function name does not match the specified qualifier.$/,
    );
  });
});

describe("ListFunctionEventInvokeConfigs", () => {
  it("lists $LATEST, versions and aliases in order, one page at a time", async () => {
    await createFunctionWithVersionAndAlias("eic-list");
    expect((await list("eic-list")).FunctionEventInvokeConfigs).toEqual([]);
    await put({ FunctionName: "eic-list", Qualifier: "prod", MaximumRetryAttempts: 0 });
    await put({ FunctionName: "eic-list", Qualifier: "1", MaximumRetryAttempts: 1 });
    await put({ FunctionName: "eic-list", MaximumRetryAttempts: 2 });
    const all = await list("eic-list");
    expect(all.NextMarker).toBeUndefined();
    expect(all.FunctionEventInvokeConfigs!.map((config) => [config.FunctionArn, config.MaximumRetryAttempts])).toEqual([
      [`${ARN}:eic-list:$LATEST`, 2],
      [`${ARN}:eic-list:1`, 1],
      [`${ARN}:eic-list:prod`, 0],
    ]);
    expect(all.FunctionEventInvokeConfigs![0]!.LastModified).toBeInstanceOf(Date);

    const arns: string[] = [];
    let marker: string | undefined;
    do {
      const page = await list("eic-list", marker, 1);
      expect(page.FunctionEventInvokeConfigs).toHaveLength(1);
      arns.push(page.FunctionEventInvokeConfigs![0]!.FunctionArn!);
      marker = page.NextMarker;
    } while (marker !== undefined);
    expect(arns).toEqual(all.FunctionEventInvokeConfigs!.map((config) => config.FunctionArn));

    const raw = await rest("GET", "/2019-09-25/functions/eic-list/event-invoke-config/list?MaxItems=2");
    expect(raw.status).toBe(200);
    expect(Object.keys(raw.body as object).sort()).toEqual(["FunctionEventInvokeConfigs", "NextMarker"]);
  });

  it("refuses a page size outside 1 to 50 and a qualified function name", async () => {
    await createFunction("eic-list-bad");
    await expectError(list("eic-list-bad", undefined, 51), "ValidationException", 400, /^1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50$/);
    expect((await rest("GET", "/2019-09-25/functions/eic-list-bad/event-invoke-config/list?MaxItems=0")).status).toBe(400);
    await expectError(list("eic-list-bad:$LATEST"), "InvalidParameterValueException", 400);
  });
});

describe("validation", () => {
  const path = "/2019-09-25/functions/eic-invalid/event-invoke-config";
  const badBodies: [string, unknown, string, RegExp][] = [
    ["MaximumRetryAttempts above 2", { MaximumRetryAttempts: 3 }, "ValidationException", /^1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2$/],
    ["MaximumRetryAttempts below 0", { MaximumRetryAttempts: -1 }, "ValidationException", /maximumRetryAttempts.*greater than or equal to 0/],
    ["a fractional MaximumRetryAttempts", { MaximumRetryAttempts: 1.5 }, "InvalidParameterValueException", /MaximumRetryAttempts must be an integer/],
    ["a string MaximumRetryAttempts", { MaximumRetryAttempts: "1" }, "InvalidParameterValueException", /MaximumRetryAttempts must be an integer/],
    ["MaximumEventAgeInSeconds below 60", { MaximumEventAgeInSeconds: 59 }, "ValidationException", /maximumEventAgeInSeconds.*greater than or equal to 60/],
    ["MaximumEventAgeInSeconds above 21600", { MaximumEventAgeInSeconds: 21601 }, "ValidationException", /maximumEventAgeInSeconds.*less than or equal to 21600/],
    ["a DestinationConfig that is not an object", { DestinationConfig: "arn" }, "InvalidParameterValueException", /DestinationConfig must be an object/],
    ["an OnSuccess that is not an object", { DestinationConfig: { OnSuccess: TOPIC } }, "InvalidParameterValueException", /OnSuccess must be an object/],
    ["a Destination that is not a string", { DestinationConfig: { OnFailure: { Destination: 7 } } }, "InvalidParameterValueException", /Destination must be a string/],
    ["a destination that is not an ARN", { DestinationConfig: { OnSuccess: { Destination: "orders" } } }, "ValidationException", /^1 validation error detected: Value 'orders' at 'destinationConfig.onSuccess.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: /],
    ["a destination of a service Lambda does not deliver to", { DestinationConfig: { OnSuccess: { Destination: `arn:aws:iam:us-east-1:000000000000:function:x` } } }, "InvalidParameterValueException", /^The provided destination config DestinationConfig\(onSuccess=OnSuccess\(destination=arn:aws:iam:us-east-1:000000000000:function:x\), onFailure=null\) is invalid.$/],
    ["an EventBridge destination", { DestinationConfig: { OnFailure: { Destination: "arn:aws:events:us-east-1:000000000000:event-bus/default" } } }, "InvalidParameterValueException", /service 'events'/],
    ["a destination subject with an empty token", { DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:a..b" } } }, "InvalidParameterValueException", /not a NATS subject/],
    ["a destination subject with a wildcard", { DestinationConfig: { OnSuccess: { Destination: "arn:aws:sns:us-east-1:000000000000:orders.*" } } }, "InvalidParameterValueException", /not a NATS subject/],
    ["a destination on Lambent's own subjects", { DestinationConfig: { OnSuccess: { Destination: "arn:aws:sqs:us-east-1:000000000000:lambent.event.x" } } }, "InvalidParameterValueException", /reserved/],
    ["a function destination with an invalid name", { DestinationConfig: { OnSuccess: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:a.b" } } }, "InvalidParameterValueException", /invalid function/],
    ["a function destination that does not exist", { DestinationConfig: { OnSuccess: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:nobody" } } }, "InvalidParameterValueException", /^The destination ARN arn:aws:lambda:us-east-1:000000000000:function:nobody is invalid.$/],
    ["the function itself as its destination", { DestinationConfig: { OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:eic-invalid" } } }, "InvalidParameterValueException", /^You can't specify the function as a destination for itself.$/],
    ["a destination without an account", { DestinationConfig: { OnSuccess: { Destination: "arn:aws:sns:us-east-1::orders" } } }, "InvalidParameterValueException", /account/],
  ];

  it.each(badBodies)("Put and Update refuse %s", async (_, body, errorType, message) => {
    await createFunction("eic-invalid");
    for (const method of ["PUT", "POST"]) {
      const answer = await rest(method, path, body);
      expect(answer.status, `${method} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.errorType).toBe(errorType);
      expect((answer.body as { message: string }).message).toMatch(message);
    }
    // Nothing was written.
    await expectError(get("eic-invalid"), "ResourceNotFoundException", 404);
  });

  it("refuses out-of-range values sent through the SDK", async () => {
    await createFunction("eic-invalid-sdk");
    await expectError(put({ FunctionName: "eic-invalid-sdk", MaximumRetryAttempts: 5 }), "ValidationException", 400);
    await expectError(update({ FunctionName: "eic-invalid-sdk", MaximumEventAgeInSeconds: 30 }), "ValidationException", 400);
    await expectError(
      put({ FunctionName: "eic-invalid-sdk", DestinationConfig: { OnFailure: { Destination: "arn:aws:s3:::bucket" } } }),
      "InvalidParameterValueException",
      400,
      /service 's3'/,
    );
  });

  it("refuses the function as its own destination through the SDK, under any qualifier, as Lambda does", async () => {
    await createFunctionWithVersionAndAlias("eic-self");
    for (const destination of [`${ARN}:eic-self`, `${ARN}:eic-self:prod`, `${ARN}:eic-self:$LATEST`]) {
      await expectError(
        put({ FunctionName: "eic-self", Qualifier: "prod", DestinationConfig: { OnSuccess: { Destination: destination } } }),
        "InvalidParameterValueException",
        400,
        /^You can't specify the function as a destination for itself\.$/,
      );
      await expectError(update({ FunctionName: "eic-self", DestinationConfig: { OnFailure: { Destination: destination } } }), "InvalidParameterValueException", 400);
    }
    await expectError(get("eic-self"), "ResourceNotFoundException", 404);
    // Another function is a destination like any other.
    await createFunction("eic-self-other");
    expect((await put({ FunctionName: "eic-self", DestinationConfig: { OnSuccess: { Destination: `${ARN}:eic-self-other` } } })).DestinationConfig?.OnSuccess?.Destination).toBe(
      `${ARN}:eic-self-other`,
    );
  });

  it("refuses a body that is not a JSON object", async () => {
    await createFunction("eic-invalid-body");
    const answer = await rest("PUT", "/2019-09-25/functions/eic-invalid-body/event-invoke-config", [1]);
    expect(answer.status).toBe(400);
    expect(answer.errorType).toBe("InvalidRequestContentException");
  });
});

describe("cleanup", () => {
  it("deleting an alias or a version drops that qualifier's config and leaves the others", async () => {
    await createFunctionWithVersionAndAlias("eic-cascade");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "eic-cascade", Timeout: 9 }));
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: "eic-cascade" }))).Version).toBe("2");
    for (const Qualifier of ["$LATEST", "1", "2", "prod"]) await put({ FunctionName: "eic-cascade", Qualifier, MaximumRetryAttempts: 1 });

    await lambda.send(new DeleteAliasCommand({ FunctionName: "eic-cascade", Name: "prod" }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "eic-cascade", Qualifier: "2" }));
    const left = (await list("eic-cascade")).FunctionEventInvokeConfigs!.map((config) => config.FunctionArn);
    expect(left).toEqual([`${ARN}:eic-cascade:$LATEST`, `${ARN}:eic-cascade:1`]);

    // A new alias of the same name starts without a config.
    await lambda.send(new CreateAliasCommand({ FunctionName: "eic-cascade", Name: "prod", FunctionVersion: "1" }));
    await expectError(get("eic-cascade", "prod"), "ResourceNotFoundException", 404, /doesn't have an EventInvokeConfig/);
  });

  it("deleting a function drops all its configs: a new function of the same name has none", async () => {
    await createFunctionWithVersionAndAlias("eic-gone");
    for (const Qualifier of ["$LATEST", "1", "prod"]) await put({ FunctionName: "eic-gone", Qualifier, MaximumRetryAttempts: 0 });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "eic-gone" }));
    await expectError(get("eic-gone"), "ResourceNotFoundException", 404, /doesn't have an EventInvokeConfig/);

    await createFunctionWithVersionAndAlias("eic-gone");
    expect((await list("eic-gone")).FunctionEventInvokeConfigs).toEqual([]);
    for (const qualifier of [undefined, "1", "prod"]) {
      await expectError(get("eic-gone", qualifier), "ResourceNotFoundException", 404, /doesn't have an EventInvokeConfig/);
    }
  });
});

describe("DeadLetterConfig", () => {
  it("is set on create, reported everywhere a configuration is, changed, kept, removed, and copied by PublishVersion", async () => {
    const createdConfig = await createFunction("dlq-fn", { DeadLetterConfig: { TargetArn: QUEUE } });
    expect(createdConfig.DeadLetterConfig).toEqual({ TargetArn: QUEUE });
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "dlq-fn" }))).DeadLetterConfig).toEqual({ TargetArn: QUEUE });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "dlq-fn" }))).Configuration!.DeadLetterConfig).toEqual({ TargetArn: QUEUE });
    const listed = (await lambda.send(new ListFunctionsCommand({}))).Functions!.find((fn) => fn.FunctionName === "dlq-fn");
    expect(listed!.DeadLetterConfig).toEqual({ TargetArn: QUEUE });

    const published = await lambda.send(new PublishVersionCommand({ FunctionName: "dlq-fn" }));
    expect(published.DeadLetterConfig).toEqual({ TargetArn: QUEUE });

    const changed = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "dlq-fn", DeadLetterConfig: { TargetArn: TOPIC } }));
    expect(changed.DeadLetterConfig).toEqual({ TargetArn: TOPIC });
    const kept = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "dlq-fn", Timeout: 7 }));
    expect(kept.DeadLetterConfig).toEqual({ TargetArn: TOPIC });
    // A change of the target alone is a new configuration: publishing makes version 2.
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: "dlq-fn" }))).Version).toBe("2");

    const removed = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "dlq-fn", DeadLetterConfig: { TargetArn: "" } }));
    expect(removed.DeadLetterConfig).toBeUndefined();
    const raw = await rest("GET", "/2015-03-31/functions/dlq-fn/configuration");
    expect(raw.body).not.toHaveProperty("DeadLetterConfig");

    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "dlq-fn" }))).Versions!;
    expect(versions.map((version) => [version.Version, version.DeadLetterConfig?.TargetArn])).toEqual([
      ["$LATEST", undefined],
      ["1", QUEUE],
      ["2", TOPIC],
    ]);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "dlq-fn", Qualifier: "1" }))).DeadLetterConfig).toEqual({ TargetArn: QUEUE });
  });

  it("is absent from functions without one", async () => {
    const plain = await createFunction("dlq-none");
    expect(plain.DeadLetterConfig).toBeUndefined();
    const createdEmpty = await createFunction("dlq-empty", { DeadLetterConfig: { TargetArn: "" } });
    expect(createdEmpty.DeadLetterConfig).toBeUndefined();
  });

  it.each([
    ["a function ARN", "arn:aws:lambda:us-east-1:000000000000:function:audit", "InvalidParameterValueException", /SNS topic or SQS queue/],
    ["something that is not an ARN", "dead-letters", "ValidationException", /^1 validation error detected: Value 'dead-letters' at 'deadLetterConfig.targetArn' failed to satisfy constraint: /],
    ["a subject with a wildcard", "arn:aws:sqs:us-east-1:000000000000:dead.>", "InvalidParameterValueException", /not a NATS subject/],
    ["an EventBridge bus", "arn:aws:events:us-east-1:000000000000:event-bus/default", "InvalidParameterValueException", /service 'events'/],
  ])("refuses %s as TargetArn on create and update", async (_, TargetArn, errorType, message) => {
    await expectError(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "dlq-bad-missing", DeadLetterConfig: { TargetArn } })),
      errorType,
      400,
      message,
    );
    created.push("dlq-bad");
    await expectError(createTestFunction(lambda, "dlq-bad", code, { DeadLetterConfig: { TargetArn } }), errorType, 400, message);
    await createFunction("dlq-bad-existing");
    await expectError(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "dlq-bad-existing", DeadLetterConfig: { TargetArn } })),
      errorType,
      400,
      message,
    );
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "dlq-bad-existing" }))).DeadLetterConfig).toBeUndefined();
  });
});

describe("queue stats", () => {
  const zeroStats = (FunctionName: string) => ({
    FunctionName,
    Depth: 0,
    OldestEventAgeMs: 0,
    Succeeded: 0,
    Retried: 0,
    DeadLettered: 0,
    DroppedForAge: 0,
  });

  it("GET /lambent/2024-01-01/functions/{name}/queue reports an empty queue and zero counters for a function without events", async () => {
    await createFunction("queue-empty");
    const answer = await rest("GET", "/lambent/2024-01-01/functions/queue-empty/queue");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(zeroStats("queue-empty"));
    expect((await rest("GET", `/lambent/2024-01-01/functions/${encodeURIComponent(`${ARN}:queue-empty`)}/queue`)).body).toEqual(zeroStats("queue-empty"));
  });

  it("answers 404 for an unknown function and 400 for a qualified one", async () => {
    const missing = await rest("GET", "/lambent/2024-01-01/functions/queue-missing/queue");
    expect(missing.status).toBe(404);
    expect(missing.errorType).toBe("ResourceNotFoundException");
    await createFunction("queue-qualified");
    const qualified = await rest("GET", "/lambent/2024-01-01/functions/queue-qualified:prod/queue");
    expect(qualified.status).toBe(400);
    expect(qualified.errorType).toBe("InvalidParameterValueException");
  });

  it("lambent queue prints the same, as JSON and for people, and exits 1 for an unknown function", async () => {
    await createFunction("queue-cli");
    const json = await lambent("queue", "queue-cli", "--json");
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(zeroStats("queue-cli"));
    const human = await lambent("queue", "--function", "queue-cli");
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^Depth:\s+0$/m);
    expect(human.stdout).toMatch(/^OldestEventAge:\s+0 ms$/m);
    expect(human.stdout).toMatch(/^DeadLettered:\s+0$/m);
    const missing = await lambent("queue", "queue-cli-missing");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);
  });
});

describe("lambent event-config and deploy --dlq", () => {
  it("changes, shows, lists and deletes a function's configs", async () => {
    await createFunctionWithVersionAndAlias("eic-cli");
    const set = await lambent("event-config", "eic-cli", "--retries", "0", "--on-failure", QUEUE, "--json");
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({
      FunctionArn: `${ARN}:eic-cli:$LATEST`,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: QUEUE } },
      LastModified: expect.any(Number),
    });
    // Settings not given stay.
    const merged = await lambent("event-config", "eic-cli", "--max-age", "600", "--on-success", TOPIC);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^MaximumRetryAttempts:\s+0$/m);
    expect(merged.stdout).toMatch(/^MaximumEventAge:\s+600 s$/m);
    expect(merged.stdout).toMatch(new RegExp(`^OnFailure:\\s+${QUEUE}$`, "m"));
    const cleared = await lambent("event-config", "eic-cli", "--on-success", "", "--json");
    expect(JSON.parse(cleared.stdout).DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: { Destination: QUEUE } });

    const aliasSet = await lambent("event-config", "eic-cli", "--qualifier", "prod", "--retries", "1");
    expect(aliasSet.code, aliasSet.stderr).toBe(0);
    const shown = await lambent("event-config", "eic-cli", "--qualifier", "prod");
    expect(shown.stdout).toMatch(new RegExp(`^FunctionArn:\\s+${ARN.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:eic-cli:prod$`, "m"));
    expect(shown.stdout).toMatch(/^OnSuccess:\s+none$/m);

    const listed = await lambent("event-config", "eic-cli", "--list");
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split("\n")[0]).toMatch(/^QUALIFIER\s+RETRIES\s+MAX AGE\s+ON SUCCESS\s+ON FAILURE$/);
    expect(listed.stdout).toMatch(/^\$LATEST\s+0\s+600 s\s+-\s+arn:aws:sqs/m);
    expect(listed.stdout).toMatch(/^prod\s+1\s+default\s+-\s+-$/m);

    const deleted = await lambent("event-config", "eic-cli", "--qualifier", "prod", "--delete", "--json");
    expect(JSON.parse(deleted.stdout)).toEqual({ FunctionName: "eic-cli", Qualifier: "prod", Deleted: true });
    const gone = await lambent("event-config", "eic-cli", "--qualifier", "prod");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/ResourceNotFoundException: .*doesn't have an EventInvokeConfig/);

    const invalid = await lambent("event-config", "eic-cli", "--retries", "5");
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/ValidationException: 1 validation error detected: Value '5' at 'maximumRetryAttempts'/);
    const usage = await lambent("event-config", "eic-cli", "--retries", "1", "--delete");
    expect(usage.code).toBe(2);
  });

  it("deploy --dlq sets the dead-letter target on create and changes or removes it on update", async () => {
    const folder = await mkdtemp(join(tmpdir(), "lambent-dlq-fn-"));
    try {
      await writeFile(join(folder, "index.js"), "exports.handler = async () => 'ok';\n");
      created.push("dlq-cli");
      const createdFn = await lambent("deploy", folder, "--name", "dlq-cli", "--dlq", QUEUE, "--json");
      expect(createdFn.code, createdFn.stderr).toBe(0);
      expect(JSON.parse(createdFn.stdout).DeadLetterConfig).toEqual({ TargetArn: QUEUE });
      const shown = await lambent("get", "dlq-cli");
      expect(shown.stdout).toMatch(new RegExp(`^DeadLetterTarget:\\s+${QUEUE}$`, "m"));
      const changed = await lambent("deploy", folder, "--name", "dlq-cli", "--dlq", TOPIC, "--json");
      expect(changed.code, changed.stderr).toBe(0);
      expect(JSON.parse(changed.stdout).DeadLetterConfig).toEqual({ TargetArn: TOPIC });
      const removed = await lambent("deploy", folder, "--name", "dlq-cli", "--dlq", "", "--json");
      expect(removed.code, removed.stderr).toBe(0);
      expect(JSON.parse(removed.stdout).DeadLetterConfig).toBeUndefined();
      const refused = await lambent("deploy", folder, "--name", "dlq-cli", "--dlq", "arn:aws:lambda:us-east-1:000000000000:function:x");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/InvalidParameterValueException/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
