// Asynchronous invocation's control plane through the generated lambent.v1 gRPC client on a real cluster:
// the same EventInvokeConfig, DeadLetterConfig and queue stats calls as event-invoke-config.test.ts, with
// their answers and errors as gRPC statuses.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as proto from "@lambent/proto";
import { startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { unaryCall, unaryError, type UnaryMethod } from "../fixtures/grpc-unary.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const TOPIC = "arn:aws:sns:us-east-1:000000000000:orders.succeeded";
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:orders-failed";

let cluster: TestCluster;
let client: proto.LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

const call = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> => unaryCall(client, method, request);
const callError = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req) => unaryError(client, method, request);

const code = zipFiles({ "index.mjs": "export const handler = async () => 'ok';" });

async function createFunction(name: string, deadLetterConfig?: proto.DeadLetterConfig): Promise<proto.FunctionConfiguration> {
  const response = await call(
    client.createFunction,
    proto.CreateFunctionRequest.fromPartial({
      functionName: name,
      runtime: "nodejs20.x",
      handler: "index.handler",
      role: "arn:aws:iam::000000000000:role/test",
      zipFile: Buffer.from(code),
      ...(deadLetterConfig === undefined ? {} : { deadLetterConfig }),
    }),
  );
  return response.configuration!;
}

/** The config without lastModified, which changes with every write. */
function settingsOf(config: proto.FunctionEventInvokeConfig | undefined) {
  expect(config).toBeDefined();
  const { lastModified, ...settings } = config!;
  expect(lastModified).toBeGreaterThan(1_600_000_000);
  return settings;
}

const none = { onSuccess: { destination: "" }, onFailure: { destination: "" } };

describe("lambent.v1.Lambda EventInvokeConfig RPCs", () => {
  it("Put answers only the fields set, Get reads it back, Update merges, Delete removes", async () => {
    await createFunction("grpc-eic");
    expect(await callError(client.putFunctionEventInvokeConfig, proto.PutFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic" }))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      errorType: "InvalidParameterValueException",
    });
    const put = await call(client.putFunctionEventInvokeConfig, proto.PutFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic", maximumRetryAttempts: 1 }));
    expect(settingsOf(put.config)).toEqual({
      functionArn: `${ARN}:grpc-eic:$LATEST`,
      maximumRetryAttempts: 1,
      destinationConfig: none,
    });

    // 0 is a value, not "unset".
    const zero = await call(
      client.putFunctionEventInvokeConfig,
      proto.PutFunctionEventInvokeConfigRequest.fromPartial({
        functionName: "grpc-eic",
        maximumRetryAttempts: 0,
        maximumEventAgeInSeconds: 60,
        destinationConfig: { onSuccess: { destination: TOPIC } },
      }),
    );
    expect(settingsOf(zero.config)).toEqual({
      functionArn: `${ARN}:grpc-eic:$LATEST`,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
      destinationConfig: { onSuccess: { destination: TOPIC }, onFailure: { destination: "" } },
    });

    const merged = await call(
      client.updateFunctionEventInvokeConfig,
      proto.UpdateFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic", destinationConfig: { onFailure: { destination: QUEUE } } }),
    );
    expect(settingsOf(merged.config)).toEqual({
      functionArn: `${ARN}:grpc-eic:$LATEST`,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
      destinationConfig: { onSuccess: { destination: TOPIC }, onFailure: { destination: QUEUE } },
    });
    // A destination set with an empty ARN is removed; one left unset stays.
    const cleared = await call(
      client.updateFunctionEventInvokeConfig,
      proto.UpdateFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic", destinationConfig: { onSuccess: { destination: "" } } }),
    );
    expect(cleared.config?.destinationConfig).toEqual({ onSuccess: { destination: "" }, onFailure: { destination: QUEUE } });

    const got = await call(client.getFunctionEventInvokeConfig, proto.GetFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic" }));
    expect(settingsOf(got.config)).toEqual(settingsOf(cleared.config));

    expect(await call(client.deleteFunctionEventInvokeConfig, proto.DeleteFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic" }))).toEqual({});
    expect(await callError(client.getFunctionEventInvokeConfig, proto.GetFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      errorType: "ResourceNotFoundException",
    });
    expect(await callError(client.deleteFunctionEventInvokeConfig, proto.DeleteFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      errorType: "ResourceNotFoundException",
    });
  });

  it("keeps a config per qualifier and lists them in order, one page at a time", async () => {
    await createFunction("grpc-eic-list");
    await call(client.publishVersion, proto.PublishVersionRequest.fromPartial({ functionName: "grpc-eic-list" }));
    await call(client.createAlias, proto.CreateAliasRequest.fromPartial({ functionName: "grpc-eic-list", name: "prod", functionVersion: "1" }));
    for (const qualifier of ["prod", "1", ""]) {
      await call(client.putFunctionEventInvokeConfig, proto.PutFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic-list", qualifier, maximumRetryAttempts: 0 }));
    }
    const all = await call(client.listFunctionEventInvokeConfigs, proto.ListFunctionEventInvokeConfigsRequest.fromPartial({ functionName: "grpc-eic-list" }));
    expect(all.nextMarker).toBe("");
    expect(all.functionEventInvokeConfigs.map((config) => config.functionArn)).toEqual([
      `${ARN}:grpc-eic-list:$LATEST`,
      `${ARN}:grpc-eic-list:1`,
      `${ARN}:grpc-eic-list:prod`,
    ]);
    const first = await call(
      client.listFunctionEventInvokeConfigs,
      proto.ListFunctionEventInvokeConfigsRequest.fromPartial({ functionName: "grpc-eic-list", maxItems: 2 }),
    );
    expect(first.functionEventInvokeConfigs).toHaveLength(2);
    const second = await call(
      client.listFunctionEventInvokeConfigs,
      proto.ListFunctionEventInvokeConfigsRequest.fromPartial({ functionName: "grpc-eic-list", maxItems: 2, marker: first.nextMarker }),
    );
    expect(second.functionEventInvokeConfigs.map((config) => config.functionArn)).toEqual([`${ARN}:grpc-eic-list:prod`]);
    expect(second.nextMarker).toBe("");

    // Deleting the alias drops its config.
    await call(client.deleteAlias, proto.DeleteAliasRequest.fromPartial({ functionName: "grpc-eic-list", name: "prod" }));
    const left = await call(client.listFunctionEventInvokeConfigs, proto.ListFunctionEventInvokeConfigsRequest.fromPartial({ functionName: "grpc-eic-list" }));
    expect(left.functionEventInvokeConfigs.map((config) => config.functionArn)).toEqual([`${ARN}:grpc-eic-list:$LATEST`, `${ARN}:grpc-eic-list:1`]);
  });

  it("answers INVALID_ARGUMENT for bad values and ARNs, NOT_FOUND for unknown functions and qualifiers", async () => {
    await createFunction("grpc-eic-bad");
    const invalid = { code: grpc.status.INVALID_ARGUMENT, errorType: "InvalidParameterValueException" };
    const validation = { code: grpc.status.INVALID_ARGUMENT, errorType: "ValidationException" };
    const notFound = { code: grpc.status.NOT_FOUND, errorType: "ResourceNotFoundException" };
    for (const [fields, refusal] of [
      [{ maximumRetryAttempts: 3 }, validation],
      [{ maximumEventAgeInSeconds: 59 }, validation],
      [{ maximumEventAgeInSeconds: 21601 }, validation],
      [{ destinationConfig: { onFailure: { destination: "not-an-arn" } } }, validation],
      [{ destinationConfig: { onSuccess: { destination: "arn:aws:sqs:us-east-1:000000000000:a..b" } } }, invalid],
      // The function as its own destination.
      [{ destinationConfig: { onSuccess: { destination: `${ARN}:grpc-eic-bad:$LATEST` } } }, invalid],
    ] as const) {
      expect(await callError(client.putFunctionEventInvokeConfig, proto.PutFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic-bad", ...fields }))).toEqual(refusal);
      expect(
        await callError(client.updateFunctionEventInvokeConfig, proto.UpdateFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic-bad", ...fields })),
      ).toEqual(refusal);
    }
    expect(
      await callError(client.listFunctionEventInvokeConfigs, proto.ListFunctionEventInvokeConfigsRequest.fromPartial({ functionName: "grpc-eic-bad", maxItems: 51 })),
    ).toEqual(validation);
    expect(
      await callError(client.putFunctionEventInvokeConfig, proto.PutFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic-missing", maximumRetryAttempts: 0 })),
    ).toEqual(notFound);
    expect(
      await callError(client.putFunctionEventInvokeConfig, proto.PutFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic-bad", qualifier: "4", maximumRetryAttempts: 0 })),
    ).toEqual(notFound);
    expect(
      await callError(client.getFunctionEventInvokeConfig, proto.GetFunctionEventInvokeConfigRequest.fromPartial({ functionName: "grpc-eic-bad", qualifier: "beta" })),
    ).toEqual(notFound);
    expect(await callError(client.listFunctionEventInvokeConfigs, proto.ListFunctionEventInvokeConfigsRequest.fromPartial({ functionName: "grpc-eic-missing" }))).toEqual(
      notFound,
    );
  });
});

describe("lambent.v1.Lambda DeadLetterConfig", () => {
  it("is set on create, changed and removed by UpdateFunctionConfiguration, and left alone when unset", async () => {
    const createdFn = await createFunction("grpc-dlq", { targetArn: QUEUE });
    expect(createdFn.deadLetterConfig).toEqual({ targetArn: QUEUE });
    const read = await call(client.getFunctionConfiguration, proto.GetFunctionConfigurationRequest.fromPartial({ functionName: "grpc-dlq" }));
    expect(read.configuration?.deadLetterConfig).toEqual({ targetArn: QUEUE });

    const changed = await call(
      client.updateFunctionConfiguration,
      proto.UpdateFunctionConfigurationRequest.fromPartial({ functionName: "grpc-dlq", deadLetterConfig: { targetArn: TOPIC } }),
    );
    expect(changed.configuration?.deadLetterConfig).toEqual({ targetArn: TOPIC });
    const kept = await call(client.updateFunctionConfiguration, proto.UpdateFunctionConfigurationRequest.fromPartial({ functionName: "grpc-dlq", timeout: 9 }));
    expect(kept.configuration?.deadLetterConfig).toEqual({ targetArn: TOPIC });
    const removed = await call(
      client.updateFunctionConfiguration,
      proto.UpdateFunctionConfigurationRequest.fromPartial({ functionName: "grpc-dlq", deadLetterConfig: { targetArn: "" } }),
    );
    expect(removed.configuration?.deadLetterConfig).toBeUndefined();

    expect(
      await callError(
        client.updateFunctionConfiguration,
        proto.UpdateFunctionConfigurationRequest.fromPartial({
          functionName: "grpc-dlq",
          deadLetterConfig: { targetArn: "arn:aws:lambda:us-east-1:000000000000:function:grpc-dlq" },
        }),
      ),
    ).toEqual({ code: grpc.status.INVALID_ARGUMENT, errorType: "InvalidParameterValueException" });
  });
});

describe("lambent.v1.Lambda GetQueueStats", () => {
  it("reports an empty queue and zero counters for a function without events, NOT_FOUND for an unknown one", async () => {
    await createFunction("grpc-queue");
    expect(await call(client.getQueueStats, proto.GetQueueStatsRequest.fromPartial({ functionName: "grpc-queue" }))).toEqual({
      functionName: "grpc-queue",
      depth: 0,
      oldestEventAgeMs: 0,
      succeeded: 0,
      retried: 0,
      deadLettered: 0,
      droppedForAge: 0,
    });
    expect(await callError(client.getQueueStats, proto.GetQueueStatsRequest.fromPartial({ functionName: "grpc-queue-missing" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      errorType: "ResourceNotFoundException",
    });
  });
});
