// Templates from AWS's serverless-patterns collection, vendored unchanged under
// test/fixtures/serverless-patterns, deployed with `lambent deploy` on a real cluster: the REST API's route
// answering, the function URL taking only signed requests, a message published on the SNS topic's subject
// running the function, and `lambent app delete` taking each stack away. The patterns that ask for what
// Lambent does not have are refused before anything changes, naming the resource and the property; two
// whose functions Lambent cannot create (an AWS-published layer, an SDK client it does not carry) pass the
// checks, fail at the create and are undone. docs/apps.md keeps the table of outcomes.
import { fileURLToPath } from "node:url";
import { LambdaClient, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { requestTo, signedHeaders } from "../fixtures/sigv4-signer.js";
import { runCli, type CliResult } from "../fixtures/cli.js";

const PATTERNS = fileURLToPath(new URL("../fixtures/serverless-patterns/", import.meta.url));
/** The cluster's access key: a function URL with AuthType AWS_IAM takes requests it signs. */
const IAM_KEY = { accessKeyId: "AKIDPATTERNS", secretAccessKey: "c2VjcmV0LWZvci1wYXR0ZXJucw" };
/** A deploy and a delete through the CLI, a few seconds each on a busy machine. */
const DEPLOY_TIMEOUT_MS = 120_000;
let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_ACCESS_KEYS: `${IAM_KEY.accessKeyId}:${IAM_KEY.secretAccessKey}` } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect({ ...cluster.natsOptions() });
});
afterAll(async () => {
  await nc?.close();
  lambda?.destroy();
  await cluster?.stop();
});

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await lambent(...args, "--json");
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface DeployAnswer {
  StackName: string;
  Functions: { LogicalId: string; FunctionName: string; Action: string; FunctionUrl?: string; Routes: string[] }[];
  Outputs: Record<string, string | null>;
}

/** Deploys a pattern's folder (or template file) as a stack named after the pattern. */
async function deploy(pattern: string, template = ""): Promise<DeployAnswer> {
  return json<DeployAnswer>("deploy", `${PATTERNS}${pattern}${template}`, "--stack-name", pattern);
}

/** Deletes the stack and checks that none of its functions is left. */
async function deleteStack(stack: string, functions: string[]): Promise<{ DeletedTriggers: string[] }> {
  const deleted = await json<{ DeletedFunctions: string[]; DeletedTriggers: string[] }>("app", "delete", stack);
  expect(deleted.DeletedFunctions).toEqual(functions);
  expect(await functionsOf(stack)).toEqual([]);
  const stacks = await json<{ Applications: { StackName: string }[] }>("app", "list");
  expect(stacks.Applications.map((application) => application.StackName)).not.toContain(stack);
  return deleted;
}

async function functionsOf(stack: string): Promise<string[]> {
  const listed = await json<{ Functions: { FunctionName: string }[] }>("list");
  return listed.Functions.map((fn) => fn.FunctionName).filter((name) => name.startsWith(`${stack}-`));
}

describe("serverless-patterns deployed unchanged with lambent deploy", () => {
  it("apigw-rest-api-lambda-node: the REST API's GET /hello answers hello world, its Outputs point at Lambent's URL, and app delete removes the route", async () => {
    const deployed = await deploy("apigw-rest-api-lambda-node");
    expect(deployed.Functions).toEqual([expect.objectContaining({ FunctionName: "apigw-rest-api-lambda-node-HelloWorldFunction", Action: "created", Routes: [`${cluster.httpUrl}/hello`] })]);
    expect(deployed.Outputs.HelloWorldApi).toBe(`${cluster.httpUrl}/hello/`);
    expect(deployed.Outputs.HelloWorldFunction).toMatch(/:function:apigw-rest-api-lambda-node-HelloWorldFunction$/);

    const answer = await fetch(deployed.Outputs.HelloWorldApi!);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ message: "hello world" });

    await deleteStack("apigw-rest-api-lambda-node", ["apigw-rest-api-lambda-node-HelloWorldFunction"]);
    expect((await fetch(`${cluster.httpUrl}/hello`)).status).toBe(404);
  }, DEPLOY_TIMEOUT_MS);

  it("lambda-function-url: the AWS_IAM function URL refuses an unsigned request and answers a signed one with the function's Hello World", async () => {
    const deployed = await deploy("lambda-function-url");
    const [fn] = deployed.Functions;
    expect(fn).toMatchObject({ FunctionName: "lambda-function-url-FURLFunction", Action: "created" });
    expect(deployed.Outputs.FunctionURLEndpoint).toBe(fn!.FunctionUrl);

    const url = new URL(deployed.Outputs.FunctionURLEndpoint!);
    expect((await fetch(url)).status).toBe(403);
    const signed = await fetch(url, { headers: await signedHeaders(requestTo("GET", url), IAM_KEY) });
    expect(signed.status).toBe(200);
    expect(await signed.text()).toBe("Hello World");

    await deleteStack("lambda-function-url", ["lambda-function-url-FURLFunction"]);
    expect((await fetch(url, { headers: await signedHeaders(requestTo("GET", url), IAM_KEY) })).status).toBe(404);
  }, DEPLOY_TIMEOUT_MS);

  it("sns-lambda-nodejs-sam: a message published on the topic's subject runs the function with the SNS record, and app delete takes the topic trigger", async () => {
    const deployed = await deploy("sns-lambda-nodejs-sam");
    const functionName = "sns-lambda-nodejs-sam-ProcessorFunction";
    expect(deployed.Functions).toEqual([expect.objectContaining({ FunctionName: functionName, Action: "created" })]);
    expect(deployed.Outputs.ProcessingTopicArn).toBe("arn:aws:sns:us-east-1:000000000000:sns-lambda-nodejs-sam-ProcessingTopic");

    // The function returns nothing; its on-success destination carries the event each run had.
    const ran = new Promise<{ requestPayload: { Records: { EventSource: string; Sns: { Message: string; TopicArn: string } }[] } }>((resolve) => {
      nc.subscribe("test.patterns.sns", { max: 1, callback: (_error, message) => resolve(message.json()) });
    });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: functionName, DestinationConfig: { OnSuccess: { Destination: "arn:aws:sns:us-east-1:000000000000:test.patterns.sns" } } }));
    nc.publish("sns-lambda-nodejs-sam-ProcessingTopic", "order 42 placed");
    const record = (await ran).requestPayload.Records[0]!;
    expect(record.EventSource).toBe("aws:sns");
    expect(record.Sns).toMatchObject({ Message: "order 42 placed", TopicArn: deployed.Outputs.ProcessingTopicArn });

    const deleted = await deleteStack("sns-lambda-nodejs-sam", [functionName]);
    expect(deleted.DeletedTriggers).toEqual(["sns-lambda-nodejs-sam-ProcessorFunction-ProcessingEvent"]);
    expect((await lambent("trigger", "get", "sns-lambda-nodejs-sam-ProcessorFunction-ProcessingEvent")).code).toBe(1);
  }, DEPLOY_TIMEOUT_MS);

  /** The patterns Lambent refuses, and the lines each refusal must carry. */
  const REFUSED: { pattern: string; template?: string; problems: string[] }[] = [
    {
      pattern: "apigw-http-api-lambda",
      template: "/template.yml",
      problems: [
        "HttpApi: Type: resource type AWS::ApiGatewayV2::Api is not supported by Lambent",
        "FunctionResourcePermission: SourceArn: refers to HttpApi, of the type AWS::ApiGatewayV2::Api, which Lambent does not support",
      ],
    },
    {
      pattern: "sqs-lambda-nodejs-sam",
      problems: [
        "ProcessingQueue: Type: resource type AWS::SQS::Queue is not supported by Lambent",
        "ProcessingDLQ: Type: resource type AWS::SQS::Queue is not supported by Lambent",
        "ProcessorFunction: Events.MySQSEvent.Properties.Queue: refers to ProcessingQueue, of the type AWS::SQS::Queue, which Lambent does not support",
      ],
    },
    {
      pattern: "sfn-lambda",
      problems: [
        "StateMachineLogGroup: Type: resource type AWS::Logs::LogGroup is not supported by Lambent",
        "StateMachineExpressSynctoLambda: Logging.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn: refers to StateMachineLogGroup, of the type AWS::Logs::LogGroup, which Lambent does not support",
      ],
    },
    { pattern: "eventbridge-lambda", problems: ["ConsumerFunction: Events.Trigger.Type: event type EventBridgeRule is not supported by Lambent"] },
    { pattern: "apigw-lambda-authorizer-custom-header", problems: ["AppApi: Auth: AWS::Serverless::Api property Auth is not supported by Lambent"] },
  ];

  /** Patterns whose checks pass but whose function Lambent cannot create: the deploy undoes what it did. */
  const UNDONE: { pattern: string; buckets: string[]; overrides: string[]; functionName: string; error: string }[] = [
    {
      // Its layer is one AWS publishes from its own account; Lambent has only the layers deployed to it.
      pattern: "s3-lambda-resizing-node",
      buckets: ["photos", "thumbs"],
      overrides: ["SourceBucketName=photos", "DestinationBucketName=thumbs"],
      functionName: "s3-lambda-resizing-node-ResizerFunction",
      error: "Layer version arn:aws:lambda:us-east-1:175033217214:layer:graphicsmagick:2 does not exist.",
    },
    {
      // Lambda's Node.js runtime carries every client of the AWS SDK; Lambent's does not carry Bedrock's.
      pattern: "s3-lambda-bedrock-js-sam",
      buckets: ["documents"],
      overrides: ["DocumentBucketName=documents"],
      functionName: "DocumentEmbedding",
      error: 'Could not build the deployment package: index.mjs:5:8: Could not resolve "@aws-sdk/client-bedrock-runtime"',
    },
  ];

  it.each(UNDONE)("$pattern: passes the checks, fails creating its function, and is undone so nothing is left", async ({ pattern, buckets, overrides, functionName, error }) => {
    const objects = new Objm(nc);
    for (const bucket of buckets) await objects.create(bucket);
    const failed = await lambent("deploy", `${PATTERNS}${pattern}`, "--stack-name", pattern, "--parameter-overrides", ...overrides);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("the stack is back on what it was before (it had no revision), nothing was changed");
    expect(failed.stderr).toContain(`undid created function ${functionName}`);
    expect(failed.stderr).toContain(error);
    expect((await lambent("get", functionName)).code).toBe(1);
    expect((await json<{ Triggers: unknown[] }>("trigger", "list", "--function", functionName)).Triggers).toEqual([]);
  }, DEPLOY_TIMEOUT_MS);

  it.each(REFUSED)("$pattern: refused before anything changes, naming the resource and the property", async ({ pattern, template, problems }) => {
    const refused = await lambent("deploy", `${PATTERNS}${pattern}${template ?? ""}`, "--stack-name", pattern);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the template cannot be deployed; nothing was changed");
    for (const problem of problems) expect(refused.stderr).toContain(`  ${problem}`);
    expect(await functionsOf(pattern)).toEqual([]);
    const stacks = await json<{ Applications: { StackName: string }[] }>("app", "list");
    expect(stacks.Applications.map((stack) => stack.StackName)).not.toContain(pattern);
  }, DEPLOY_TIMEOUT_MS);
});
