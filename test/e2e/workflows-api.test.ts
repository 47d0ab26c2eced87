// AWS Step Functions on real processes through the AWS SDK's SFNClient: state machines kept and
// checked as AWS does, the developer guide's samples run with Lambent functions as tasks, Retry and Catch
// on function errors and on timeouts, a task token answered from another process, express executions
// answered synchronously, and history read back page by page in either order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  ListTagsForResourceCommand,
  SFNClient,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import * as grpc from "@grpc/grpc-js";
import { Workflows } from "@lambent/proto";
import { createTestFunction } from "../fixtures/deploy.js";
import { unaryCall, unaryError } from "../fixtures/grpc-unary.js";
import { ROLE, finished, fnArn, sfnClient } from "../fixtures/workflows.js";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startS3Store, type S3Store } from "../fixtures/s3-store.js";

let cluster: TestCluster;
let lambda: LambdaClient;
let sfn: SFNClient;
/** The S3-compatible store Map states' ItemReaders read from. */
let store: S3Store;

/** `op` picks what the function does with its event. */
const worker = zipFiles({
  "index.mjs": `export const handler = async (event) => {
    switch (event.op) {
      case "add": return { sum: event.a + event.b };
      case "double": return event.value * 2;
      case "fail": { const error = new Error("failing on purpose"); error.name = event.errorName ?? "CustomError"; throw error; }
      case "sleep": await new Promise((resolve) => setTimeout(resolve, event.ms)); return "slept";
      case "flaky": {
        const count = (globalThis.calls = (globalThis.calls ?? 0) + 1);
        if (count % 3 !== 0) { const error = new Error("try again"); error.name = "Flaky"; throw error; }
        return { attempts: count };
      }
      case "echo": default: return event;
    }
  };`,
});

/** Hands its task token to the test by returning it: the test answers it from another process. */
const tokenHolder = zipFiles({ "index.mjs": `export const handler = async (event) => ({ received: event.token });` });

beforeAll(async () => {
  store = await startS3Store(["items"]);
  cluster = await startTestCluster({
    schedulers: 1,
    workers: 1,
    env: { LAMBENT_WORKFLOW_S3_ENDPOINT: store.endpoint, LAMBENT_WORKFLOW_S3_ACCESS_KEY_ID: store.accessKeyId, LAMBENT_WORKFLOW_S3_SECRET_ACCESS_KEY: store.secretAccessKey },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  sfn = sfnClient(cluster.httpUrl);
  await createTestFunction(lambda, "worker", worker, { Timeout: 30 });
  await createTestFunction(lambda, "token-holder", tokenHolder);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  sfn?.destroy();
  await cluster?.stop();
  await store?.close();
});

async function machine(name: string, definition: object, type: "STANDARD" | "EXPRESS" = "STANDARD"): Promise<string> {
  const created = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, type }));
  return created.stateMachineArn!;
}

async function run(stateMachineArn: string, input: unknown, name?: string) {
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }));
  return finished(sfn, started.executionArn!);
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
}

describe("state machines", () => {
  it("are created, described, listed, updated, tagged and deleted", async () => {
    const arn = await machine("crud", { StartAt: "A", States: { A: { Type: "Pass", End: true } } });
    expect(arn).toBe("arn:aws:states:us-east-1:000000000000:stateMachine:crud");
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect(described).toMatchObject({ name: "crud", status: "ACTIVE", type: "STANDARD", roleArn: ROLE });
    expect(described.creationDate).toBeInstanceOf(Date);
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines!.map((item) => item.name)).toContain("crud");
    const updated = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: JSON.stringify({ StartAt: "B", States: { B: { Type: "Succeed" } } }) }));
    expect(updated.updateDate).toBeInstanceOf(Date);
    expect(JSON.parse((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).definition!)).toMatchObject({ StartAt: "B" });
    await sfn.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "team", value: "orders" }, { key: "tier", value: "1" }] }));
    await sfn.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["tier"] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: "team", value: "orders" }]);
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).rejects.toMatchObject({ name: "StateMachineDoesNotExist" });
  });

  it("refuse an invalid definition with AWS's error and location, and validate one without creating it", async () => {
    const bad = { StartAt: "A", States: { A: { Type: "Pass", Next: "Nowhere" } } };
    await expect(sfn.send(new CreateStateMachineCommand({ name: "bad", definition: JSON.stringify(bad), roleArn: ROLE }))).rejects.toMatchObject({
      name: "InvalidDefinition",
      message: expect.stringContaining("MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next"),
    });
    const validated = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify(bad) }));
    expect(validated.result).toBe("FAIL");
    expect(validated.diagnostics).toEqual([expect.objectContaining({ severity: "ERROR", code: "MISSING_TRANSITION_TARGET", location: "/States/A/Next" })]);
    expect((await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Succeed" } } }) }))).result).toBe("OK");
  });

  it("answer bad requests with AWS's errors", async () => {
    await expect(sfn.send(new CreateStateMachineCommand({ name: "has space", definition: "{}", roleArn: ROLE }))).rejects.toMatchObject({ name: "InvalidName" });
    await expect(sfn.send(new CreateStateMachineCommand({ name: "x", definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Succeed" } } }), roleArn: "not-a-role" }))).rejects.toMatchObject({ name: "InvalidArn" });
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:nope" }))).rejects.toMatchObject({ name: "StateMachineDoesNotExist" });
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: "nonsense" }))).rejects.toMatchObject({ name: "InvalidArn" });
    await expect(sfn.send(new CreateStateMachineCommand({ name: "", definition: "{}", roleArn: ROLE }))).rejects.toMatchObject({ name: "ValidationException" });
    const response = await fetch(cluster.httpUrl, { method: "POST", headers: { "X-Amz-Target": "AWSStepFunctions.CreateStateMachine", "Content-Type": "application/x-amz-json-1.0" }, body: "{not json" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: "SerializationException" });
  });
});

describe("executions", () => {
  it("run the developer guide's job-status poller: Task, Wait, Choice, Pass and Succeed, with the full history", async () => {
    const arn = await machine("job-poller", {
      Comment: "Polls a job's status until it is done",
      StartAt: "Submit Job",
      States: {
        "Submit Job": { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "echo", "jobId.$": "$.jobId", status: "SUBMITTED" }, ResultPath: "$.job", Next: "Wait X Seconds" },
        "Wait X Seconds": { Type: "Wait", SecondsPath: "$.wait_time", Next: "Get Job Status" },
        "Get Job Status": {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: "worker", Payload: { op: "echo", "jobId.$": "$.job.jobId", status: "SUCCEEDED" } },
          ResultSelector: { "status.$": "$.Payload.status", "code.$": "$.StatusCode" },
          ResultPath: "$.job",
          Next: "Job Complete?",
        },
        "Job Complete?": {
          Type: "Choice",
          Choices: [
            { Variable: "$.job.status", StringEquals: "FAILED", Next: "Job Failed" },
            { Variable: "$.job.status", StringEquals: "SUCCEEDED", Next: "Get Final Job Status" },
          ],
          Default: "Wait X Seconds",
        },
        "Job Failed": { Type: "Fail", Cause: "AWS Batch Job Failed", Error: "DescribeJob returned FAILED" },
        "Get Final Job Status": { Type: "Pass", Parameters: { "jobId.$": "$.jobId", "final.$": "$.job.status", "execution.$": "$$.Execution.Name" }, End: true },
      },
    });
    const done = await run(arn, { jobId: "j-1", wait_time: 1 }, "poll-1");
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual({ jobId: "j-1", final: "SUCCEEDED", execution: "poll-1" });
    const events = await history(done.executionArn!);
    expect(events.map((event) => event.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
      "WaitStateEntered",
      "WaitStateExited",
      "TaskStateEntered",
      "TaskScheduled",
      "TaskStarted",
      "TaskSucceeded",
      "TaskStateExited",
      "ChoiceStateEntered",
      "ChoiceStateExited",
      "PassStateEntered",
      "PassStateExited",
      "ExecutionSucceeded",
    ]);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    for (const event of events) expect(Math.abs(event.timestamp!.getTime() - Date.now())).toBeLessThan(600_000);
    expect(events[1]!.stateEnteredEventDetails).toMatchObject({ name: "Submit Job" });
    const page1 = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn!, maxResults: 5, reverseOrder: true }));
    expect(page1.events!.map((event) => event.id)).toEqual([18, 17, 16, 15, 14]);
    const page2 = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn!, maxResults: 5, reverseOrder: true, nextToken: page1.nextToken! }));
    expect(page2.events!.map((event) => event.id)).toEqual([13, 12, 11, 10, 9]);
    const forExecution = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: done.executionArn! }));
    expect(forExecution.name).toBe("job-poller");
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: "SUCCEEDED" }));
    expect(listed.executions!.map((execution) => execution.name)).toEqual(["poll-1"]);
  });

  it("run Parallel branches and a Map with its items, collecting results in order", async () => {
    const arn = await machine("fan-out", {
      StartAt: "Both",
      States: {
        Both: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Add", States: { Add: { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "add", "a.$": "$.a", "b.$": "$.b" }, OutputPath: "$.sum", End: true } } },
            {
              StartAt: "Doubles",
              States: {
                Doubles: { Type: "Map", ItemsPath: "$.values", MaxConcurrency: 2, ItemSelector: { op: "double", "value.$": "$$.Map.Item.Value" }, ItemProcessor: { StartAt: "Double", States: { Double: { Type: "Task", Resource: fnArn("worker"), End: true } } }, End: true },
              },
            },
          ],
          ResultSelector: { "sum.$": "$[0]", "doubled.$": "$[1]" },
          End: true,
        },
      },
    });
    const done = await run(arn, { a: 2, b: 3, values: [1, 2, 3, 4, 5] });
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual({ sum: 5, doubled: [2, 4, 6, 8, 10] });
    const types = (await history(done.executionArn!)).map((event) => event.type);
    expect(types.filter((type) => type === "MapIterationSucceeded")).toHaveLength(5);
    expect(types).toContain("ParallelStateSucceeded");
  });

  it("retry a function error with back-off, then catch what still fails", async () => {
    const arn = await machine("retry-catch", {
      StartAt: "Flaky",
      States: {
        Flaky: { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "flaky" }, Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 5 }], ResultPath: "$.flaky", Next: "Broken" },
        Broken: { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "fail", errorName: "OrderError" }, Retry: [{ ErrorEquals: ["OrderError"], IntervalSeconds: 1, MaxAttempts: 1 }], Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Handled" }], End: true },
        Handled: { Type: "Pass", End: true },
      },
    });
    const done = await run(arn, { order: 7 });
    expect(done.status).toBe("SUCCEEDED");
    const output = JSON.parse(done.output!);
    expect(output.order).toBe(7);
    expect(output.flaky.attempts % 3).toBe(0);
    expect(output.error.Error).toBe("OrderError");
    expect(JSON.parse(output.error.Cause)).toMatchObject({ errorType: "OrderError", errorMessage: "failing on purpose" });
    const types = (await history(done.executionArn!)).map((event) => event.type);
    expect(types.filter((type) => type === "LambdaFunctionFailed")).toHaveLength(4);
  });

  it("time a task out with States.Timeout, which Catch takes", async () => {
    const arn = await machine("timeouts", {
      StartAt: "Slow",
      States: {
        Slow: { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "sleep", ms: 20_000 }, TimeoutSeconds: 1, Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.timedOut", Next: "After" }], End: true },
        After: { Type: "Pass", End: true },
      },
    });
    const done = await run(arn, {});
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!).timedOut).toMatchObject({ Error: "States.Timeout" });
    expect((await history(done.executionArn!)).map((event) => event.type)).toContain("LambdaFunctionTimedOut");
  });

  it("fail with the Fail state's error and cause, and with an unhandled function error", async () => {
    const failing = await machine("failing", { StartAt: "F", States: { F: { Type: "Fail", ErrorPath: "$.code", CausePath: "$.why" } } });
    const failed = await run(failing, { code: "NotPaid", why: "card declined" });
    expect(failed).toMatchObject({ status: "FAILED", error: "NotPaid", cause: "card declined" });
    const unhandled = await machine("unhandled", { StartAt: "T", States: { T: { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "fail" }, End: true } } });
    expect(await run(unhandled, {})).toMatchObject({ status: "FAILED", error: "CustomError" });
  });

  it("wait for a task token that another process answers, with heartbeats", async () => {
    const arn = await machine("approval", {
      StartAt: "Ask",
      States: {
        Ask: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: "token-holder", Payload: { "token.$": "$$.Task.Token" } }, HeartbeatSeconds: 600, ResultPath: "$.approval", End: true },
      },
    });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ order: 1 }) }));
    const token = await eventually(
      async () => {
        const submitted = (await history(started.executionArn!)).find((event) => event.type === "TaskSubmitted");
        return submitted ? (JSON.parse(submitted.taskSubmittedEventDetails!.output!).Payload.received as string) : undefined;
      },
      { deadline: 30_000, message: "the task was never submitted" },
    );
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    const script = `
      import { SFNClient, SendTaskSuccessCommand } from "@aws-sdk/client-sfn";
      const sfn = new SFNClient({ endpoint: process.argv[1], region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
      await sfn.send(new SendTaskSuccessCommand({ taskToken: process.argv[2], output: JSON.stringify({ approved: true }) }));
    `;
    const exitCode = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script, cluster.httpUrl, token], { stdio: "inherit" });
      child.once("exit", resolve);
    });
    expect(exitCode).toBe(0);
    const done = await finished(sfn, started.executionArn!);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual({ order: 1, approval: { approved: true } });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }))).rejects.toMatchObject({ name: "TaskDoesNotExist" });
  });

  it("stop when asked, and refuse a second start of the same name with other input", async () => {
    const arn = await machine("long-wait", { StartAt: "W", States: { W: { Type: "Wait", Seconds: 86_400 * 3, End: true } } });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "three-days", input: "{}" }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "three-days", input: "{}" }));
    expect(again.executionArn).toBe(started.executionArn);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "three-days", input: '{"other":1}' }))).rejects.toMatchObject({ name: "ExecutionAlreadyExists" });
    await eventually(async () => (await history(started.executionArn!)).some((event) => event.type === "WaitStateEntered"), { deadline: 30_000, message: "the wait never began" });
    await sfn.send(new StopExecutionCommand({ executionArn: started.executionArn!, error: "Cancelled", cause: "by the test" }));
    const stopped = await finished(sfn, started.executionArn!);
    expect(stopped).toMatchObject({ status: "ABORTED", error: "Cancelled", cause: "by the test" });
    expect((await history(started.executionArn!)).at(-1)!.type).toBe("ExecutionAborted");
  });

  it("run express state machines synchronously, and refuse standard ones there", async () => {
    const arn = await machine("express-add", { StartAt: "Add", States: { Add: { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "add", "a.$": "$.a", b: 10 }, End: true } } }, "EXPRESS");
    const result = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ a: 5 }) }));
    expect(result.status).toBe("SUCCEEDED");
    expect(JSON.parse(result.output!)).toEqual({ sum: 15 });
    expect(result.executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:express:express-add:/);
    const standard = await machine("standard-only", { StartAt: "A", States: { A: { Type: "Succeed" } } });
    await expect(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: standard, input: "{}" }))).rejects.toMatchObject({ name: "StateMachineTypeNotSupported" });
  });
});

describe("lambent.v1.Workflows over gRPC", () => {
  it("takes and answers AWS's JSON, with the same checks and error types as the HTTP API", async () => {
    const client = new Workflows.WorkflowsClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    try {
      const definition = JSON.stringify({ StartAt: "Add", States: { Add: { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "add", "a.$": "$.a", b: 1 }, End: true } } });
      const created = await unaryCall(client, client.createStateMachine, { inputJson: JSON.stringify({ name: "over-grpc", definition, roleArn: ROLE }) });
      const { stateMachineArn } = JSON.parse(created.outputJson);
      const started = await unaryCall(client, client.startExecution, { inputJson: JSON.stringify({ stateMachineArn, input: JSON.stringify({ a: 41 }) }) });
      const done = await finished(sfn, JSON.parse(started.outputJson).executionArn);
      expect(JSON.parse(done.output!)).toEqual({ sum: 42 });
      expect(await unaryError(client, client.describeStateMachine, { inputJson: JSON.stringify({ stateMachineArn: `${stateMachineArn}-missing` }) })).toEqual({ code: grpc.status.NOT_FOUND, errorType: "StateMachineDoesNotExist" });
      expect(await unaryError(client, client.createStateMachine, { inputJson: JSON.stringify({ name: "bad-grpc", definition: "{}", roleArn: ROLE }) })).toEqual({ code: grpc.status.INVALID_ARGUMENT, errorType: "InvalidDefinition" });
    } finally {
      client.close();
    }
  });
});

describe("lambent workflow (the CLI)", () => {
  const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
  const cli = (cwd: string, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl } }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  it("creates, validates, starts with --wait, lists executions and prints history", async () => {
    const folder = await mkdtemp(join(tmpdir(), "lambent-workflow-cli-"));
    try {
      await writeFile(join(folder, "machine.json"), JSON.stringify({ StartAt: "Double", States: { Double: { Type: "Task", Resource: fnArn("worker"), Parameters: { op: "double", "value.$": "$.n" }, End: true } } }));
      await writeFile(join(folder, "broken.json"), JSON.stringify({ StartAt: "Nope", States: { A: { Type: "Succeed" } } }));
      expect((await cli(folder, "workflow", "validate", "--definition", "machine.json")).stdout).toBe("OK\n");
      const invalid = await cli(folder, "workflow", "validate", "--definition", "broken.json");
      expect(invalid.code).toBe(1);
      expect(invalid.stdout).toContain("MISSING_TRANSITION_TARGET at /StartAt");
      const created = await cli(folder, "workflow", "create", "doubler", "--definition", "machine.json");
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/StateMachineArn:\s+arn:aws:states:us-east-1:000000000000:stateMachine:doubler/);
      const started = await cli(folder, "workflow", "start", "doubler", "--input", '{"n":21}', "--name", "first", "--wait");
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toMatch(/Status:\s+SUCCEEDED/);
      expect(started.stdout).toMatch(/Output:\s+42/);
      expect((await cli(folder, "workflow", "executions", "doubler")).stdout).toMatch(/first\s+SUCCEEDED/);
      const history = await cli(folder, "workflow", "history", "arn:aws:states:us-east-1:000000000000:execution:doubler:first");
      expect(history.stdout).toMatch(/ExecutionSucceeded/);
      const missing = await cli(folder, "workflow", "get", "no-such-machine");
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("StateMachineDoesNotExist");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("a Map's ItemReader", () => {
  async function put(key: string, body: string): Promise<void> {
    const s3 = new S3Client({ endpoint: store.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey } });
    await s3.send(new PutObjectCommand({ Bucket: "items", Key: key, Body: body }));
    s3.destroy();
  }

  const readerMap = (readerConfig: object, itemSelector?: object) => ({
    StartAt: "Each",
    States: {
      Each: {
        Type: "Map",
        ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: readerConfig, Parameters: { Bucket: "items", "Key.$": "$.key" } },
        ...(itemSelector ? { ItemSelector: itemSelector } : {}),
        MaxConcurrency: 4,
        ItemProcessor: { StartAt: "Call", States: { Call: { Type: "Task", Resource: fnArn("worker"), End: true } } },
        Catch: [{ ErrorEquals: ["States.ItemReaderFailed"], Next: "Unread" }],
        End: true,
      },
      Unread: { Type: "Pass", End: true },
    },
  });

  it("runs the Map over a JSON array read from the S3-compatible store, at most MaxItems of it", async () => {
    await put("numbers.json", JSON.stringify(Array.from({ length: 20 }, (_, index) => ({ op: "double", value: index + 1 }))));
    const arn = await machine("reader-json", readerMap({ InputType: "JSON", MaxItems: 12 }));
    const done = await run(arn, { key: "numbers.json" });
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual(Array.from({ length: 12 }, (_, index) => (index + 1) * 2));
  });

  it("reads CSV rows as objects named by the header row, and JSON Lines one value per line", async () => {
    await put("people.csv", 'name,city\r\nAda,London\r\n"Hopper, Grace","New ""York"""\r\n');
    const csv = await machine("reader-csv", readerMap({ InputType: "CSV", CSVHeaderLocation: "FIRST_ROW" }, { op: "echo", "row.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index" }));
    const csvDone = await run(csv, { key: "people.csv" });
    expect(csvDone.status).toBe("SUCCEEDED");
    expect(JSON.parse(csvDone.output!)).toEqual([
      { op: "echo", row: { name: "Ada", city: "London" }, index: 0 },
      { op: "echo", row: { name: "Hopper, Grace", city: 'New "York"' }, index: 1 },
    ]);
    await put("adds.jsonl", '{"op":"add","a":1,"b":2}\n{"op":"add","a":3,"b":4}\n');
    const jsonl = await machine("reader-jsonl", readerMap({ InputType: "JSONL" }));
    const jsonlDone = await run(jsonl, { key: "adds.jsonl" });
    expect(JSON.parse(jsonlDone.output!)).toEqual([{ sum: 3 }, { sum: 7 }]);
  });

  it("fails with States.ItemReaderFailed, which Catch catches, for a missing object or one that is not an array", async () => {
    const arn = await machine("reader-missing", readerMap({ InputType: "JSON" }));
    const missing = await run(arn, { key: "no-such-object.json" });
    expect(missing.status).toBe("SUCCEEDED");
    expect(JSON.parse(missing.output!)).toMatchObject({ Error: "States.ItemReaderFailed", Cause: expect.stringMatching(/NoSuchKey/) });
    await put("object.json", JSON.stringify({ not: "an array" }));
    const notArray = await run(arn, { key: "object.json" });
    expect(JSON.parse(notArray.output!)).toMatchObject({ Error: "States.ItemReaderFailed" });
    const types = (await history(missing.executionArn!)).map((event) => event.type);
    expect(types).toContain("MapStateFailed");
  });
});
