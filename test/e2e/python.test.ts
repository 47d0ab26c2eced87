// Python functions on a real cluster, deployed as zips through the AWS SDK: a hello world with its log,
// an exception in Lambda's Python error shape, an event retried and sent to its on-failure destination,
// a function behind a function URL, and examples/python-hello (with the SDK, and with the AWS CLI as a
// user types it). Everything past the worker's isolate is the same machinery that
// runs Node.js functions.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, CreateFunctionUrlConfigCommand, InvokeCommand, LambdaClient, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { decodeJson } from "@lambent/protocol";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";

let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_ASYNC_RETRY_BASE_MS: "50" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect(cluster.natsOptions());
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
});

async function createPython(name: string, source: string, extra: Record<string, unknown> = {}): Promise<void> {
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "python3.12",
      Handler: "lambda_function.lambda_handler",
      Role: "arn:aws:iam::000000000000:role/test",
      Code: { ZipFile: zipFiles({ "lambda_function.py": source }) },
      Timeout: 30,
      ...extra,
    }),
  );
  expect(created.Runtime).toBe("python3.12");
}

async function invoke(name: string, event: unknown): Promise<{ error?: string; payload: unknown; log: string }> {
  const result = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), LogType: "Tail" }));
  return {
    ...(result.FunctionError ? { error: result.FunctionError } : {}),
    payload: JSON.parse(Buffer.from(result.Payload ?? new Uint8Array()).toString("utf8")),
    log: Buffer.from(result.LogResult ?? "", "base64").toString("utf8"),
  };
}

describe("Python functions on a cluster", () => {
  it("deploys a zip with lambda_function.py and answers with its result and its log", async () => {
    await createPython("py-hello", "def lambda_handler(event, context):\n    print('hello', event['name'])\n    return {'message': f\"Hello, {event['name']}!\", 'function': context.function_name}\n");
    const result = await invoke("py-hello", { name: "Lambent" });
    expect(result.error).toBeUndefined();
    expect(result.payload).toEqual({ message: "Hello, Lambent!", function: "py-hello" });
    expect(result.log).toContain("hello Lambent\n");
    expect(result.log).toMatch(/REPORT RequestId: .*Init Duration: [\d.]+ ms/);
  });

  it("answers an exception with Lambda's Python error shape", async () => {
    await createPython("py-raises", "def lambda_handler(event, context):\n    raise KeyError('missing')\n");
    const result = await invoke("py-raises", {});
    expect(result.error).toBe("Unhandled");
    expect(result.payload).toMatchObject({ errorMessage: "'missing'", errorType: "KeyError", stackTrace: [expect.stringContaining('File "/var/task/lambda_function.py", line 2')] });
  });

  it("retries a failing event and sends it to its on-failure destination", async () => {
    await createPython("py-event", "def lambda_handler(event, context):\n    raise RuntimeError('no luck: ' + str(event['n']))\n");
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "py-event",
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sns:us-east-1:000000000000:test.py-event.failure" } },
      }),
    );
    const failures = nc.subscribe("test.py-event.failure", { max: 1 });
    const sent = await lambda.send(new InvokeCommand({ FunctionName: "py-event", InvocationType: "Event", Payload: Buffer.from('{"n": 5}') }));
    expect(sent.StatusCode).toBe(202);
    let record: Record<string, unknown> | undefined;
    for await (const message of failures) record = decodeJson(message.data) as Record<string, unknown>;
    expect(record).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 2 },
      requestPayload: { n: 5 },
      responseContext: { functionError: "Unhandled" },
      responsePayload: { errorMessage: "no luck: 5", errorType: "RuntimeError" },
    });
  });

  it("answers through a function URL", async () => {
    await createPython(
      "py-url",
      "import json\ndef lambda_handler(event, context):\n    return {'statusCode': 201, 'headers': {'content-type': 'application/json'}, 'body': json.dumps({'path': event['rawPath'], 'method': event['requestContext']['http']['method']})}\n",
    );
    const url = (await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "py-url", AuthType: "NONE" }))).FunctionUrl!;
    const response = await fetch(`${cluster.httpUrl}${new URL(url).pathname}items/7`, { method: "POST", body: "{}" });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ path: "/items/7", method: "POST" });
  });

  it("runs examples/python-hello as its README deploys it", async () => {
    const example = (file: string): string => readFileSync(new URL(`../../examples/python-hello/${file}`, import.meta.url), "utf8");
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "python-hello",
        Runtime: "python3.12",
        Handler: "lambda_function.lambda_handler",
        Role: "arn:aws:iam::000000000000:role/test",
        Code: { ZipFile: zipFiles({ "lambda_function.py": example("lambda_function.py"), "greetings.json": example("greetings.json") }) },
      }),
    );
    const result = await invoke("python-hello", { name: "Ada", language: "fr" });
    expect(result.payload).toMatchObject({ message: "Bonjour, Ada!", runtime: "AWS_Lambda_python3.12" });
    expect(result.log).toMatch(/\[INFO\]\t\S+\t\S+\tgreeting Ada in fr\n/);
  });

  it("deploys and invokes examples/python-hello with the AWS CLI", async () => {
    const directory = await mkdtemp(join(tmpdir(), "lambent-python-cli-"));
    try {
      const example = (file: string): string => readFileSync(new URL(`../../examples/python-hello/${file}`, import.meta.url), "utf8");
      await writeFile(join(directory, "function.zip"), zipFiles({ "lambda_function.py": example("lambda_function.py"), "greetings.json": example("greetings.json") }));
      // `fileb://` reads the payload as bytes in both major versions of the CLI.
      await writeFile(join(directory, "event.json"), JSON.stringify({ name: "Ada", language: "fr" }));
      const aws = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
        new Promise((resolve) => {
          const env = { PATH: process.env["PATH"] ?? "", HOME: directory, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_CONFIG_FILE: join(directory, "config") };
          execFile("aws", ["lambda", ...args, "--endpoint-url", cluster.httpUrl, "--region", "us-east-1"], { env, cwd: directory }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
          );
        });
      const created = await aws("create-function", "--function-name", "python-hello-cli", "--runtime", "python3.12", "--handler", "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/test", "--zip-file", "fileb://function.zip", "--output", "json");
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ FunctionName: "python-hello-cli", Runtime: "python3.12" });
      const invoked = await aws("invoke", "--function-name", "python-hello-cli", "--payload", "fileb://event.json", "out.json");
      expect(invoked.code, invoked.stderr).toBe(0);
      expect(JSON.parse(await readFile(join(directory, "out.json"), "utf8"))).toMatchObject({ message: "Bonjour, Ada!" });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
