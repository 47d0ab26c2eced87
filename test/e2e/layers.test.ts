// Lambda layers on a real cluster through the real AWS SDK and the CLI: publishing, reading, listing and
// deleting layer versions and their permissions, and functions that run code shipped only in a layer,
// unpacked under a read-only /opt. Hostile layers are test/hostile's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddLayerVersionPermissionCommand,
  DeleteLayerVersionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  RemoveLayerVersionPermissionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import * as grpc from "@grpc/grpc-js";
import * as proto from "@lambent/proto";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { unaryCall } from "../fixtures/grpc-unary.js";
import { createTestFunction } from "../fixtures/deploy.js";
import { runCli, type CliResult } from "../fixtures/cli.js";

const LAYER_ARN = "arn:aws:lambda:us-east-1:000000000000:layer";

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

async function invoke(functionName: string, payload: unknown = {}): Promise<unknown> {
  const output = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(payload) }));
  const text = new TextDecoder().decode(output.Payload);
  if (output.FunctionError) throw new Error(`function failed: ${text}`);
  return JSON.parse(text) as unknown;
}

/** A package that exists only in a layer, as `npm install` lays it out under nodejs/node_modules. */
const greeterLayer = (greeting: string) =>
  zipFiles({
    "nodejs/node_modules/greeter/package.json": JSON.stringify({ name: "greeter", main: "lib/index.js" }),
    "nodejs/node_modules/greeter/lib/index.js": `exports.greet = (name) => ${JSON.stringify(greeting)} + ", " + name;`,
    "data/config.json": JSON.stringify({ from: greeting }),
  });

const usesGreeter = zipFiles({
  "index.js": `const { greet } = require("greeter");
    const fs = require("fs");
    exports.handler = async (event) => {
      const config = JSON.parse(fs.readFileSync("/opt/data/config.json", "utf8"));
      let write;
      try { fs.writeFileSync("/opt/data/evil.json", "{}"); write = "written"; } catch (error) { write = error.code; }
      return { greeting: greet(event.name), config, write, listing: fs.readdirSync("/opt") };
    };`,
});

describe("layer versions", () => {
  it("are published, read by name and by ARN, listed newest first, and deleted, numbers never reused", async () => {
    const first = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: "lv-basic",
        Description: "first",
        Content: { ZipFile: greeterLayer("hi") },
        CompatibleRuntimes: ["nodejs20.x"],
        LicenseInfo: "MIT",
      }),
    );
    expect(first.$metadata.httpStatusCode).toBe(201);
    expect(first).toMatchObject({
      LayerArn: `${LAYER_ARN}:lv-basic`,
      LayerVersionArn: `${LAYER_ARN}:lv-basic:1`,
      Version: 1,
      Description: "first",
      CompatibleRuntimes: ["nodejs20.x"],
      LicenseInfo: "MIT",
      Content: { CodeSize: greeterLayer("hi").length },
    });
    expect(first.Content?.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(first.Content?.Location).toMatch(/^http:\/\//);
    expect(first.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const second = await lambda.send(new PublishLayerVersionCommand({ LayerName: "lv-basic", Content: { ZipFile: greeterLayer("hello") } }));
    expect(second.Version).toBe(2);

    const got = await lambda.send(new GetLayerVersionCommand({ LayerName: "lv-basic", VersionNumber: 1 }));
    expect(got).toMatchObject({ LayerVersionArn: `${LAYER_ARN}:lv-basic:1`, Description: "first", Content: { CodeSha256: first.Content?.CodeSha256 } });
    const byArn = await lambda.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER_ARN}:lv-basic:2` }));
    expect(byArn.Version).toBe(2);

    const versions = await lambda.send(new ListLayerVersionsCommand({ LayerName: "lv-basic" }));
    expect(versions.LayerVersions?.map((version) => version.Version)).toEqual([2, 1]);
    const paged = await lambda.send(new ListLayerVersionsCommand({ LayerName: "lv-basic", MaxItems: 1 }));
    expect(paged.LayerVersions?.map((version) => version.Version)).toEqual([2]);
    const rest = await lambda.send(new ListLayerVersionsCommand({ LayerName: "lv-basic", MaxItems: 1, Marker: paged.NextMarker }));
    expect(rest.LayerVersions?.map((version) => version.Version)).toEqual([1]);
    const matching = await lambda.send(new ListLayerVersionsCommand({ LayerName: "lv-basic", CompatibleRuntime: "nodejs20.x" }));
    expect(matching.LayerVersions?.map((version) => version.Version)).toEqual([1]);
    const layers = await lambda.send(new ListLayersCommand({}));
    expect(layers.Layers?.find((layer) => layer.LayerName === "lv-basic")).toMatchObject({
      LayerArn: `${LAYER_ARN}:lv-basic`,
      LatestMatchingVersion: { Version: 2, LayerVersionArn: `${LAYER_ARN}:lv-basic:2` },
    });

    expect((await lambda.send(new DeleteLayerVersionCommand({ LayerName: "lv-basic", VersionNumber: 2 }))).$metadata.httpStatusCode).toBe(204);
    // Deleting again succeeds, as in Lambda.
    await lambda.send(new DeleteLayerVersionCommand({ LayerName: "lv-basic", VersionNumber: 2 }));
    const missing = await failure(lambda.send(new GetLayerVersionCommand({ LayerName: "lv-basic", VersionNumber: 2 })));
    expect(missing).toEqual({ name: "ResourceNotFoundException", message: "The resource you requested does not exist.", status: 404 });
    const third = await lambda.send(new PublishLayerVersionCommand({ LayerName: "lv-basic", Content: { ZipFile: greeterLayer("hey") } }));
    expect(third.Version).toBe(3);
  });

  it("keep a permission policy of their own", async () => {
    await lambda.send(new PublishLayerVersionCommand({ LayerName: "lv-policy", Content: { ZipFile: greeterLayer("hi") } }));
    const noPolicy = await failure(lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "lv-policy", VersionNumber: 1 })));
    expect(noPolicy.name).toBe("ResourceNotFoundException");
    const added = await lambda.send(
      new AddLayerVersionPermissionCommand({ LayerName: "lv-policy", VersionNumber: 1, StatementId: "everyone", Action: "lambda:GetLayerVersion", Principal: "*" }),
    );
    expect(JSON.parse(added.Statement!)).toEqual({
      Sid: "everyone",
      Effect: "Allow",
      Principal: "*",
      Action: "lambda:GetLayerVersion",
      Resource: `${LAYER_ARN}:lv-policy:1`,
    });
    const policy = await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "lv-policy", VersionNumber: 1 }));
    expect(policy.RevisionId).toBe(added.RevisionId);
    expect(JSON.parse(policy.Policy!)).toMatchObject({ Version: "2012-10-17", Statement: [{ Sid: "everyone" }] });
    const taken = await failure(
      lambda.send(new AddLayerVersionPermissionCommand({ LayerName: "lv-policy", VersionNumber: 1, StatementId: "everyone", Action: "lambda:GetLayerVersion", Principal: "*" })),
    );
    expect(taken.name).toBe("ResourceConflictException");
    const badAction = await failure(
      lambda.send(new AddLayerVersionPermissionCommand({ LayerName: "lv-policy", VersionNumber: 1, StatementId: "x", Action: "lambda:InvokeFunction", Principal: "*" })),
    );
    expect(badAction.name).toBe("ValidationException");
    await lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: "lv-policy", VersionNumber: 1, StatementId: "everyone" }));
    expect((await failure(lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "lv-policy", VersionNumber: 1 })))).name).toBe("ResourceNotFoundException");
  });

  it("answer a bad layer name with the model's ValidationException", async () => {
    const invalid = await failure(lambda.send(new PublishLayerVersionCommand({ LayerName: "bad name!", Content: { ZipFile: greeterLayer("x") } })));
    expect(invalid.name).toBe("ValidationException");
    expect(invalid.message).toContain("at 'layerName' failed to satisfy constraint");
  });
});

describe("a function's layers", () => {
  it("run a package shipped only in a layer, with files under a read-only /opt; a later layer overrides", async () => {
    const hi = await lambda.send(new PublishLayerVersionCommand({ LayerName: "lv-greeter", Content: { ZipFile: greeterLayer("hi") } }));
    const created = await createTestFunction(lambda, "lv-user", usesGreeter, { Layers: [hi.LayerVersionArn!] });
    expect(created.Layers).toEqual([{ Arn: hi.LayerVersionArn, CodeSize: greeterLayer("hi").length }]);
    expect(await invoke("lv-user", { name: "Ada" })).toEqual({ greeting: "hi, Ada", config: { from: "hi" }, write: "EROFS", listing: ["data", "nodejs"] });

    const hello = await lambda.send(new PublishLayerVersionCommand({ LayerName: "lv-greeter-2", Content: { ZipFile: greeterLayer("hello") } }));
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "lv-user", Layers: [hi.LayerVersionArn!, hello.LayerVersionArn!] }));
    expect(updated.Layers?.map((layer) => layer.Arn)).toEqual([hi.LayerVersionArn, hello.LayerVersionArn]);
    expect(await invoke("lv-user", { name: "Ada" })).toMatchObject({ greeting: "hello, Ada", config: { from: "hello" } });

    // A deleted layer version stays with the functions that use it, as in Lambda.
    await lambda.send(new DeleteLayerVersionCommand({ LayerName: "lv-greeter-2", VersionNumber: 1 }));
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "lv-user" }));
    expect(configuration.Layers).toHaveLength(2);

    const removed = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "lv-user", Layers: [hi.LayerVersionArn!] }));
    expect(removed.Layers).toHaveLength(1);
    expect(await invoke("lv-user", { name: "Bo" })).toMatchObject({ greeting: "hi, Bo" });
  });

  it("are refused as Lambda refuses them: a missing version, more than five", async () => {
    const missing = await failure(createTestFunction(lambda, "lv-missing", usesGreeter, { Layers: [`${LAYER_ARN}:lv-nothing:7`] }));
    expect(missing).toEqual({ name: "InvalidParameterValueException", message: `Layer version ${LAYER_ARN}:lv-nothing:7 does not exist.`, status: 400 });
    const one = await lambda.send(new PublishLayerVersionCommand({ LayerName: "lv-many", Content: { ZipFile: greeterLayer("x") } }));
    const tooMany = await failure(createTestFunction(lambda, "lv-many", usesGreeter, { Layers: Array.from({ length: 6 }, () => one.LayerVersionArn!) }));
    expect(tooMany).toEqual({ name: "InvalidParameterValueException", message: "Cannot reference more than 5 layers.", status: 400 });
    // Without the layer, the package cannot resolve its dependency: the layer is what made it build.
    const unresolved = await failure(createTestFunction(lambda, "lv-none", usesGreeter));
    expect(unresolved.message).toContain('Could not resolve "greeter"');
  });
});

describe("the CLI", () => {
  it("publishes, lists, gets and deletes layer versions", async () => {
    const { writeFile, mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "lambent-layer-"));
    const zipPath = join(dir, "layer.zip");
    await writeFile(zipPath, greeterLayer("cli"));
    const published = await lambent("layer", "publish", "lv-cli", "--zip", zipPath, "--description", "from the cli", "--json");
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ LayerVersionArn: `${LAYER_ARN}:lv-cli:1`, Description: "from the cli" });
    const listed = await lambent("layer", "list", "lv-cli", "--json");
    expect(JSON.parse(listed.stdout).LayerVersions.map((version: { Version: number }) => version.Version)).toEqual([1]);
    const got = await lambent("layer", "get", "lv-cli", "1", "--json");
    expect(JSON.parse(got.stdout).Version).toBe(1);
    expect((await lambent("layer", "delete", "lv-cli", "1")).code).toBe(0);
    const gone = await lambent("layer", "get", "lv-cli", "1");
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain("ResourceNotFoundException");
  });
});

describe("gRPC", () => {
  it("publishes, gets, lists and deletes layer versions", async () => {
    const client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    try {
      const published = await unaryCall(client, client.publishLayerVersion, {
        layerName: "lv-grpc",
        zipFile: Buffer.from(greeterLayer("rpc")),
        description: "over gRPC",
        compatibleRuntimes: ["nodejs20.x"],
        compatibleArchitectures: [],
        licenseInfo: "",
      });
      expect(published.layerVersion).toMatchObject({ layerVersionArn: `${LAYER_ARN}:lv-grpc:1`, version: 1, description: "over gRPC", codeSize: greeterLayer("rpc").length });
      const got = await unaryCall(client, client.getLayerVersion, { layerName: "lv-grpc", version: 1 });
      expect(got.layerVersion?.codeSha256).toBe(published.layerVersion?.codeSha256);
      const versions = await unaryCall(client, client.listLayerVersions, { layerName: "lv-grpc", marker: "", maxItems: 0, compatibleRuntime: "" });
      expect(versions.layerVersions.map((version) => version.version)).toEqual([1]);
      const layers = await unaryCall(client, client.listLayers, { marker: "", maxItems: 0, compatibleRuntime: "nodejs20.x" });
      expect(layers.layers.find((layer) => layer.layerArn === `${LAYER_ARN}:lv-grpc`)?.version).toBe(1);
      const created = await unaryCall(
        client,
        client.createFunction,
        proto.CreateFunctionRequest.fromPartial({ functionName: "lv-grpc-user", runtime: "nodejs20.x", handler: "index.handler", zipFile: Buffer.from(usesGreeter), layers: [`${LAYER_ARN}:lv-grpc:1`] }),
      );
      expect(created.configuration?.layers).toEqual([{ arn: `${LAYER_ARN}:lv-grpc:1`, codeSize: greeterLayer("rpc").length }]);
      // Without its layer the package no longer builds, so removing it is refused and nothing changes.
      await expect(
        unaryCall(client, client.updateFunctionConfiguration, proto.UpdateFunctionConfigurationRequest.fromPartial({ functionName: "lv-grpc-user", replaceLayers: true })),
      ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining('Could not resolve "greeter"') });
      const kept = await unaryCall(client, client.getFunctionConfiguration, proto.GetFunctionConfigurationRequest.fromPartial({ functionName: "lv-grpc-user" }));
      expect(kept.configuration?.layers).toHaveLength(1);
      await unaryCall(client, client.deleteLayerVersion, { layerName: "lv-grpc", version: 1 });
      await expect(unaryCall(client, client.getLayerVersion, { layerName: "lv-grpc", version: 1 })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    } finally {
      client.close();
    }
  });
});
