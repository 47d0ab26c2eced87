// Versions and aliases through the real AWS SDK: publish, frozen versions, aliases and their rules,
// weighted routing, promotion, rollback, deletes and concurrent updates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type InvokeCommandOutput,
} from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

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

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";

/** A package whose answer says which code ran, with which configuration, under which name. */
const release = (code: string) =>
  zipFiles({
    "index.mjs": `export const handler = async (event, context) => ({
      code: ${JSON.stringify(code)},
      color: process.env.COLOR ?? null,
      version: context.functionVersion,
      arn: context.invokedFunctionArn,
    });`,
  });

interface Answer {
  code: string;
  color: string | null;
  version: string;
  arn: string;
}

async function invoke(functionName: string, qualifier?: string): Promise<{ answer: Answer; executed: string }> {
  const output: InvokeCommandOutput = await lambda.send(new InvokeCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) }));
  expect(output.FunctionError).toBeUndefined();
  return { answer: JSON.parse(Buffer.from(output.Payload!).toString()) as Answer, executed: output.ExecutedVersion! };
}

/**
 * Invokes until the frontend's cached view shows an alias change made a moment ago (its KV watch
 * delivers within milliseconds), then answers that call. Fails if it never does.
 */
/** One invoke that must run `expectedVersion`: the frontend reads its own alias and version writes at once. */
async function invokeOnce(functionName: string, qualifier: string, expectedVersion: string): Promise<Answer> {
  const { answer, executed } = await invoke(functionName, qualifier);
  expect(executed, `${functionName}:${qualifier} ran version ${executed}`).toBe(expectedVersion);
  return answer;
}

/** GetAlias over plain HTTP: the SDK drops Lambent's extra `PreviousVersion` field. */
async function rawAlias(functionName: string, aliasName: string): Promise<{ FunctionVersion: string; PreviousVersion?: string }> {
  const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/${functionName}/aliases/${aliasName}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { FunctionVersion: string; PreviousVersion?: string };
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

const publish = (name: string, extra: { CodeSha256?: string; RevisionId?: string; Description?: string } = {}) =>
  lambda.send(new PublishVersionCommand({ FunctionName: name, ...extra }));

describe("PublishVersion", () => {
  it("freezes $LATEST as 1, 2, …; answers the last version when nothing changed", async () => {
    const created = await createTestFunction(lambda, "ver-publish", release("one"), { Description: "function" });
    const first = await publish("ver-publish", { Description: "first release" });
    expect(first).toMatchObject({
      FunctionName: "ver-publish",
      FunctionArn: `${ARN}:ver-publish:1`,
      Version: "1",
      Description: "first release",
      CodeSha256: created.CodeSha256,
    });
    expect(first.RevisionId).not.toBe(created.RevisionId);
    expect((await publish("ver-publish")).Version).toBe("1");
    // A change that leaves the configuration as it was still publishes nothing new.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ver-publish", Timeout: 3 }));
    expect((await publish("ver-publish")).Version).toBe("1");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ver-publish", Timeout: 5 }));
    const second = await publish("ver-publish");
    expect(second).toMatchObject({ Version: "2", Timeout: 5, Description: "function" });
    // A new description is a change of configuration too; a Description given to PublishVersion is not.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ver-publish", Description: "changed" }));
    expect(await publish("ver-publish")).toMatchObject({ Version: "3", Description: "changed" });
    expect(await publish("ver-publish", { Description: "another label" })).toMatchObject({ Version: "3", Description: "changed" });
  });

  it("checks CodeSha256 and RevisionId preconditions against $LATEST", async () => {
    const created = await createTestFunction(lambda, "ver-pre", release("one"));
    await expectError(publish("ver-pre", { CodeSha256: "AAAA" }), "PreconditionFailedException", 412, /CodeSHA256/);
    await expectError(publish("ver-pre", { RevisionId: "00000000-0000-0000-0000-000000000000" }), "PreconditionFailedException", 412);
    const published = await publish("ver-pre", { CodeSha256: created.CodeSha256!, RevisionId: created.RevisionId! });
    expect(published.Version).toBe("1");
    await expectError(publish("ver-missing"), "ResourceNotFoundException", 404);
  });

  it("publishes with Publish: true on CreateFunction and UpdateFunctionCode", async () => {
    const created = await createTestFunction(lambda, "ver-flag", release("one"), { Publish: true });
    expect(created).toMatchObject({ Version: "1", FunctionArn: `${ARN}:ver-flag:1` });
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-flag", ZipFile: release("two"), Publish: true }));
    expect(updated.Version).toBe("2");
    expect((await invoke("ver-flag", "1")).answer.code).toBe("one");
    expect((await invoke("ver-flag", "2")).answer.code).toBe("two");
  });

  it("keeps published versions frozen while $LATEST changes", async () => {
    await createTestFunction(lambda, "ver-frozen", release("old"), { Environment: { Variables: { COLOR: "blue" } } });
    await publish("ver-frozen");
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-frozen", ZipFile: release("new") }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ver-frozen", Environment: { Variables: { COLOR: "red" } }, MemorySize: 256 }));
    expect((await invoke("ver-frozen", "1")).answer).toMatchObject({ code: "old", color: "blue", version: "1" });
    expect((await invoke("ver-frozen")).answer).toMatchObject({ code: "new", color: "red", version: "$LATEST" });
    const frozen = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "ver-frozen", Qualifier: "1" }));
    expect(frozen).toMatchObject({ Version: "1", MemorySize: 128, Environment: { Variables: { COLOR: "blue" } } });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "ver-frozen:1" }));
    expect(got.Configuration).toMatchObject({ Version: "1", FunctionArn: `${ARN}:ver-frozen:1` });
    await expectError(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ver-frozen:1", Timeout: 9 })),
      "InvalidParameterValueException",
      400,
    );
    await expectError(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "ver-frozen", Qualifier: "7" })), "ResourceNotFoundException", 404);
  });
});

describe("ListVersionsByFunction", () => {
  it("lists $LATEST then the versions in order, page by page", async () => {
    await createTestFunction(lambda, "ver-list", release("v0"), { Publish: true });
    for (const code of ["v1", "v2", "v3"]) {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-list", ZipFile: release(code), Publish: true }));
    }
    const all = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver-list" }));
    expect(all.Versions!.map((version) => version.Version)).toEqual(["$LATEST", "1", "2", "3", "4"]);
    expect(all.NextMarker).toBeUndefined();
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver-list", MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      expect(page.Versions!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Versions!.map((version) => version.Version!));
      marker = page.NextMarker;
    } while (marker);
    expect(seen).toEqual(["$LATEST", "1", "2", "3", "4"]);
    await expectError(lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver-nothing" })), "ResourceNotFoundException", 404);
  });
});

describe("aliases", () => {
  beforeAll(async () => {
    await createTestFunction(lambda, "ver-alias", release("one"), { Publish: true });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-alias", ZipFile: release("two"), Publish: true }));
  });

  it("creates, gets, updates, lists and deletes an alias", async () => {
    const created = await lambda.send(new CreateAliasCommand({ FunctionName: "ver-alias", Name: "live", FunctionVersion: "1", Description: "what users get" }));
    expect(created).toMatchObject({ AliasArn: `${ARN}:ver-alias:live`, Name: "live", FunctionVersion: "1", Description: "what users get" });
    expect(created.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await lambda.send(new GetAliasCommand({ FunctionName: "ver-alias", Name: "live" }));
    expect(got).toMatchObject({ Name: "live", FunctionVersion: "1", RevisionId: created.RevisionId });
    const updated = await lambda.send(new UpdateAliasCommand({ FunctionName: "ver-alias", Name: "live", FunctionVersion: "2", RevisionId: created.RevisionId! }));
    expect(updated).toMatchObject({ FunctionVersion: "2", Description: "what users get" });
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    await lambda.send(new CreateAliasCommand({ FunctionName: `${ARN}:ver-alias`, Name: "edge", FunctionVersion: "$LATEST" }));
    const listed = await lambda.send(new ListAliasesCommand({ FunctionName: "ver-alias" }));
    expect(listed.Aliases!.map((alias) => alias.Name)).toEqual(["edge", "live"]);
    const onTwo = await lambda.send(new ListAliasesCommand({ FunctionName: "ver-alias", FunctionVersion: "2" }));
    expect(onTwo.Aliases!.map((alias) => alias.Name)).toEqual(["live"]);
    const firstPage = await lambda.send(new ListAliasesCommand({ FunctionName: "ver-alias", MaxItems: 1 }));
    expect(firstPage.Aliases!.map((alias) => alias.Name)).toEqual(["edge"]);
    const secondPage = await lambda.send(new ListAliasesCommand({ FunctionName: "ver-alias", MaxItems: 1, Marker: firstPage.NextMarker! }));
    expect(secondPage.Aliases!.map((alias) => alias.Name)).toEqual(["live"]);
    expect(secondPage.NextMarker).toBeUndefined();
    await lambda.send(new DeleteAliasCommand({ FunctionName: "ver-alias", Name: "edge" }));
    await lambda.send(new DeleteAliasCommand({ FunctionName: "ver-alias", Name: "live" }));
    await expectError(lambda.send(new GetAliasCommand({ FunctionName: "ver-alias", Name: "live" })), "ResourceNotFoundException", 404, /^Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:ver-alias:live$/);
  });

  it("answers Lambda's errors for every rule", async () => {
    const create = (Name: string, FunctionVersion: string, weights?: Record<string, number>) =>
      lambda.send(
        new CreateAliasCommand({
          FunctionName: "ver-alias",
          Name,
          FunctionVersion,
          ...(weights ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
        }),
      );
    await create("rules", "1");
    await expectError(create("rules", "2"), "ResourceConflictException", 409, /Alias already exists/);
    await expectError(
      create("123", "1"),
      "ValidationException",
      400,
      /^1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: \(\?!\^\[0-9\]\+\$\)\(\[a-zA-Z0-9-_\]\+\)$/,
    );
    await expectError(create("a".repeat(129), "1"), "ValidationException", 400, /Member must have length less than or equal to 128$/);
    await expectError(create("ghost", "9"), "ResourceNotFoundException", 404, /ver-alias:9/);
    await expectError(create("weighted", "1", { "9": 0.1 }), "ResourceNotFoundException", 404, /ver-alias:9/);
    await expectError(create("weighted", "$LATEST", { "1": 0.1 }), "InvalidParameterValueException", 400, /^\$LATEST is not supported for an alias pointing to more than 1 version$/);
    await expectError(create("weighted", "1", { $LATEST: 0.1 }), "ValidationException", 400, /Value '\{\$LATEST=0.1\}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint/);
    await expectError(create("weighted", "1", { "1": 0.1 }), "InvalidParameterValueException", 400, /^Invalid function version 1. Function version 1 is already included in routing configuration.$/);
    await expectError(create("weighted", "1", { "2": 0.1, "3": 0.1 }), "InvalidParameterValueException", 400, /^Number of items in AdditionalVersionWeights cannot be greater than 1$/);
    await expectError(
      create("weighted", "1", { "2": 1.5 }),
      "ValidationException",
      400,
      /^1 validation error detected: Value '\{2=1.5\}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null\]$/,
    );
    await expectError(lambda.send(new CreateAliasCommand({ FunctionName: "ver-none", Name: "x", FunctionVersion: "1" })), "ResourceNotFoundException", 404);
    await expectError(
      lambda.send(new UpdateAliasCommand({ FunctionName: "ver-alias", Name: "rules", RevisionId: "00000000-0000-0000-0000-000000000000", FunctionVersion: "2" })),
      "PreconditionFailedException",
      412,
    );
    await expectError(lambda.send(new UpdateAliasCommand({ FunctionName: "ver-alias", Name: "nobody", FunctionVersion: "2" })), "ResourceNotFoundException", 404, /Alias not found/);
    // Deleting an alias that does not exist succeeds, as in Lambda.
    await lambda.send(new DeleteAliasCommand({ FunctionName: "ver-alias", Name: "nobody" }));
  });
});

describe("invoking each qualifier form", () => {
  it("runs $LATEST, a version, an alias, name:alias and a full ARN with an alias", async () => {
    await createTestFunction(lambda, "ver-forms", release("one"), { Publish: true });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-forms", ZipFile: release("two") }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "ver-forms", Name: "prod", FunctionVersion: "1" }));
    expect(await invoke("ver-forms")).toMatchObject({ executed: "$LATEST", answer: { code: "two", arn: `${ARN}:ver-forms` } });
    expect(await invoke("ver-forms", "$LATEST")).toMatchObject({ executed: "$LATEST", answer: { code: "two" } });
    expect(await invoke("ver-forms", "1")).toMatchObject({ executed: "1", answer: { code: "one", version: "1", arn: `${ARN}:ver-forms:1` } });
    const viaAlias = await invokeOnce("ver-forms", "prod", "1");
    // The function sees the ARN it was invoked by: qualified with the alias, not the version.
    expect(viaAlias).toMatchObject({ code: "one", version: "1", arn: `${ARN}:ver-forms:prod` });
    expect(await invoke("ver-forms:prod")).toMatchObject({ executed: "1", answer: { arn: `${ARN}:ver-forms:prod` } });
    expect(await invoke(`${ARN}:ver-forms:prod`)).toMatchObject({ executed: "1", answer: { code: "one" } });
    const byAlias = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "ver-forms", Qualifier: "prod" }));
    expect(byAlias.Version).toBe("1");
    await expectError(invoke("ver-forms", "nope"), "ResourceNotFoundException", 404, /ver-forms:nope/);
    await expectError(invoke("ver-forms", "5"), "ResourceNotFoundException", 404);
  });
});

describe("a release through an alias", () => {
  it("shifts 10% to a new version, promotes it, and rolls back in one call", async () => {
    await createTestFunction(lambda, "ver-shift", release("one"), { Publish: true });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-shift", ZipFile: release("two"), Publish: true }));
    const created = await lambda.send(new CreateAliasCommand({ FunctionName: "ver-shift", Name: "prod", FunctionVersion: "1" }));
    await invokeOnce("ver-shift", "prod", "1");

    const shifted = await lambda.send(
      new UpdateAliasCommand({ FunctionName: "ver-shift", Name: "prod", RevisionId: created.RevisionId!, RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } }),
    );
    expect(shifted.RoutingConfig).toEqual({ AdditionalVersionWeights: { "2": 0.1 } });
    // The frontend reads its own alias write at once, so the very next calls are split.
    // 3,000 calls, each to version 2 with p = 0.1: the count is binomial with mean 300 and standard
    // deviation √(3000·0.1·0.9) ≈ 16.4 calls (0.55 points). Accepting 10% ± 2.5 points (225…375 calls)
    // is about 4.6 standard deviations either side: a false failure about once in 250,000 runs.
    const calls = 3000;
    const counts = { "1": 0, "2": 0 } as Record<string, number>;
    for (let sent = 0; sent < calls; sent += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => invoke("ver-shift", "prod")));
      for (const { answer, executed } of batch) {
        counts[executed] = (counts[executed] ?? 0) + 1;
        // The version that ran is the version the header names, and its code.
        expect(answer.code).toBe(executed === "1" ? "one" : "two");
      }
    }
    expect(counts["1"]! + counts["2"]!).toBe(calls);
    const share = counts["2"]! / calls;
    expect(share).toBeGreaterThan(0.075);
    expect(share).toBeLessThan(0.125);

    const promoted = await lambda.send(
      new UpdateAliasCommand({ FunctionName: "ver-shift", Name: "prod", FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} } }),
    );
    expect(promoted.FunctionVersion).toBe("2");
    expect(await rawAlias("ver-shift", "prod")).toMatchObject({ FunctionVersion: "2", PreviousVersion: "1" });
    expect(promoted.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    await invokeOnce("ver-shift", "prod", "2");
    for (let call = 0; call < 20; call++) expect((await invoke("ver-shift", "prod")).executed).toBe("2");

    // Roll back: move the alias to the version it had before.
    const { PreviousVersion: previous } = await rawAlias("ver-shift", "prod");
    const rolledBack = await lambda.send(new UpdateAliasCommand({ FunctionName: "ver-shift", Name: "prod", FunctionVersion: previous! }));
    expect(rolledBack.FunctionVersion).toBe("1");
    expect(await rawAlias("ver-shift", "prod")).toMatchObject({ FunctionVersion: "1", PreviousVersion: "2" });
    await invokeOnce("ver-shift", "prod", "1");
    for (let call = 0; call < 20; call++) expect((await invoke("ver-shift", "prod")).executed).toBe("1");
  });
});

describe("deleting", () => {
  it("refuses a version an alias uses, deletes an unused one, then the whole function", async () => {
    await createTestFunction(lambda, "ver-delete", release("one"), { Publish: true });
    for (const code of ["two", "three"]) {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-delete", ZipFile: release(code), Publish: true }));
    }
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "ver-delete", Name: "prod", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } } }),
    );
    const del = (Qualifier: string) => lambda.send(new DeleteFunctionCommand({ FunctionName: "ver-delete", Qualifier }));
    await expectError(del("1"), "ResourceConflictException", 409, /prod/);
    await expectError(del("2"), "ResourceConflictException", 409, /prod/);
    await expectError(del("$LATEST"), "InvalidParameterValueException", 400);
    await del("3");
    await expectError(del("3"), "ResourceNotFoundException", 404);
    await expectError(invoke("ver-delete", "3"), "ResourceNotFoundException", 404);
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver-delete" }));
    expect(versions.Versions!.map((version) => version.Version)).toEqual(["$LATEST", "1", "2"]);
    // A deleted version's number is not handed out again.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ver-delete", Timeout: 7 }));
    expect((await publish("ver-delete")).Version).toBe("4");

    await lambda.send(new DeleteFunctionCommand({ FunctionName: "ver-delete" }));
    await expectError(lambda.send(new GetAliasCommand({ FunctionName: "ver-delete", Name: "prod" })), "ResourceNotFoundException", 404);
    await expectError(invoke("ver-delete", "1"), "ResourceNotFoundException", 404);
    // A new function of the same name starts from version 1 with no aliases.
    await createTestFunction(lambda, "ver-delete", release("again"), { Publish: true });
    const fresh = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver-delete" }));
    expect(fresh.Versions!.map((version) => version.Version)).toEqual(["$LATEST", "1"]);
    expect((await lambda.send(new ListAliasesCommand({ FunctionName: "ver-delete" }))).Aliases).toEqual([]);
  });
});

describe("concurrent updates", () => {
  it("lets exactly one of several UpdateAlias calls with the same RevisionId win", async () => {
    await createTestFunction(lambda, "ver-race", release("one"), { Publish: true });
    for (const code of ["two", "three", "four"]) {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-race", ZipFile: release(code), Publish: true }));
    }
    const created = await lambda.send(new CreateAliasCommand({ FunctionName: "ver-race", Name: "prod", FunctionVersion: "1" }));
    const results = await Promise.allSettled(
      ["2", "3", "4"].map((FunctionVersion) =>
        lambda.send(new UpdateAliasCommand({ FunctionName: "ver-race", Name: "prod", FunctionVersion, RevisionId: created.RevisionId! })),
      ),
    );
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost.map((result) => (result.reason as Error).name)).toEqual(["PreconditionFailedException", "PreconditionFailedException"]);
    const winner = (won[0] as PromiseFulfilledResult<{ FunctionVersion?: string }>).value.FunctionVersion;
    expect((await lambda.send(new GetAliasCommand({ FunctionName: "ver-race", Name: "prod" }))).FunctionVersion).toBe(winner);
  });

  it("never hands two concurrent publishers the same number", async () => {
    await createTestFunction(lambda, "ver-publish-race", release("zero"));
    const published = await Promise.all(
      ["a", "b", "c"].map(async (code) => {
        await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ver-publish-race", ZipFile: release(code) }));
        return (await publish("ver-publish-race")).Version!;
      }),
    );
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver-publish-race" }));
    const numbers = versions.Versions!.map((version) => version.Version).filter((version) => version !== "$LATEST");
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const version of published) expect(numbers).toContain(version);
  });
});
