// The AWS SDK as Lambda's runtime provides it, on a real cluster: a function that ships without the SDK
// imports its clients, which find the execution role's credentials, reach the operator's S3-compatible
// store through the egress policy over the runtime's `http`, and reach Lambent itself with LambdaClient.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startS3Store, type S3Store } from "../fixtures/s3-store.js";

const ROLE = "arn:aws:iam::000000000000:role/service-role/photos";

const usesTheSdk = zipFiles({
  "index.mjs": `import { S3Client, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
// Path-style addressing, as for any S3-compatible store; credentials, region and endpoint come from the runtime.
const s3 = new S3Client({ forcePathStyle: true });
const lambda = new LambdaClient({});
export const handler = async (event) => {
  await s3.send(new PutObjectCommand({ Bucket: "photos", Key: event.key, Body: event.text, ContentType: "text/plain" }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "photos", Key: event.key }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "photos" }));
  const echoed = await lambda.send(new InvokeCommand({ FunctionName: "sdk-echo", Payload: JSON.stringify({ said: event.text }) }));
  let missing;
  try { await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "nothing-here" })); } catch (error) { missing = error.name; }
  return {
    text: await got.Body.transformToString(),
    type: got.ContentType,
    keys: listed.Contents.map((object) => object.Key),
    echoed: JSON.parse(Buffer.from(echoed.Payload).toString()),
    missing,
  };
};`,
});

let store: S3Store;
let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  store = await startS3Store(["photos"]);
  cluster = await startTestCluster({ env: { LAMBENT_AWS_ENDPOINT_URL_S3: store.endpoint, LAMBENT_FETCH_ALLOW: "127.0.0.1" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  const put = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/role-credentials`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ RoleArn: ROLE, AccessKeyId: store.accessKeyId, SecretAccessKey: store.secretAccessKey }),
  });
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  await store?.close();
});

describe("the runtime's AWS SDK", () => {
  it("runs S3 and Lambda clients unchanged with the role's credentials and the operator's endpoints", async () => {
    await createTestFunction(lambda, "sdk-echo", zipFiles({ "index.js": "exports.handler = async (event) => ({ echo: event.said });" }));
    await createTestFunction(lambda, "sdk-photos", usesTheSdk, { Role: ROLE, Timeout: 30 });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "sdk-photos", Payload: JSON.stringify({ key: "cat.txt", text: "meow" }) }));
    const payload = Buffer.from(out.Payload!).toString();
    expect(out.FunctionError, payload).toBeUndefined();
    expect(JSON.parse(payload)).toEqual({ text: "meow", type: "text/plain", keys: ["cat.txt"], echoed: { echo: "meow" }, missing: "NoSuchKey" });

    // The object is really in the store.
    const s3 = new S3Client({ endpoint: store.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey } });
    const stored = await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "cat.txt" }));
    expect(await stored.Body!.transformToString()).toBe("meow");
    s3.destroy();
  });

  it("fails a client call with the SDK's own error when the function's role has no credentials", async () => {
    await createTestFunction(
      lambda,
      "sdk-no-role",
      zipFiles({
        "index.mjs": `import { S3Client, ListBucketsCommand } from "@aws-sdk/client-s3";
export const handler = async () => { try { await new S3Client({}).send(new ListBucketsCommand({})); return "listed"; } catch (error) { return error.name + ": " + error.message; } };`,
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: "sdk-no-role" }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatch(/^CredentialsProviderError: /);
  });
});
