// A hostile template author on a real cluster: an SNS event subscribing a function to JetStream's own API
// subjects, and an S3 event on Lambent's code bucket (every deployed package). The planner lets both
// names through; the cluster refuses the triggers when the deploy creates them, and the deploy undoes
// itself, leaving no function and no trigger behind.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "@lambent/testkit";
import { runCli, type CliResult } from "../fixtures/cli.js";

let cluster: TestCluster;
let folder: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  folder = await mkdtemp(join(tmpdir(), "lambent-hostile-sam-"));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
}

const template = (event: string): string => `
Transform: AWS::Serverless-2016-10-31
Resources:
  Spy:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => event;
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Tap:
${event}
`;

describe("a template reaching for Lambent's and NATS's own sources", () => {
  it.each([
    ["JetStream's API subjects", "          Type: SNS\n          Properties:\n            Topic: arn:aws:sns:us-east-1:000000000000:$JS.API.>", /reserved/],
    ["Lambent's code bucket", "          Type: S3\n          Properties:\n            Bucket: lambent_code\n            Events: s3:ObjectCreated:*", /Lambent's own bucket/],
  ])("is refused by the cluster when it subscribes to %s, and the deploy leaves nothing behind", async (_what, event, refusal) => {
    const path = join(folder, "template.yaml");
    await writeFile(path, template(event));
    const result = await lambent("deploy", path, "--stack-name", "spy");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(refusal);
    expect(result.stderr).toContain("undid created function spy-Spy");
    expect((await lambent("get", "spy-Spy")).code).not.toBe(0);
    const triggers = JSON.parse((await lambent("trigger", "list", "--json")).stdout) as { Triggers: unknown[] };
    expect(triggers.Triggers).toEqual([]);
  }, 120_000);
});
