// Versions and aliases through the generated lambent.v1 gRPC client on a real cluster: publish, point
// an alias, move it, invoke each qualifier, list, delete, and the errors as gRPC statuses.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as proto from "@lambent/proto";
import { startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { unaryCall, unaryError, type UnaryMethod } from "../fixtures/grpc-unary.js";

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

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";

const call = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> => unaryCall(client, method, request);
const callError = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req) => unaryError(client, method, request);

/** A package whose answer says which code ran and which version the runtime was told it is. */
const release = (code: string) =>
  zipFiles({
    "index.mjs": `export const handler = async (event, context) => ({ code: ${JSON.stringify(code)}, version: context.functionVersion });`,
  });

async function createFunction(name: string, zip: Uint8Array, publish = false): Promise<proto.FunctionConfiguration> {
  const response = await call(
    client.createFunction,
    proto.CreateFunctionRequest.fromPartial({
      functionName: name,
      runtime: "nodejs20.x",
      handler: "index.handler",
      role: "arn:aws:iam::000000000000:role/test",
      zipFile: Buffer.from(zip),
      publish,
    }),
  );
  return response.configuration!;
}

interface Answer {
  code: string;
  version: string;
}

async function invoke(functionName: string, qualifier = ""): Promise<{ answer: Answer; executed: string }> {
  const response = await call(client.invoke, proto.InvokeRequest.fromPartial({ functionName, qualifier, payload: Buffer.from("{}") }));
  expect(response.functionError).toBe("");
  return { answer: JSON.parse(response.payload.toString()) as Answer, executed: response.executedVersion };
}

/** One invoke that must run `expectedVersion`: the frontend reads its own alias and version writes at once. */
async function invokeRunning(functionName: string, qualifier: string, expectedVersion: string): Promise<Answer> {
  const { answer, executed } = await invoke(functionName, qualifier);
  expect(executed, `${functionName}:${qualifier} ran version ${executed}`).toBe(expectedVersion);
  return answer;
}

describe("versions and aliases over gRPC", () => {
  it("publishes, points an alias, moves it and invokes each qualifier", async () => {
    const created = await createFunction("grpc-rel", release("one"));
    expect(created).toMatchObject({ functionName: "grpc-rel", version: "$LATEST" });

    const first = await call(client.publishVersion, proto.PublishVersionRequest.fromPartial({ functionName: "grpc-rel", description: "first release" }));
    expect(first.configuration).toMatchObject({
      functionArn: `${ARN}:grpc-rel:1`,
      version: "1",
      description: "first release",
      codeSha256: created.codeSha256,
    });

    const updated = await call(client.updateFunctionCode, proto.UpdateFunctionCodeRequest.fromPartial({ functionName: "grpc-rel", zipFile: Buffer.from(release("two")) }));
    expect(updated.configuration?.codeSha256).not.toBe(created.codeSha256);
    const second = await call(client.publishVersion, proto.PublishVersionRequest.fromPartial({ functionName: "grpc-rel" }));
    expect(second.configuration).toMatchObject({ version: "2", codeSha256: updated.configuration!.codeSha256 });

    const createdAlias = await call(
      client.createAlias,
      proto.CreateAliasRequest.fromPartial({ functionName: "grpc-rel", name: "prod", functionVersion: "1", description: "what users get" }),
    );
    expect(createdAlias.alias).toMatchObject({ aliasArn: `${ARN}:grpc-rel:prod`, name: "prod", functionVersion: "1", description: "what users get" });
    expect(createdAlias.alias?.routingConfig?.additionalVersionWeights ?? {}).toEqual({});
    expect(createdAlias.alias?.revisionId).not.toBe("");
    expect(await invokeRunning("grpc-rel", "prod", "1")).toEqual({ code: "one", version: "1" });

    const moved = await call(
      client.updateAlias,
      proto.UpdateAliasRequest.fromPartial({ functionName: "grpc-rel", name: "prod", functionVersion: "2", revisionId: createdAlias.alias!.revisionId }),
    );
    expect(moved.alias).toMatchObject({ name: "prod", functionVersion: "2", description: "what users get", previousVersion: "1" });
    expect(moved.alias?.revisionId).not.toBe(createdAlias.alias!.revisionId);
    expect(await invokeRunning("grpc-rel", "prod", "2")).toEqual({ code: "two", version: "2" });

    expect(await invoke("grpc-rel", "1")).toEqual({ answer: { code: "one", version: "1" }, executed: "1" });
    expect(await invoke("grpc-rel:1")).toEqual({ answer: { code: "one", version: "1" }, executed: "1" });
    expect(await invoke("grpc-rel")).toEqual({ answer: { code: "two", version: "$LATEST" }, executed: "$LATEST" });

    const got = await call(client.getAlias, proto.GetAliasRequest.fromPartial({ functionName: "grpc-rel", name: "prod" }));
    expect(got.alias).toEqual(moved.alias);

    const versions = await call(client.listVersionsByFunction, proto.ListVersionsByFunctionRequest.fromPartial({ functionName: "grpc-rel" }));
    expect(versions.versions.map((version) => version.version)).toEqual(["$LATEST", "1", "2"]);
    expect(versions.nextMarker).toBe("");
    const firstPage = await call(client.listVersionsByFunction, proto.ListVersionsByFunctionRequest.fromPartial({ functionName: "grpc-rel", maxItems: 2 }));
    expect(firstPage.versions.map((version) => version.version)).toEqual(["$LATEST", "1"]);
    const secondPage = await call(
      client.listVersionsByFunction,
      proto.ListVersionsByFunctionRequest.fromPartial({ functionName: "grpc-rel", maxItems: 2, marker: firstPage.nextMarker }),
    );
    expect(secondPage.versions.map((version) => version.version)).toEqual(["2"]);
    expect(secondPage.nextMarker).toBe("");

    await call(client.createAlias, proto.CreateAliasRequest.fromPartial({ functionName: "grpc-rel", name: "edge", functionVersion: "$LATEST" }));
    const aliases = await call(client.listAliases, proto.ListAliasesRequest.fromPartial({ functionName: "grpc-rel" }));
    expect(aliases.aliases.map((alias) => alias.name)).toEqual(["edge", "prod"]);
    const onTwo = await call(client.listAliases, proto.ListAliasesRequest.fromPartial({ functionName: "grpc-rel", functionVersion: "2" }));
    expect(onTwo.aliases.map((alias) => alias.name)).toEqual(["prod"]);

    await call(client.deleteAlias, proto.DeleteAliasRequest.fromPartial({ functionName: "grpc-rel", name: "prod" }));
    expect(await callError(client.getAlias, proto.GetAliasRequest.fromPartial({ functionName: "grpc-rel", name: "prod" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      errorType: "ResourceNotFoundException",
    });
    const remaining = await call(client.listAliases, proto.ListAliasesRequest.fromPartial({ functionName: "grpc-rel" }));
    expect(remaining.aliases.map((alias) => alias.name)).toEqual(["edge"]);
  });

  it("publishes with publish on CreateFunction and UpdateFunctionCode, and deletes one version by qualifier", async () => {
    const created = await createFunction("grpc-flag", release("one"), true);
    expect(created).toMatchObject({ version: "1", functionArn: `${ARN}:grpc-flag:1` });
    const updated = await call(
      client.updateFunctionCode,
      proto.UpdateFunctionCodeRequest.fromPartial({ functionName: "grpc-flag", zipFile: Buffer.from(release("two")), publish: true }),
    );
    expect(updated.configuration?.version).toBe("2");

    await call(client.deleteFunction, proto.DeleteFunctionRequest.fromPartial({ functionName: "grpc-flag", qualifier: "1" }));
    const versions = await call(client.listVersionsByFunction, proto.ListVersionsByFunctionRequest.fromPartial({ functionName: "grpc-flag" }));
    expect(versions.versions.map((version) => version.version)).toEqual(["$LATEST", "2"]);
    expect(await invoke("grpc-flag", "2")).toEqual({ answer: { code: "two", version: "2" }, executed: "2" });
  });

  it("round-trips an alias's traffic split and clears it with empty weights", async () => {
    await createFunction("grpc-split", release("one"), true);
    await call(client.updateFunctionCode, proto.UpdateFunctionCodeRequest.fromPartial({ functionName: "grpc-split", zipFile: Buffer.from(release("two")), publish: true }));
    const created = await call(
      client.createAlias,
      proto.CreateAliasRequest.fromPartial({ functionName: "grpc-split", name: "canary", functionVersion: "1", routingConfig: { additionalVersionWeights: { "2": 0.25 } } }),
    );
    expect(created.alias?.routingConfig).toEqual({ additionalVersionWeights: { "2": 0.25 } });
    const got = await call(client.getAlias, proto.GetAliasRequest.fromPartial({ functionName: "grpc-split", name: "canary" }));
    expect(got.alias?.routingConfig).toEqual({ additionalVersionWeights: { "2": 0.25 } });

    // Leaving routing_config unset leaves the split alone.
    const described = await call(client.updateAlias, proto.UpdateAliasRequest.fromPartial({ functionName: "grpc-split", name: "canary", description: "10% canary" }));
    expect(described.alias).toMatchObject({ description: "10% canary", functionVersion: "1", routingConfig: { additionalVersionWeights: { "2": 0.25 } } });

    const cleared = await call(client.updateAlias, proto.UpdateAliasRequest.fromPartial({ functionName: "grpc-split", name: "canary", routingConfig: {} }));
    expect(cleared.alias?.routingConfig?.additionalVersionWeights ?? {}).toEqual({});
    expect(await invokeRunning("grpc-split", "canary", "1")).toEqual({ code: "one", version: "1" });
  });

  it("answers unknown aliases with NOT_FOUND and stale revisions with FAILED_PRECONDITION", async () => {
    const created = await createFunction("grpc-errors", release("one"));
    const notFound = { code: grpc.status.NOT_FOUND, errorType: "ResourceNotFoundException" };
    expect(await callError(client.getAlias, proto.GetAliasRequest.fromPartial({ functionName: "grpc-errors", name: "nope" }))).toEqual(notFound);
    expect(await callError(client.invoke, proto.InvokeRequest.fromPartial({ functionName: "grpc-errors", qualifier: "nope", payload: Buffer.from("{}") }))).toEqual(notFound);
    expect(await callError(client.publishVersion, proto.PublishVersionRequest.fromPartial({ functionName: "grpc-missing" }))).toEqual(notFound);

    const preconditionFailed = { code: grpc.status.FAILED_PRECONDITION, errorType: "PreconditionFailedException" };
    const stale = "00000000-0000-0000-0000-000000000000";
    expect(await callError(client.publishVersion, proto.PublishVersionRequest.fromPartial({ functionName: "grpc-errors", revisionId: stale }))).toEqual(preconditionFailed);
    expect(await callError(client.publishVersion, proto.PublishVersionRequest.fromPartial({ functionName: "grpc-errors", codeSha256: "AAAA" }))).toEqual(preconditionFailed);

    await call(client.publishVersion, proto.PublishVersionRequest.fromPartial({ functionName: "grpc-errors", codeSha256: created.codeSha256, revisionId: created.revisionId }));
    const alias = await call(client.createAlias, proto.CreateAliasRequest.fromPartial({ functionName: "grpc-errors", name: "live", functionVersion: "1" }));
    await call(client.updateAlias, proto.UpdateAliasRequest.fromPartial({ functionName: "grpc-errors", name: "live", description: "moved on", revisionId: alias.alias!.revisionId }));
    // The first update changed the revision, so a second one with the same id is stale.
    expect(
      await callError(client.updateAlias, proto.UpdateAliasRequest.fromPartial({ functionName: "grpc-errors", name: "live", description: "again", revisionId: alias.alias!.revisionId })),
    ).toEqual(preconditionFailed);
    expect(await callError(client.createAlias, proto.CreateAliasRequest.fromPartial({ functionName: "grpc-errors", name: "live", functionVersion: "1" }))).toEqual({
      code: grpc.status.ALREADY_EXISTS,
      errorType: "ResourceConflictException",
    });
  });
});
