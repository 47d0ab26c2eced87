// SAM templates with an AWS::Serverless::LayerVersion on a real cluster: a function requiring a module only
// its layer has; a deploy of the same layer keeping its version, a changed layer published as the next
// one and the old version deleted (RetentionPolicy Delete); a failed deploy deleting the version it had
// published; a rollback to a revision whose layer version is gone refused; app delete taking the layer's
// versions with the stack. And S3 and SNS events as bucket and topic triggers: an object put and a message
// published reaching the function (observed through its on-success destination subject), a changed event
// recreating its trigger and a removed one removing it, a deploy failing at a bucket that does not exist
// undone, and app delete taking the triggers with the function.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, LambdaClient, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Objm } from "@nats-io/obj";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { runCli, type CliResult } from "../fixtures/cli.js";

/** Every test deploys several times through the CLI, each deploy a few seconds on a busy machine. */
const DEPLOYS_TIMEOUT_MS = 300_000;
let cluster: TestCluster;
let lambda: LambdaClient;
let folder: string;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  folder = await mkdtemp(join(tmpdir(), "lambent-sam-layers-"));
  nc = await connect({ ...cluster.natsOptions() });
});
afterAll(async () => {
  await nc?.close();
  lambda?.destroy();
  await cluster?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await lambent(...args, "--json");
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function invoke(functionName: string, payload: unknown): Promise<unknown> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
  expect(answer.FunctionError, new TextDecoder().decode(answer.Payload)).toBeUndefined();
  return JSON.parse(new TextDecoder().decode(answer.Payload)) as unknown;
}

interface DeployAnswer {
  Revision: number;
  Functions: { LogicalId: string; FunctionName: string; Action: string }[];
  Outputs: Record<string, string | null>;
  Layers?: { LogicalId: string; LayerName: string; LayerVersionArn: string; Action: string }[];
}

const LAYER_TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: shared/
      CompatibleRuntimes: [nodejs20.x]
      RetentionPolicy: Delete
  Greet:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: greet/
      Handler: index.handler
      Runtime: nodejs20.x
      Layers: [!Ref Shared]
Outputs:
  SharedLayer:
    Value: !Ref Shared
`;

/** The layer's module, which only the layer has: the function requires it from /opt/nodejs/node_modules. */
async function writeLayer(word: string): Promise<void> {
  await mkdir(join(folder, "shared", "nodejs", "node_modules", "greeting"), { recursive: true });
  await writeFile(join(folder, "shared", "nodejs", "node_modules", "greeting", "index.js"), `exports.greet = (name) => ${JSON.stringify(`${word} `)} + name;\n`);
}

async function layerVersions(layerName: string): Promise<number[]> {
  return (await json<{ LayerVersions: { Version: number }[] }>("layer", "list", layerName)).LayerVersions.map((version) => version.Version).sort();
}

describe("AWS::Serverless::LayerVersion deployed with lambent deploy", () => {
  it("publishes the layer, resolves !Ref to its version in Layers and Outputs, keeps it while unchanged, replaces it when changed, undoes it with a failed deploy and deletes it with the stack", async () => {
    await writeLayer("hello");
    await mkdir(join(folder, "greet"), { recursive: true });
    await writeFile(join(folder, "greet", "index.js"), `const { greet } = require("greeting");\nexports.handler = async (event) => ({ answer: greet(event.name) });\n`);
    await writeFile(join(folder, "template.yaml"), LAYER_TEMPLATE);

    const first = await json<DeployAnswer>("deploy", folder, "--stack-name", "layered");
    const v1 = first.Layers![0]!.LayerVersionArn;
    expect(first.Layers).toEqual([{ LogicalId: "Shared", LayerName: "layered-Shared", LayerVersionArn: expect.stringMatching(/:layer:layered-Shared:1$/), Action: "published" }]);
    expect(first.Outputs.SharedLayer).toBe(v1);
    expect(await invoke("layered-Greet", { name: "ada" })).toEqual({ answer: "hello ada" });
    const got = await json<{ Configuration: { Layers: { Arn: string }[] } }>("get", "layered-Greet");
    expect(got.Configuration.Layers.map((layer) => layer.Arn)).toEqual([v1]);

    const same = await json<DeployAnswer>("deploy", folder, "--stack-name", "layered");
    expect(same.Layers).toEqual([expect.objectContaining({ LayerVersionArn: v1, Action: "unchanged" })]);
    expect(await layerVersions("layered-Shared")).toEqual([1]);

    await writeLayer("hi");
    const diff = await json<{ Changes: { Action: string; Resource: string; Details: string[] }[] }>("app", "diff", folder, "--stack-name", "layered");
    expect(diff.Changes).toEqual(
      expect.arrayContaining([{ Action: "change", Resource: "layer layered-Shared", LogicalId: "Shared", Details: ["a new version replaces version 1, which is then deleted"] }]),
    );
    const changed = await json<DeployAnswer>("deploy", folder, "--stack-name", "layered");
    const v2 = changed.Layers![0]!.LayerVersionArn;
    expect(v2).toMatch(/:layer:layered-Shared:2$/);
    expect(changed.Outputs.SharedLayer).toBe(v2);
    expect(await invoke("layered-Greet", { name: "ada" })).toEqual({ answer: "hi ada" });
    // RetentionPolicy Delete: the version the stack no longer uses is gone once the revision is recorded.
    expect(await layerVersions("layered-Shared")).toEqual([2]);

    // A changed layer and a new function that only the deploy-time bundler finds broken: the publish is undone.
    await writeLayer("hey");
    await mkdir(join(folder, "broken"), { recursive: true });
    await writeFile(join(folder, "broken", "index.mjs"), `import { nothing } from "./missing.mjs";\nexport const handler = async () => nothing;\n`);
    await writeFile(join(folder, "template.yaml"), `${LAYER_TEMPLATE.slice(0, LAYER_TEMPLATE.indexOf("Outputs:"))}  Broken:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: broken/\n      Handler: index.handler\n      Runtime: nodejs20.x\n`);
    const failed = await lambent("deploy", folder, "--stack-name", "layered");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`the stack is back on revision ${changed.Revision}`);
    expect(failed.stderr).toContain("undid published a version of layer layered-Shared");
    expect(await layerVersions("layered-Shared")).toEqual([2]);
    expect(await invoke("layered-Greet", { name: "ada" })).toEqual({ answer: "hi ada" });

    // The revision before used version 1, which RetentionPolicy Delete removed: a rollback to it is refused.
    const rollback = await lambent("app", "rollback", "layered");
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain(`layer version ${v1} no longer exists`);
    expect(await invoke("layered-Greet", { name: "ada" })).toEqual({ answer: "hi ada" });

    const deleted = await json<{ DeletedFunctions: string[]; DeletedLayerVersions: string[] }>("app", "delete", "layered");
    expect(deleted.DeletedFunctions).toEqual(["layered-Greet"]);
    expect(deleted.DeletedLayerVersions).toEqual([v2]);
    expect(await layerVersions("layered-Shared")).toEqual([]);
  }, DEPLOYS_TIMEOUT_MS);
});

const EVENTS_TEMPLATE = (uploadPrefix: string, withTopic: boolean, bucketName = "uploads"): string => `
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: ${bucketName}
  Orders:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: sam-orders
  Recorder:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async () => ({ ok: true });
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - Name: prefix
                    Value: ${uploadPrefix}
${withTopic ? "        Ordered:\n          Type: SNS\n          Properties:\n            Topic: !Ref Orders\n" : ""}`;

interface TriggerView {
  Name: string;
  Topic?: { Subject: string };
  Bucket?: { Bucket: string; Prefix?: string; Events: string[] };
}

async function triggersOf(functionName: string): Promise<TriggerView[]> {
  return (await json<{ Triggers: TriggerView[] }>("trigger", "list", "--function", functionName)).Triggers.sort((a, b) => (a.Name < b.Name ? -1 : 1));
}

describe("S3 and SNS events deployed with lambent deploy", () => {
  it("deploys them as bucket and topic triggers that fire, replaces and removes them with the template, undoes a failed deploy and deletes them with the stack", async () => {
    const store = await new Objm(nc).create("uploads");
    const events = join(folder, "events");
    await mkdir(events, { recursive: true });
    await writeFile(join(events, "template.yaml"), EVENTS_TEMPLATE("raw/", true));
    const first = await lambent("deploy", events, "--stack-name", "notified");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("trigger  notified-Recorder-Upload: bucket uploads");
    expect(first.stdout).toContain("trigger  notified-Recorder-Ordered: topic sam-orders");
    expect(first.stderr).toContain("Uploads: Lambent creates no buckets: this is the Object Store bucket uploads");
    expect(await triggersOf("notified-Recorder")).toEqual([
      expect.objectContaining({ Name: "notified-Recorder-Ordered", Topic: { Subject: "sam-orders" } }),
      expect.objectContaining({ Name: "notified-Recorder-Upload", Bucket: expect.objectContaining({ Bucket: "uploads", Prefix: "raw/", Events: ["s3:ObjectCreated:*"] }) }),
    ]);

    // The function's successes go to a subject, each carrying the event it ran with.
    const records: { requestPayload: { Records: Record<string, unknown>[] } }[] = [];
    let arrived: () => void = () => undefined;
    const subscription = nc.subscribe("test.sam.recorder", {
      callback: (_error, message) => {
        records.push(message.json());
        if (records.length >= 2) arrived();
      },
    });
    const both = new Promise<void>((resolve) => (arrived = resolve));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "notified-Recorder", DestinationConfig: { OnSuccess: { Destination: "arn:aws:sns:us-east-1:000000000000:test.sam.recorder" } } }));
    await store.putBlob({ name: "other/skipped.txt" }, new TextEncoder().encode("no"));
    await store.putBlob({ name: "raw/photo.txt" }, new TextEncoder().encode("yes"));
    nc.publish("sam-orders", JSON.stringify({ id: 7 }));
    await both;
    subscription.unsubscribe();
    const s3 = records.map((record) => record.requestPayload.Records[0]!).filter((record) => record.eventSource === "aws:s3");
    const sns = records.map((record) => record.requestPayload.Records[0]!).filter((record) => record.EventSource === "aws:sns");
    expect(s3).toEqual([expect.objectContaining({ eventName: "ObjectCreated:Put", s3: expect.objectContaining({ configurationId: "notified-Recorder-Upload", object: expect.objectContaining({ key: "raw/photo.txt" }) }) })]);
    expect(sns).toEqual([expect.objectContaining({ Sns: expect.objectContaining({ Subject: "sam-orders", Message: JSON.stringify({ id: 7 }) }) })]);

    // The SNS event removed and the S3 filter changed: the topic trigger goes, the bucket trigger is made again.
    await writeFile(join(events, "template.yaml"), EVENTS_TEMPLATE("img/", false));
    const second = await lambent("deploy", events, "--stack-name", "notified");
    expect(second.code, second.stderr).toBe(0);
    const afterSecond = await triggersOf("notified-Recorder");
    expect(afterSecond).toEqual([expect.objectContaining({ Name: "notified-Recorder-Upload", Bucket: expect.objectContaining({ Prefix: "img/" }) })]);

    // A bucket that does not exist fails the trigger's creation midway: everything is undone.
    await writeFile(join(events, "template.yaml"), EVENTS_TEMPLATE("doc/", true, "no-such-bucket"));
    const failed = await lambent("deploy", events, "--stack-name", "notified");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("the stack is back on revision 2");
    // The bucket trigger was deleted to be made again with the new filter, so the undo made it again as it was.
    const sources = (triggers: TriggerView[]): unknown[] => triggers.map((trigger) => ({ Name: trigger.Name, Topic: trigger.Topic, Bucket: trigger.Bucket }));
    expect(sources(await triggersOf("notified-Recorder"))).toEqual(sources(afterSecond));

    const deleted = await json<{ DeletedTriggers: string[] }>("app", "delete", "notified");
    expect(deleted.DeletedTriggers).toEqual(["notified-Recorder-Upload"]);
    expect((await lambent("trigger", "get", "notified-Recorder-Upload")).code).toBe(1);
  }, DEPLOYS_TIMEOUT_MS);
});
