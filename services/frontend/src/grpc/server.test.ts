// The gRPC adapter over an in-memory FrontendApi: fields map both ways, errors become statuses with
// the Lambda type in trailers, and health and reflection answer. Real-cluster behaviour is tested elsewhere.
import { createRequire } from "node:module";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LambdaError, provisionedConcurrencyConfigNotFound, resourceConflict, resourceNotFound, throttled } from "@lambent/errors";
import * as proto from "@lambent/proto";
import { createLogger } from "@lambent/telemetry";
import type {
  AccountSettings,
  AliasConfiguration,
  FunctionConcurrency,
  FunctionConfiguration,
  FunctionEventInvokeConfig,
  FunctionUrlConfigResponse,
  GetFunctionResponse,
  ListAliasesResponse,
  ListFunctionEventInvokeConfigsResponse,
  ListFunctionsResponse,
  SearchFunctionsResponse,
  ListProvisionedConcurrencyConfigsResponse,
  ListVersionsResponse,
  ProvisionedConcurrencyConfiguration,
  QueueStatsResponse,
  ListFunctionUrlConfigsResponse,
  ListTagsResponse,
  AddPermissionResponse,
  GetPolicyResponse,
  RuntimeManagementConfig,
} from "@lambent/lambda-api";
import type { FrontendApi, InvokeInput, InvokeOutput } from "../api.js";
import type { ListOptions } from "../control-plane/pagination.js";
import { buildGrpcServer, type GrpcServer } from "./server.js";

const configuration: FunctionConfiguration = {
  FunctionName: "hello",
  FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
  Runtime: "nodejs20.x",
  Role: "arn:aws:iam::000000000000:role/runner",
  Handler: "index.handler",
  CodeSize: 5_000_000_000,
  Description: "says hello",
  Timeout: 30,
  MemorySize: 256,
  LastModified: "2024-01-02T03:04:05.678+0000",
  CodeSha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
  Version: "$LATEST",
  Environment: { Variables: { GREETING: "hi" } },
  RevisionId: "rev-1",
  State: "Active",
  LastUpdateStatus: "Successful",
  PackageType: "Zip",
  Architectures: ["x86_64"],
  EphemeralStorage: { Size: 512 },
  TracingConfig: { Mode: "PassThrough" },
  LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/hello" },
  SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
  RuntimeVersionConfig: { RuntimeVersionArn: "arn:aws:lambda:us-east-1::runtime:0123" },
};

const protoConfiguration: proto.FunctionConfiguration = {
  functionName: "hello",
  functionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
  runtime: "nodejs20.x",
  role: "arn:aws:iam::000000000000:role/runner",
  handler: "index.handler",
  codeSize: 5_000_000_000,
  description: "says hello",
  timeout: 30,
  memorySize: 256,
  lastModified: "2024-01-02T03:04:05.678+0000",
  codeSha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
  version: "$LATEST",
  environment: { GREETING: "hi" },
  revisionId: "rev-1",
  state: "Active",
  lastUpdateStatus: "Successful",
  packageType: "Zip",
  architectures: ["x86_64"],
  ephemeralStorageSize: 512,
  stateReason: "",
  stateReasonCode: "",
  lastUpdateStatusReason: "",
  lastUpdateStatusReasonCode: "",
  tracingMode: "PassThrough",
  loggingConfig: { logFormat: "Text", logGroup: "/aws/lambda/hello", applicationLogLevel: "", systemLogLevel: "" },
  runtimeVersionArn: "arn:aws:lambda:us-east-1::runtime:0123",
  layers: [],
};

const alias: AliasConfiguration = {
  AliasArn: "arn:aws:lambda:us-east-1:000000000000:function:hello:prod",
  Name: "prod",
  FunctionVersion: "3",
  Description: "live traffic",
  RoutingConfig: { AdditionalVersionWeights: { "4": 0.1 } },
  RevisionId: "alias-rev-1",
  PreviousVersion: "2",
};

const protoAlias: proto.AliasConfiguration = {
  aliasArn: "arn:aws:lambda:us-east-1:000000000000:function:hello:prod",
  name: "prod",
  functionVersion: "3",
  description: "live traffic",
  routingConfig: { additionalVersionWeights: { "4": 0.1 } },
  revisionId: "alias-rev-1",
  previousVersion: "2",
};

const provisionedConfig: ProvisionedConcurrencyConfiguration = {
  RequestedProvisionedConcurrentExecutions: 4,
  AvailableProvisionedConcurrentExecutions: 1,
  AllocatedProvisionedConcurrentExecutions: 1,
  Status: "IN_PROGRESS",
  LastModified: "2024-01-02T03:04:05.678+0000",
};

const protoProvisionedConfig: proto.ProvisionedConcurrencyConfig = {
  functionArn: "",
  requestedProvisionedConcurrentExecutions: 4,
  availableProvisionedConcurrentExecutions: 1,
  allocatedProvisionedConcurrentExecutions: 1,
  status: "IN_PROGRESS",
  lastModified: "2024-01-02T03:04:05.678+0000",
};

const eventInvokeConfig: FunctionEventInvokeConfig = {
  LastModified: 1_700_000_000.123,
  FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello:prod",
  MaximumRetryAttempts: 0,
  MaximumEventAgeInSeconds: 3600,
  DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failed" } },
};

const functionUrlConfig: FunctionUrlConfigResponse = {
  FunctionUrl: "http://127.0.0.1:8080/lambent-url/abcdefghijklmnopqrstuvwxyz012345/",
  FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello:prod",
  AuthType: "NONE",
  Cors: { AllowOrigins: ["https://app.example"], MaxAge: 60 },
  CreationTime: "2024-01-02T03:04:05.678Z",
  LastModifiedTime: "2024-01-02T03:04:06.000Z",
  InvokeMode: "BUFFERED",
};

const protoEventInvokeConfig: proto.FunctionEventInvokeConfig = {
  functionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello:prod",
  maximumRetryAttempts: 0,
  maximumEventAgeInSeconds: 3600,
  destinationConfig: { onSuccess: { destination: "" }, onFailure: { destination: "arn:aws:sqs:us-east-1:000000000000:failed" } },
  lastModified: 1_700_000_000.123,
};

/** Records what the adapter passed in; answers with canned responses or the error it is told to throw. */
class FakeApi implements FrontendApi {
  calls: Array<{ method: string; args: unknown[] }> = [];
  failure: unknown = undefined;
  invokeOutput: InvokeOutput = { statusCode: 200, requestId: "req-1", payload: new Uint8Array() };

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failure !== undefined) throw this.failure;
  }

  lastCall(): { method: string; args: unknown[] } {
    const call = this.calls.at(-1);
    if (!call) throw new Error("no call recorded");
    return call;
  }

  controlPlane = {
    createFunction: async (body: unknown): Promise<FunctionConfiguration> => {
      this.record("createFunction", body);
      return configuration;
    },
    getFunction: async (functionName: string, qualifier?: string): Promise<GetFunctionResponse> => {
      this.record("getFunction", functionName, qualifier);
      return { Configuration: configuration, Code: { RepositoryType: "S3", Location: "http://code/hello.zip" }, Tags: { team: "a" } };
    },
    getFunctionConfiguration: async (functionName: string, qualifier?: string): Promise<FunctionConfiguration> => {
      this.record("getFunctionConfiguration", functionName, qualifier);
      return configuration;
    },
    listFunctions: async (options: { marker?: string; maxItems?: string | number }): Promise<ListFunctionsResponse> => {
      this.record("listFunctions", options);
      return { Functions: [configuration, { ...configuration, FunctionName: "other", Environment: undefined }], NextMarker: "m2" };
    },
    searchFunctions: async (options: { search?: string | undefined }): Promise<SearchFunctionsResponse> => {
      this.record("searchFunctions", options);
      return { Functions: [configuration], Matched: 1, Total: 2 };
    },
    updateFunctionCode: async (functionName: string, body: unknown): Promise<FunctionConfiguration> => {
      this.record("updateFunctionCode", functionName, body);
      return configuration;
    },
    updateFunctionConfiguration: async (functionName: string, body: unknown): Promise<FunctionConfiguration> => {
      this.record("updateFunctionConfiguration", functionName, body);
      return configuration;
    },
    deleteFunction: async (functionName: string, qualifier?: string): Promise<void> => {
      this.record("deleteFunction", functionName, qualifier);
    },
    publishVersion: async (functionName: string, body: unknown): Promise<FunctionConfiguration> => {
      this.record("publishVersion", functionName, body);
      return { ...configuration, Version: "3", FunctionArn: `${configuration.FunctionArn}:3` };
    },
    listVersionsByFunction: async (functionName: string, options: ListOptions): Promise<ListVersionsResponse> => {
      this.record("listVersionsByFunction", functionName, options);
      return { Versions: [configuration, { ...configuration, Version: "1" }], NextMarker: "v2" };
    },
    createAlias: async (functionName: string, body: unknown): Promise<AliasConfiguration> => {
      this.record("createAlias", functionName, body);
      return alias;
    },
    getAlias: async (functionName: string, aliasName: string): Promise<AliasConfiguration> => {
      this.record("getAlias", functionName, aliasName);
      return alias;
    },
    updateAlias: async (functionName: string, aliasName: string, body: unknown): Promise<AliasConfiguration> => {
      this.record("updateAlias", functionName, aliasName, body);
      return alias;
    },
    deleteAlias: async (functionName: string, aliasName: string): Promise<void> => {
      this.record("deleteAlias", functionName, aliasName);
    },
    listAliases: async (functionName: string, options: ListOptions & { functionVersion?: string }): Promise<ListAliasesResponse> => {
      this.record("listAliases", functionName, options);
      const unsplit: AliasConfiguration = { ...alias, Name: "beta", RoutingConfig: undefined, PreviousVersion: undefined };
      return { Aliases: [alias, unsplit], NextMarker: "a2" };
    },
    getAccountSettings: async (): Promise<AccountSettings> => {
      this.record("getAccountSettings");
      return {
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: 1000,
          UnreservedConcurrentExecutions: 900,
        },
        AccountUsage: { TotalCodeSize: 5_000_000_000, FunctionCount: 3 },
      };
    },
    putFunctionConcurrency: async (functionName: string, body: unknown): Promise<FunctionConcurrency> => {
      this.record("putFunctionConcurrency", functionName, body);
      return { ReservedConcurrentExecutions: 0 };
    },
    reserved: undefined as number | undefined,
    getFunctionConcurrency: async (functionName: string): Promise<FunctionConcurrency> => {
      this.record("getFunctionConcurrency", functionName);
      const reserved = this.controlPlane.reserved;
      return reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved };
    },
    deleteFunctionConcurrency: async (functionName: string): Promise<void> => {
      this.record("deleteFunctionConcurrency", functionName);
    },
    putProvisionedConcurrencyConfig: async (functionName: string, qualifier: string | undefined, body: unknown): Promise<ProvisionedConcurrencyConfiguration> => {
      this.record("putProvisionedConcurrencyConfig", functionName, qualifier, body);
      return provisionedConfig;
    },
    getProvisionedConcurrencyConfig: async (functionName: string, qualifier: string | undefined): Promise<ProvisionedConcurrencyConfiguration> => {
      this.record("getProvisionedConcurrencyConfig", functionName, qualifier);
      return provisionedConfig;
    },
    deleteProvisionedConcurrencyConfig: async (functionName: string, qualifier: string | undefined): Promise<void> => {
      this.record("deleteProvisionedConcurrencyConfig", functionName, qualifier);
    },
    listProvisionedConcurrencyConfigs: async (functionName: string, options: ListOptions): Promise<ListProvisionedConcurrencyConfigsResponse> => {
      this.record("listProvisionedConcurrencyConfigs", functionName, options);
      return {
        ProvisionedConcurrencyConfigs: [{ ...provisionedConfig, FunctionArn: `${configuration.FunctionArn}:1`, Status: "READY" }],
        NextMarker: "p2",
      };
    },
    putFunctionEventInvokeConfig: async (functionName: string, qualifier: string | undefined, body: unknown): Promise<FunctionEventInvokeConfig> => {
      this.record("putFunctionEventInvokeConfig", functionName, qualifier, body);
      return eventInvokeConfig;
    },
    updateFunctionEventInvokeConfig: async (functionName: string, qualifier: string | undefined, body: unknown): Promise<FunctionEventInvokeConfig> => {
      this.record("updateFunctionEventInvokeConfig", functionName, qualifier, body);
      return eventInvokeConfig;
    },
    getFunctionEventInvokeConfig: async (functionName: string, qualifier: string | undefined): Promise<FunctionEventInvokeConfig> => {
      this.record("getFunctionEventInvokeConfig", functionName, qualifier);
      return eventInvokeConfig;
    },
    deleteFunctionEventInvokeConfig: async (functionName: string, qualifier: string | undefined): Promise<void> => {
      this.record("deleteFunctionEventInvokeConfig", functionName, qualifier);
    },
    listFunctionEventInvokeConfigs: async (functionName: string, options: ListOptions): Promise<ListFunctionEventInvokeConfigsResponse> => {
      this.record("listFunctionEventInvokeConfigs", functionName, options);
      return { FunctionEventInvokeConfigs: [eventInvokeConfig], NextMarker: "e2" };
    },
    createFunctionUrlConfig: async (functionName: string, qualifier: string | undefined, body: unknown): Promise<FunctionUrlConfigResponse> => {
      this.record("createFunctionUrlConfig", functionName, qualifier, body);
      return functionUrlConfig;
    },
    getFunctionUrlConfig: async (functionName: string, qualifier: string | undefined): Promise<FunctionUrlConfigResponse> => {
      this.record("getFunctionUrlConfig", functionName, qualifier);
      return functionUrlConfig;
    },
    updateFunctionUrlConfig: async (functionName: string, qualifier: string | undefined, body: unknown): Promise<FunctionUrlConfigResponse> => {
      this.record("updateFunctionUrlConfig", functionName, qualifier, body);
      return functionUrlConfig;
    },
    deleteFunctionUrlConfig: async (functionName: string, qualifier: string | undefined): Promise<void> => {
      this.record("deleteFunctionUrlConfig", functionName, qualifier);
    },
    listFunctionUrlConfigs: async (functionName: string, options: ListOptions): Promise<ListFunctionUrlConfigsResponse> => {
      this.record("listFunctionUrlConfigs", functionName, options);
      return { FunctionUrlConfigs: [functionUrlConfig] };
    },
    tagResource: async (resource: string, body: unknown): Promise<void> => {
      this.record("tagResource", resource, body);
    },
    untagResource: async (resource: string, tagKeys: string[] | undefined): Promise<void> => {
      this.record("untagResource", resource, tagKeys);
    },
    listTags: async (resource: string): Promise<ListTagsResponse> => {
      this.record("listTags", resource);
      return { Tags: { team: "core" } };
    },
    addPermission: async (functionName: string, qualifier: string | undefined, body: unknown): Promise<AddPermissionResponse> => {
      this.record("addPermission", functionName, qualifier, body);
      return { Statement: '{"Sid":"s3"}' };
    },
    removePermission: async (functionName: string, statementId: string, qualifier: string | undefined, revisionId: string | undefined): Promise<void> => {
      this.record("removePermission", functionName, statementId, qualifier, revisionId);
    },
    getPolicy: async (functionName: string, qualifier: string | undefined): Promise<GetPolicyResponse> => {
      this.record("getPolicy", functionName, qualifier);
      return { Policy: '{"Version":"2012-10-17","Id":"default","Statement":[]}', RevisionId: "rev-p" };
    },
    getRuntimeManagementConfig: async (functionName: string, qualifier: string | undefined): Promise<RuntimeManagementConfig> => {
      this.record("getRuntimeManagementConfig", functionName, qualifier);
      return { UpdateRuntimeOn: "Auto", FunctionArn: configuration.FunctionArn };
    },
    getQueueStats: async (functionName: string): Promise<QueueStatsResponse> => {
      this.record("getQueueStats", functionName);
      return { FunctionName: functionName, Depth: 3, OldestEventAgeMs: 5_000_000_000, Succeeded: 7, Retried: 2, DeadLettered: 1, DroppedForAge: 0 };
    },
  };

  invoker = {
    invoke: async (input: InvokeInput): Promise<InvokeOutput> => {
      this.record("invoke", input);
      return this.invokeOutput;
    },
  };
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

function call<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

function callError<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<grpc.ServiceError> {
  return call(method, request).then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: grpc.ServiceError) => error,
  );
}

const api = new FakeApi();
let grpcServer: GrpcServer;
let address: string;
let client: proto.LambdaClient;

beforeAll(async () => {
  grpcServer = buildGrpcServer(api, { logger: createLogger({ service: "frontend-test", write: () => {} }) });
  const port = await grpcServer.server.listen("127.0.0.1", 0);
  address = `127.0.0.1:${port}`;
  client = new proto.LambdaClient(address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await grpcServer.server.close();
});

beforeEach(() => {
  api.calls = [];
  api.failure = undefined;
});

describe("lambent.v1.Lambda control plane", () => {
  it("CreateFunction sends a Lambda-shaped body with the zip as bytes and returns the configuration", async () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00]);
    const response = await call(
      client.createFunction.bind(client),
      proto.CreateFunctionRequest.fromPartial({
        functionName: "hello",
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: "arn:aws:iam::000000000000:role/runner",
        memorySize: 256,
        timeout: 30,
        description: "says hello",
        environment: { GREETING: "hi" },
        zipFile: Buffer.from(zip),
        publish: true,
        tags: { team: "a" },
      }),
    );
    expect(response.configuration).toEqual(protoConfiguration);

    const { method, args } = api.lastCall();
    expect(method).toBe("createFunction");
    const body = args[0] as Record<string, unknown> & { Code: { ZipFile: unknown } };
    expect(body.Code.ZipFile).toBeInstanceOf(Uint8Array);
    expect(Uint8Array.from(body.Code.ZipFile as Uint8Array)).toEqual(zip);
    expect({ ...body, Code: undefined }).toEqual({
      FunctionName: "hello",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/runner",
      MemorySize: 256,
      Timeout: 30,
      Description: "says hello",
      Environment: { Variables: { GREETING: "hi" } },
      Code: undefined,
      Publish: true,
      Tags: { team: "a" },
    });
  });

  it("CreateFunction leaves unset fields out so the API applies its defaults", async () => {
    await call(client.createFunction.bind(client), proto.CreateFunctionRequest.fromPartial({ functionName: "bare", zipFile: Buffer.from([1]) }));
    const body = api.lastCall().args[0] as Record<string, unknown>;
    const given = Object.entries(body).filter(([, value]) => value !== undefined).map(([key]) => key);
    expect(given.sort()).toEqual(["Code", "FunctionName"]);
  });

  it("GetFunction passes the qualifier and returns configuration, code location and tags", async () => {
    const response = await call(client.getFunction.bind(client), proto.GetFunctionRequest.fromPartial({ functionName: "hello", qualifier: "prod" }));
    expect(api.lastCall()).toEqual({ method: "getFunction", args: ["hello", "prod"] });
    expect(response).toEqual({
      configuration: protoConfiguration,
      code: { repositoryType: "S3", location: "http://code/hello.zip" },
      tags: { team: "a" },
    });
  });

  it("GetFunctionConfiguration treats an empty qualifier as none", async () => {
    const response = await call(client.getFunctionConfiguration.bind(client), proto.GetFunctionConfigurationRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall()).toEqual({ method: "getFunctionConfiguration", args: ["hello", undefined] });
    expect(response.configuration).toEqual(protoConfiguration);
  });

  it("ListFunctions passes marker and page size and returns the page with its next marker", async () => {
    const response = await call(client.listFunctions.bind(client), proto.ListFunctionsRequest.fromPartial({ marker: "m1", maxItems: 2 }));
    expect(api.lastCall()).toEqual({ method: "listFunctions", args: [{ marker: "m1", maxItems: 2 }] });
    expect(response.functions.map((fn) => fn.functionName)).toEqual(["hello", "other"]);
    expect(response.functions[1]?.environment).toEqual({});
    expect(response.nextMarker).toBe("m2");

    await call(client.listFunctions.bind(client), proto.ListFunctionsRequest.fromPartial({}));
    expect(api.lastCall().args).toEqual([{ marker: undefined, maxItems: undefined }]);
  });

  it("UpdateFunctionCode sends the zip bytes, publish and revision", async () => {
    const response = await call(
      client.updateFunctionCode.bind(client),
      proto.UpdateFunctionCodeRequest.fromPartial({ functionName: "hello", zipFile: Buffer.from([9, 8, 7]), publish: true, revisionId: "rev-1" }),
    );
    const { method, args } = api.lastCall();
    expect(method).toBe("updateFunctionCode");
    expect(args[0]).toBe("hello");
    const body = args[1] as { ZipFile: Uint8Array; Publish: unknown; RevisionId: unknown };
    expect(Uint8Array.from(body.ZipFile)).toEqual(Uint8Array.from([9, 8, 7]));
    expect(body.Publish).toBe(true);
    expect(body.RevisionId).toBe("rev-1");
    expect(response.configuration).toEqual(protoConfiguration);
  });

  it("UpdateFunctionConfiguration sends only the fields that are set", async () => {
    await call(
      client.updateFunctionConfiguration.bind(client),
      proto.UpdateFunctionConfigurationRequest.fromPartial({ functionName: "hello", timeout: 60, description: "", revisionId: "rev-1" }),
    );
    expect(api.lastCall()).toEqual({
      method: "updateFunctionConfiguration",
      args: [
        "hello",
        {
          Role: undefined,
          Handler: undefined,
          Description: "",
          Timeout: 60,
          MemorySize: undefined,
          Runtime: undefined,
          Environment: undefined,
          RevisionId: "rev-1",
        },
      ],
    });
  });

  it("UpdateFunctionConfiguration replaces the environment when given, and clears it on request", async () => {
    await call(
      client.updateFunctionConfiguration.bind(client),
      proto.UpdateFunctionConfigurationRequest.fromPartial({
        functionName: "hello",
        role: "arn:aws:iam::000000000000:role/other",
        handler: "main.run",
        memorySize: 1024,
        runtime: "nodejs22.x",
        environment: { A: "1" },
      }),
    );
    expect(api.lastCall().args[1]).toMatchObject({
      Role: "arn:aws:iam::000000000000:role/other",
      Handler: "main.run",
      MemorySize: 1024,
      Runtime: "nodejs22.x",
      Environment: { Variables: { A: "1" } },
    });

    await call(client.updateFunctionConfiguration.bind(client), proto.UpdateFunctionConfigurationRequest.fromPartial({ functionName: "hello", replaceEnvironment: true }));
    expect(api.lastCall().args[1]).toMatchObject({ Environment: { Variables: {} } });
  });

  it("DeleteFunction passes name and qualifier", async () => {
    await call(client.deleteFunction.bind(client), proto.DeleteFunctionRequest.fromPartial({ functionName: "hello", qualifier: "3" }));
    expect(api.lastCall()).toEqual({ method: "deleteFunction", args: ["hello", "3"] });
  });
});

describe("lambent.v1.Lambda versions", () => {
  it("PublishVersion sends the preconditions and description and returns the version's configuration", async () => {
    const response = await call(
      client.publishVersion.bind(client),
      proto.PublishVersionRequest.fromPartial({ functionName: "hello", codeSha256: "c2hh", revisionId: "rev-1", description: "release 3" }),
    );
    expect(api.lastCall()).toEqual({ method: "publishVersion", args: ["hello", { CodeSha256: "c2hh", RevisionId: "rev-1", Description: "release 3" }] });
    expect(response.configuration).toEqual({ ...protoConfiguration, version: "3", functionArn: `${protoConfiguration.functionArn}:3` });
  });

  it("PublishVersion leaves empty preconditions out", async () => {
    await call(client.publishVersion.bind(client), proto.PublishVersionRequest.fromPartial({ functionName: "hello" }));
    const body = api.lastCall().args[1] as Record<string, unknown>;
    expect(Object.values(body).filter((value) => value !== undefined)).toEqual([]);
  });

  it("PublishVersion's stale revision becomes FAILED_PRECONDITION", async () => {
    api.failure = new LambdaError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id.");
    const error = await callError(client.publishVersion.bind(client), proto.PublishVersionRequest.fromPartial({ functionName: "hello", revisionId: "old" }));
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["PreconditionFailedException"]);
  });

  it("ListVersionsByFunction passes marker and page size and returns the page with its next marker", async () => {
    const response = await call(
      client.listVersionsByFunction.bind(client),
      proto.ListVersionsByFunctionRequest.fromPartial({ functionName: "hello", marker: "v1", maxItems: 2 }),
    );
    expect(api.lastCall()).toEqual({ method: "listVersionsByFunction", args: ["hello", { marker: "v1", maxItems: 2 }] });
    expect(response.versions.map((version) => version.version)).toEqual(["$LATEST", "1"]);
    expect(response.versions[0]).toEqual(protoConfiguration);
    expect(response.nextMarker).toBe("v2");

    await call(client.listVersionsByFunction.bind(client), proto.ListVersionsByFunctionRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall().args).toEqual(["hello", { marker: undefined, maxItems: undefined }]);
  });

  it("DeleteFunction with a version qualifier deletes that version only", async () => {
    await call(client.deleteFunction.bind(client), proto.DeleteFunctionRequest.fromPartial({ functionName: "hello", qualifier: "1" }));
    expect(api.lastCall()).toEqual({ method: "deleteFunction", args: ["hello", "1"] });
    await call(client.deleteFunction.bind(client), proto.DeleteFunctionRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall()).toEqual({ method: "deleteFunction", args: ["hello", undefined] });
  });
});

describe("lambent.v1.Lambda aliases", () => {
  it("CreateAlias sends a Lambda-shaped body with the routing config and returns every alias field", async () => {
    const response = await call(
      client.createAlias.bind(client),
      proto.CreateAliasRequest.fromPartial({
        functionName: "hello",
        name: "prod",
        functionVersion: "3",
        description: "live traffic",
        routingConfig: { additionalVersionWeights: { "4": 0.1 } },
      }),
    );
    expect(api.lastCall()).toEqual({
      method: "createAlias",
      args: ["hello", { Name: "prod", FunctionVersion: "3", Description: "live traffic", RoutingConfig: { AdditionalVersionWeights: { "4": 0.1 } } }],
    });
    expect(response.alias).toEqual(protoAlias);
  });

  it("CreateAlias leaves an unset routing config and empty description out", async () => {
    await call(client.createAlias.bind(client), proto.CreateAliasRequest.fromPartial({ functionName: "hello", name: "beta", functionVersion: "1" }));
    const body = api.lastCall().args[1] as Record<string, unknown>;
    expect(Object.entries(body).filter(([, value]) => value !== undefined)).toEqual([
      ["Name", "beta"],
      ["FunctionVersion", "1"],
    ]);
  });

  it("GetAlias passes function and alias names", async () => {
    const response = await call(client.getAlias.bind(client), proto.GetAliasRequest.fromPartial({ functionName: "hello", name: "prod" }));
    expect(api.lastCall()).toEqual({ method: "getAlias", args: ["hello", "prod"] });
    expect(response.alias).toEqual(protoAlias);
  });

  it("GetAlias of an unknown alias becomes NOT_FOUND", async () => {
    api.failure = resourceNotFound("Alias not found: arn:aws:lambda:us-east-1:000000000000:function:hello:nope");
    const error = await callError(client.getAlias.bind(client), proto.GetAliasRequest.fromPartial({ functionName: "hello", name: "nope" }));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["ResourceNotFoundException"]);
  });

  it("UpdateAlias sends every field that is set", async () => {
    const response = await call(
      client.updateAlias.bind(client),
      proto.UpdateAliasRequest.fromPartial({
        functionName: "hello",
        name: "prod",
        functionVersion: "4",
        description: "",
        routingConfig: { additionalVersionWeights: { "5": 0.25 } },
        revisionId: "alias-rev-1",
      }),
    );
    expect(api.lastCall()).toEqual({
      method: "updateAlias",
      args: ["hello", "prod", { FunctionVersion: "4", Description: "", RoutingConfig: { AdditionalVersionWeights: { "5": 0.25 } }, RevisionId: "alias-rev-1" }],
    });
    expect(response.alias).toEqual(protoAlias);
  });

  it("UpdateAlias leaves unset fields alone and clears the routing with empty weights", async () => {
    await call(client.updateAlias.bind(client), proto.UpdateAliasRequest.fromPartial({ functionName: "hello", name: "prod", functionVersion: "4" }));
    const body = api.lastCall().args[2] as Record<string, unknown>;
    expect(Object.entries(body).filter(([, value]) => value !== undefined)).toEqual([["FunctionVersion", "4"]]);

    await call(client.updateAlias.bind(client), proto.UpdateAliasRequest.fromPartial({ functionName: "hello", name: "prod", routingConfig: {} }));
    expect(api.lastCall().args[2]).toEqual({ RoutingConfig: { AdditionalVersionWeights: {} } });
  });

  it("UpdateAlias with a stale revision becomes FAILED_PRECONDITION", async () => {
    api.failure = new LambdaError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id.");
    const error = await callError(client.updateAlias.bind(client), proto.UpdateAliasRequest.fromPartial({ functionName: "hello", name: "prod", revisionId: "old" }));
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["PreconditionFailedException"]);
  });

  it("DeleteAlias passes function and alias names", async () => {
    const response = await call(client.deleteAlias.bind(client), proto.DeleteAliasRequest.fromPartial({ functionName: "hello", name: "prod" }));
    expect(api.lastCall()).toEqual({ method: "deleteAlias", args: ["hello", "prod"] });
    expect(response).toEqual({});
  });

  it("CreateAlias of an existing alias becomes ALREADY_EXISTS", async () => {
    api.failure = resourceConflict("Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:hello:prod");
    const error = await callError(
      client.createAlias.bind(client),
      proto.CreateAliasRequest.fromPartial({ functionName: "hello", name: "prod", functionVersion: "1" }),
    );
    expect(error.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["ResourceConflictException"]);
  });

  it("ListAliases passes paging and the version filter and returns aliases with and without routing", async () => {
    const response = await call(
      client.listAliases.bind(client),
      proto.ListAliasesRequest.fromPartial({ functionName: "hello", functionVersion: "3", marker: "a1", maxItems: 2 }),
    );
    expect(api.lastCall()).toEqual({ method: "listAliases", args: ["hello", { marker: "a1", maxItems: 2, functionVersion: "3" }] });
    expect(response.aliases).toEqual([protoAlias, { ...protoAlias, name: "beta", routingConfig: undefined, previousVersion: "" }]);
    expect(response.nextMarker).toBe("a2");

    await call(client.listAliases.bind(client), proto.ListAliasesRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall().args).toEqual(["hello", { marker: undefined, maxItems: undefined, functionVersion: undefined }]);
  });
});

describe("lambent.v1.Lambda concurrency", () => {
  it("GetAccountSettings returns limits and usage, 64-bit sizes included", async () => {
    const response = await call(client.getAccountSettings.bind(client), proto.GetAccountSettingsRequest.fromPartial({}));
    expect(api.lastCall()).toEqual({ method: "getAccountSettings", args: [] });
    expect(response).toEqual({
      accountLimit: {
        totalCodeSize: 80_530_636_800,
        codeSizeUnzipped: 262_144_000,
        codeSizeZipped: 52_428_800,
        concurrentExecutions: 1000,
        unreservedConcurrentExecutions: 900,
      },
      accountUsage: { totalCodeSize: 5_000_000_000, functionCount: 3 },
    });
  });

  it("PutFunctionConcurrency sends 0 as a value and an unset count as absent", async () => {
    const response = await call(
      client.putFunctionConcurrency.bind(client),
      proto.PutFunctionConcurrencyRequest.fromPartial({ functionName: "hello", reservedConcurrentExecutions: 0 }),
    );
    expect(api.lastCall()).toEqual({ method: "putFunctionConcurrency", args: ["hello", { ReservedConcurrentExecutions: 0 }] });
    expect(response).toEqual({ reservedConcurrentExecutions: 0 });

    await call(client.putFunctionConcurrency.bind(client), proto.PutFunctionConcurrencyRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall().args).toEqual(["hello", { ReservedConcurrentExecutions: undefined }]);
  });

  it("GetFunctionConcurrency leaves the count unset when there is no reservation", async () => {
    const none = await call(client.getFunctionConcurrency.bind(client), proto.GetFunctionConcurrencyRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall()).toEqual({ method: "getFunctionConcurrency", args: ["hello"] });
    expect(none.reservedConcurrentExecutions).toBeUndefined();
    api.controlPlane.reserved = 0;
    try {
      const zero = await call(client.getFunctionConcurrency.bind(client), proto.GetFunctionConcurrencyRequest.fromPartial({ functionName: "hello" }));
      expect(zero.reservedConcurrentExecutions).toBe(0);
    } finally {
      api.controlPlane.reserved = undefined;
    }
  });

  it("DeleteFunctionConcurrency passes the function name", async () => {
    expect(await call(client.deleteFunctionConcurrency.bind(client), proto.DeleteFunctionConcurrencyRequest.fromPartial({ functionName: "hello" }))).toEqual({});
    expect(api.lastCall()).toEqual({ method: "deleteFunctionConcurrency", args: ["hello"] });
  });

  it("PutProvisionedConcurrencyConfig sends qualifier and count and returns the config", async () => {
    const response = await call(
      client.putProvisionedConcurrencyConfig.bind(client),
      proto.PutProvisionedConcurrencyConfigRequest.fromPartial({ functionName: "hello", qualifier: "prod", provisionedConcurrentExecutions: 4 }),
    );
    expect(api.lastCall()).toEqual({ method: "putProvisionedConcurrencyConfig", args: ["hello", "prod", { ProvisionedConcurrentExecutions: 4 }] });
    expect(response.config).toEqual(protoProvisionedConfig);
  });

  it("Get and DeleteProvisionedConcurrencyConfig treat an empty qualifier as none", async () => {
    const response = await call(client.getProvisionedConcurrencyConfig.bind(client), proto.GetProvisionedConcurrencyConfigRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall()).toEqual({ method: "getProvisionedConcurrencyConfig", args: ["hello", undefined] });
    expect(response.config).toEqual(protoProvisionedConfig);
    await call(client.deleteProvisionedConcurrencyConfig.bind(client), proto.DeleteProvisionedConcurrencyConfigRequest.fromPartial({ functionName: "hello", qualifier: "1" }));
    expect(api.lastCall()).toEqual({ method: "deleteProvisionedConcurrencyConfig", args: ["hello", "1"] });
  });

  it("a missing provisioned config becomes NOT_FOUND with its own error type", async () => {
    api.failure = provisionedConcurrencyConfigNotFound();
    const error = await callError(
      client.getProvisionedConcurrencyConfig.bind(client),
      proto.GetProvisionedConcurrencyConfigRequest.fromPartial({ functionName: "hello", qualifier: "1" }),
    );
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["ProvisionedConcurrencyConfigNotFoundException"]);
  });

  it("ListProvisionedConcurrencyConfigs passes paging and returns each config with its ARN", async () => {
    const response = await call(
      client.listProvisionedConcurrencyConfigs.bind(client),
      proto.ListProvisionedConcurrencyConfigsRequest.fromPartial({ functionName: "hello", marker: "p1", maxItems: 1 }),
    );
    expect(api.lastCall()).toEqual({ method: "listProvisionedConcurrencyConfigs", args: ["hello", { marker: "p1", maxItems: 1 }] });
    expect(response).toEqual({
      provisionedConcurrencyConfigs: [{ ...protoProvisionedConfig, functionArn: `${configuration.FunctionArn}:1`, status: "READY" }],
      nextMarker: "p2",
    });
  });
});

describe("lambent.v1.Lambda function URLs", () => {
  it("CreateFunctionUrlConfig sends a Lambda-shaped body and returns the config", async () => {
    const response = await call(
      client.createFunctionUrlConfig.bind(client),
      proto.CreateFunctionUrlConfigRequest.fromPartial({ functionName: "hello", qualifier: "prod", authType: "NONE", cors: { allowOrigins: ["https://app.example"], maxAge: 60 } }),
    );
    expect(api.lastCall()).toEqual({
      method: "createFunctionUrlConfig",
      args: [
        "hello",
        "prod",
        {
          AuthType: "NONE",
          InvokeMode: undefined,
          Cors: { AllowOrigins: ["https://app.example"], AllowMethods: undefined, AllowHeaders: undefined, ExposeHeaders: undefined, MaxAge: 60, AllowCredentials: undefined },
        },
      ],
    });
    expect(response.config).toEqual({
      functionUrl: functionUrlConfig.FunctionUrl,
      functionArn: functionUrlConfig.FunctionArn,
      authType: "NONE",
      cors: { allowOrigins: ["https://app.example"], allowMethods: [], allowHeaders: [], exposeHeaders: [], maxAge: 60 },
      creationTime: functionUrlConfig.CreationTime,
      lastModifiedTime: functionUrlConfig.LastModifiedTime,
      invokeMode: "BUFFERED",
    });
  });

  it("Get, Update and DeleteFunctionUrlConfig reach the API with an empty qualifier as absent", async () => {
    await call(client.getFunctionUrlConfig.bind(client), proto.GetFunctionUrlConfigRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall()).toEqual({ method: "getFunctionUrlConfig", args: ["hello", undefined] });
    await call(client.updateFunctionUrlConfig.bind(client), proto.UpdateFunctionUrlConfigRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall()).toEqual({ method: "updateFunctionUrlConfig", args: ["hello", undefined, { AuthType: undefined, InvokeMode: undefined, Cors: undefined }] });
    await call(client.deleteFunctionUrlConfig.bind(client), proto.DeleteFunctionUrlConfigRequest.fromPartial({ functionName: "hello", qualifier: "prod" }));
    expect(api.lastCall()).toEqual({ method: "deleteFunctionUrlConfig", args: ["hello", "prod"] });
  });
});

describe("lambent.v1.Lambda asynchronous invocation", () => {
  it("PutFunctionEventInvokeConfig sends a Lambda-shaped body and returns the config with both destinations", async () => {
    const response = await call(
      client.putFunctionEventInvokeConfig.bind(client),
      proto.PutFunctionEventInvokeConfigRequest.fromPartial({
        functionName: "hello",
        qualifier: "prod",
        maximumRetryAttempts: 0,
        maximumEventAgeInSeconds: 3600,
        destinationConfig: { onFailure: { destination: "arn:aws:sqs:us-east-1:000000000000:failed" } },
      }),
    );
    expect(api.lastCall()).toEqual({
      method: "putFunctionEventInvokeConfig",
      args: [
        "hello",
        "prod",
        {
          MaximumRetryAttempts: 0,
          MaximumEventAgeInSeconds: 3600,
          DestinationConfig: { OnSuccess: undefined, OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failed" } },
        },
      ],
    });
    expect(response.config).toEqual(protoEventInvokeConfig);
  });

  it("UpdateFunctionEventInvokeConfig leaves unset fields absent and passes an emptied destination as given without an ARN", async () => {
    await call(
      client.updateFunctionEventInvokeConfig.bind(client),
      proto.UpdateFunctionEventInvokeConfigRequest.fromPartial({ functionName: "hello", destinationConfig: { onSuccess: { destination: "" } } }),
    );
    expect(api.lastCall()).toEqual({
      method: "updateFunctionEventInvokeConfig",
      args: ["hello", undefined, { MaximumRetryAttempts: undefined, MaximumEventAgeInSeconds: undefined, DestinationConfig: { OnSuccess: { Destination: undefined }, OnFailure: undefined } }],
    });
    await call(client.updateFunctionEventInvokeConfig.bind(client), proto.UpdateFunctionEventInvokeConfigRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall().args[2]).toEqual({ MaximumRetryAttempts: undefined, MaximumEventAgeInSeconds: undefined, DestinationConfig: undefined });
  });

  it("Get, Delete and ListFunctionEventInvokeConfigs pass name, qualifier and paging", async () => {
    const got = await call(client.getFunctionEventInvokeConfig.bind(client), proto.GetFunctionEventInvokeConfigRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall()).toEqual({ method: "getFunctionEventInvokeConfig", args: ["hello", undefined] });
    expect(got.config).toEqual(protoEventInvokeConfig);
    expect(
      await call(client.deleteFunctionEventInvokeConfig.bind(client), proto.DeleteFunctionEventInvokeConfigRequest.fromPartial({ functionName: "hello", qualifier: "3" })),
    ).toEqual({});
    expect(api.lastCall()).toEqual({ method: "deleteFunctionEventInvokeConfig", args: ["hello", "3"] });
    const listed = await call(
      client.listFunctionEventInvokeConfigs.bind(client),
      proto.ListFunctionEventInvokeConfigsRequest.fromPartial({ functionName: "hello", marker: "e1", maxItems: 1 }),
    );
    expect(api.lastCall()).toEqual({ method: "listFunctionEventInvokeConfigs", args: ["hello", { marker: "e1", maxItems: 1 }] });
    expect(listed).toEqual({ functionEventInvokeConfigs: [protoEventInvokeConfig], nextMarker: "e2" });
  });

  it("a missing config becomes NOT_FOUND", async () => {
    api.failure = resourceNotFound("The function arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST doesn't have an EventInvokeConfig");
    const error = await callError(client.getFunctionEventInvokeConfig.bind(client), proto.GetFunctionEventInvokeConfigRequest.fromPartial({ functionName: "hello" }));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["ResourceNotFoundException"]);
  });

  it("GetQueueStats returns every count, 64-bit ages included", async () => {
    const stats = await call(client.getQueueStats.bind(client), proto.GetQueueStatsRequest.fromPartial({ functionName: "hello" }));
    expect(api.lastCall()).toEqual({ method: "getQueueStats", args: ["hello"] });
    expect(stats).toEqual({ functionName: "hello", depth: 3, oldestEventAgeMs: 5_000_000_000, succeeded: 7, retried: 2, deadLettered: 1, droppedForAge: 0 });
  });

  it("DeadLetterConfig travels on CreateFunction, UpdateFunctionConfiguration and the configuration", async () => {
    const target = "arn:aws:sns:us-east-1:000000000000:dead";
    await call(
      client.createFunction.bind(client),
      proto.CreateFunctionRequest.fromPartial({ functionName: "hello", zipFile: Buffer.from([1]), deadLetterConfig: { targetArn: target } }),
    );
    expect((api.lastCall().args[0] as Record<string, unknown>).DeadLetterConfig).toEqual({ TargetArn: target });
    await call(client.updateFunctionConfiguration.bind(client), proto.UpdateFunctionConfigurationRequest.fromPartial({ functionName: "hello", deadLetterConfig: {} }));
    expect((api.lastCall().args[1] as Record<string, unknown>).DeadLetterConfig).toEqual({ TargetArn: "" });
    await call(client.updateFunctionConfiguration.bind(client), proto.UpdateFunctionConfigurationRequest.fromPartial({ functionName: "hello", timeout: 5 }));
    expect((api.lastCall().args[1] as Record<string, unknown>).DeadLetterConfig).toBeUndefined();

    const original = api.controlPlane.getFunctionConfiguration;
    api.controlPlane.getFunctionConfiguration = async () => ({ ...configuration, DeadLetterConfig: { TargetArn: target } });
    try {
      const response = await call(client.getFunctionConfiguration.bind(client), proto.GetFunctionConfigurationRequest.fromPartial({ functionName: "hello" }));
      expect(response.configuration?.deadLetterConfig).toEqual({ targetArn: target });
    } finally {
      api.controlPlane.getFunctionConfiguration = original;
    }
    const plain = await call(client.getFunctionConfiguration.bind(client), proto.GetFunctionConfigurationRequest.fromPartial({ functionName: "hello" }));
    expect(plain.configuration?.deadLetterConfig).toBeUndefined();
  });
});

describe("lambent.v1.Lambda Invoke", () => {
  it("passes payload bytes through untouched both ways and maps every field", async () => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const answer = Uint8Array.from([0xff, 0xfe, 0x00, 0x7b, 0x7d]);
    api.invokeOutput = { statusCode: 200, requestId: "req-9", payload: answer, functionError: "Unhandled", logResult: "bG9n", executedVersion: "7" };

    const response = await call(
      client.invoke.bind(client),
      proto.InvokeRequest.fromPartial({
        functionName: "hello",
        qualifier: "prod",
        payload: Buffer.from(every),
        invocationType: proto.InvocationType.REQUEST_RESPONSE,
        logType: proto.LogType.TAIL,
        clientContext: "e30=",
      }),
    );

    const input = api.lastCall().args[0] as InvokeInput;
    expect(Uint8Array.from(input.payload)).toEqual(every);
    expect({ ...input, payload: undefined }).toEqual({
      functionName: "hello",
      qualifier: "prod",
      payload: undefined,
      invocationType: "RequestResponse",
      logType: "Tail",
      clientContext: "e30=",
    });
    expect(Uint8Array.from(response.payload)).toEqual(answer);
    expect({ ...response, payload: undefined }).toEqual({
      statusCode: 200,
      requestId: "req-9",
      payload: undefined,
      functionError: "Unhandled",
      logResult: "bG9n",
      executedVersion: "7",
    });
  });

  it.each([
    [proto.InvocationType.UNSPECIFIED, "RequestResponse"],
    [proto.InvocationType.EVENT, "Event"],
    [proto.InvocationType.DRY_RUN, "DryRun"],
  ] as const)("maps invocation type %i to %s", async (invocationType, expected) => {
    api.invokeOutput = { statusCode: 202, requestId: "req-2", payload: new Uint8Array() };
    const response = await call(client.invoke.bind(client), proto.InvokeRequest.fromPartial({ functionName: "hello", invocationType }));
    expect(api.lastCall().args[0]).toMatchObject({ invocationType: expected, logType: "None", qualifier: undefined, clientContext: undefined });
    expect(response).toMatchObject({ statusCode: 202, requestId: "req-2", functionError: "", logResult: "", executedVersion: "" });
    expect(response.payload.length).toBe(0);
  });

  it("rejects an invocation type it does not know with INVALID_ARGUMENT", async () => {
    const error = await callError(client.invoke.bind(client), proto.InvokeRequest.fromPartial({ functionName: "hello", invocationType: 42 as proto.InvocationType }));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["InvalidParameterValueException"]);
  });
});

describe("errors", () => {
  it("ResourceNotFoundException becomes NOT_FOUND with the Lambda type in trailing metadata", async () => {
    api.failure = resourceNotFound("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
    const error = await callError(client.getFunction.bind(client), proto.GetFunctionRequest.fromPartial({ functionName: "nope" }));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["ResourceNotFoundException"]);
    expect(error.metadata.get("x-amzn-error-reason")).toEqual([]);
  });

  it("TooManyRequestsException becomes RESOURCE_EXHAUSTED with its reason", async () => {
    api.failure = throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
    const error = await callError(client.invoke.bind(client), proto.InvokeRequest.fromPartial({ functionName: "hello" }));
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.details).toBe("Rate Exceeded.");
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["TooManyRequestsException"]);
    expect(error.metadata.get("x-amzn-error-reason")).toEqual(["ReservedFunctionConcurrentInvocationLimitExceeded"]);
  });

  it.each([
    ["ResourceConflictException", grpc.status.ALREADY_EXISTS],
    ["PreconditionFailedException", grpc.status.FAILED_PRECONDITION],
    ["RequestTooLargeException", grpc.status.INVALID_ARGUMENT],
    ["ResourceNotReadyException", grpc.status.UNAVAILABLE],
  ] as const)("%s becomes status %i", async (type, code) => {
    api.failure = new LambdaError(type, "no");
    const error = await callError(client.deleteFunction.bind(client), proto.DeleteFunctionRequest.fromPartial({ functionName: "hello" }));
    expect(error.code).toBe(code);
    expect(error.metadata.get("x-amzn-errortype")).toEqual([type]);
  });

  it("an unexpected failure becomes INTERNAL / ServiceException and the server keeps serving", async () => {
    api.failure = new TypeError("boom");
    const error = await callError(client.listFunctions.bind(client), proto.ListFunctionsRequest.fromPartial({}));
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(error.metadata.get("x-amzn-errortype")).toEqual(["ServiceException"]);

    api.failure = "not even an Error";
    const second = await callError(client.listFunctions.bind(client), proto.ListFunctionsRequest.fromPartial({}));
    expect(second.code).toBe(grpc.status.INTERNAL);

    api.failure = undefined;
    const response = await call(client.listFunctions.bind(client), proto.ListFunctionsRequest.fromPartial({}));
    expect(response.functions).toHaveLength(2);
  });
});

describe("health", () => {
  const HealthClient = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, "grpc.health.v1.Health");

  function check(service: string): Promise<unknown> {
    const health = new HealthClient(address, grpc.credentials.createInsecure());
    return new Promise<unknown>((resolve, reject) => {
      const checkMethod = (health as unknown as Record<string, UnaryMethod<{ service: string }, { status: string }>>)["Check"]!;
      checkMethod.call(health, { service }, new grpc.Metadata(), {}, (error, response) => (error ? reject(error) : resolve(response.status)));
    }).finally(() => health.close());
  }

  it("reports NOT_SERVING until told to serve, then SERVING for the server and lambent.v1.Lambda", async () => {
    grpcServer.setServing(false);
    expect(await check("")).toBe("NOT_SERVING");
    grpcServer.setServing(true);
    expect(await check("")).toBe("SERVING");
    expect(await check("lambent.v1.Lambda")).toBe("SERVING");
  });
});

describe("reflection", () => {
  it("lists lambent.v1.Lambda", async () => {
    const require = createRequire(import.meta.url);
    const reflectionProto = require.resolve("@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto");
    const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, { keepCase: true })) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
    };
    const reflection = new loaded.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
    try {
      const services = await new Promise<string[]>((resolve, reject) => {
        const stream = (reflection as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<object, { list_services_response?: { service: Array<{ name: string }> } }> }).ServerReflectionInfo();
        stream.on("data", (response: { list_services_response?: { service: Array<{ name: string }> } }) => {
          resolve((response.list_services_response?.service ?? []).map((entry) => entry.name));
          stream.end();
        });
        stream.on("error", reject);
        stream.write({ list_services: "" });
      });
      expect(services).toContain("lambent.v1.Lambda");
      expect(services).toContain("grpc.health.v1.Health");
    } finally {
      reflection.close();
    }
  });
});

describe("lambent.v1.Lambda tags, policies and runtime management", () => {
  it("pass Lambda-shaped requests to the API and its answers back", async () => {
    await call(client.tagResource.bind(client), proto.TagResourceRequest.fromPartial({ resource: configuration.FunctionArn, tags: { team: "core" } }));
    expect(api.lastCall()).toEqual({ method: "tagResource", args: [configuration.FunctionArn, { Tags: { team: "core" } }] });
    await call(client.untagResource.bind(client), proto.UntagResourceRequest.fromPartial({ resource: configuration.FunctionArn }));
    expect(api.lastCall()).toEqual({ method: "untagResource", args: [configuration.FunctionArn, undefined] });
    expect(await call(client.listTags.bind(client), proto.ListTagsRequest.fromPartial({ resource: configuration.FunctionArn }))).toEqual({ tags: { team: "core" } });

    const added = await call(
      client.addPermission.bind(client),
      proto.AddPermissionRequest.fromPartial({ functionName: "hello", qualifier: "prod", statementId: "s3", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com" }),
    );
    expect(added).toEqual({ statement: '{"Sid":"s3"}' });
    expect(api.lastCall()).toMatchObject({ method: "addPermission", args: ["hello", "prod", { StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" }] });
    await call(client.removePermission.bind(client), proto.RemovePermissionRequest.fromPartial({ functionName: "hello", statementId: "s3" }));
    expect(api.lastCall()).toEqual({ method: "removePermission", args: ["hello", "s3", undefined, undefined] });
    expect(await call(client.getPolicy.bind(client), proto.GetPolicyRequest.fromPartial({ functionName: "hello" }))).toEqual({
      policy: '{"Version":"2012-10-17","Id":"default","Statement":[]}',
      revisionId: "rev-p",
    });
    expect(await call(client.getRuntimeManagementConfig.bind(client), proto.GetRuntimeManagementConfigRequest.fromPartial({ functionName: "hello" }))).toEqual({
      updateRuntimeOn: "Auto",
      functionArn: configuration.FunctionArn,
    });
  });
});
