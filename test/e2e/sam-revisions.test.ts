// Applications as revisions on a real cluster: every template deploy recorded in NATS, `app diff` showing
// what the next would change without changing it, `app rollback` returning in one call; a deploy that
// fails at its last function, and one killed midway, leaving the previous revision running; and a second
// deploy refused while the stack's lock is held; provisioned concurrency and EventInvokeConfig from the
// template applied, changed, undone and rolled back with the rest.
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { jetstreamManager } from "@nats-io/jetstream";
import { GetFunctionEventInvokeConfigCommand, GetProvisionedConcurrencyConfigCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { Buckets } from "@lambent/protocol";
import { eventually, lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
/** Each test deploys a stack several times through the CLI, every deploy a few seconds on a busy machine. */
const STACK_TEST_TIMEOUT_MS = 240_000;
let cluster: TestCluster;
let nc: NatsConnection;
let folder: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  nc = await connect(cluster.natsOptions());
  folder = await mkdtemp(join(tmpdir(), "lambent-sam-revisions-"));
});
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function lambent(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await lambent([...args, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface AppShape {
  label: string;
  memory: number;
  count: number;
  /** The last function's code imports a file that is not there: only the deploy-time bundler finds that. */
  brokenLast?: boolean;
}

/** A stack of `count` functions, each answering its label on `/<stack>-<i>`. */
async function writeApp(stack: string, shape: AppShape): Promise<string> {
  const dir = join(folder, stack);
  let resources = "";
  for (let index = 0; index < shape.count; index += 1) {
    await mkdir(join(dir, `fn${index}`), { recursive: true });
    const broken = shape.brokenLast === true && index === shape.count - 1;
    await writeFile(
      join(dir, `fn${index}`, "index.mjs"),
      broken
        ? `import { save } from "./store.mjs";\nexport const handler = async () => ({ statusCode: 200, body: String(await save()) });\n`
        : `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(`${shape.label} ${index}`)} });\n`,
    );
    resources += `  Fn${index}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn${index}/
      Handler: index.handler
      Runtime: nodejs20.x
      MemorySize: ${shape.memory}
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /${stack}-${index}
            Method: get
`;
  }
  await writeFile(join(dir, "template.yaml"), `Transform: AWS::Serverless-2016-10-31\nResources:\n${resources}`);
  return dir;
}

interface FunctionState {
  CodeSha256: string;
  MemorySize: number;
  Handler: string;
  Timeout: number;
  Runtime: string;
  Role: string;
  Description: string;
}

/** What a deploy may change of each function of the stack, by name; absent functions left out. */
async function stackState(stack: string, count: number): Promise<Record<string, FunctionState>> {
  const state: Record<string, FunctionState> = {};
  for (let index = 0; index < count; index += 1) {
    const got = await fetch(`${cluster.httpUrl}/2015-03-31/functions/${stack}-Fn${index}`);
    if (got.status === 404) continue;
    const { CodeSha256, MemorySize, Handler, Timeout, Runtime, Role, Description } = ((await got.json()) as { Configuration: FunctionState }).Configuration;
    state[`${stack}-Fn${index}`] = { CodeSha256, MemorySize, Handler, Timeout, Runtime, Role, Description };
  }
  return state;
}

async function answers(stack: string, count: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let index = 0; index < count; index += 1) bodies.push(await (await fetch(`${cluster.httpUrl}/${stack}-${index}`)).text());
  return bodies;
}

interface History {
  CurrentRevision: number;
  Revisions: { Revision: number; Operation: string; RestoredRevision?: number; Current: boolean }[];
}

describe("application revisions", () => {
  it("records a revision per deploy, diffs the next without changing anything, and rolls back to the previous revision in one call", async () => {
    const dir = await writeApp("revs", { label: "v1", memory: 128, count: 2 });
    const first = await json<{ Revision: number }>("deploy", dir, "--stack-name", "revs");
    expect(first.Revision).toBe(1);
    const before = await stackState("revs", 3);
    expect(Object.keys(before)).toEqual(["revs-Fn0", "revs-Fn1"]);

    await writeApp("revs", { label: "v2", memory: 256, count: 3 });
    const diff = await json<{ CurrentRevision: number; Changes: { Action: string; Resource: string; Details: string[] }[] }>("app", "diff", dir, "--stack-name", "revs");
    expect(diff.CurrentRevision).toBe(1);
    expect(diff.Changes).toEqual([
      { Action: "change", Resource: "function revs-Fn0", LogicalId: "Fn0", Details: ["code", "MemorySize: 128 → 256"] },
      { Action: "change", Resource: "function revs-Fn1", LogicalId: "Fn1", Details: ["code", "MemorySize: 128 → 256"] },
      { Action: "add", Resource: "function revs-Fn2", LogicalId: "Fn2", Details: [] },
    ]);
    expect(await stackState("revs", 3)).toEqual(before);

    const second = await json<{ Revision: number }>("deploy", dir, "--stack-name", "revs");
    expect(second.Revision).toBe(2);
    expect(await answers("revs", 3)).toEqual(["v2 0", "v2 1", "v2 2"]);
    const unchanged = await json<{ Changes: unknown[] }>("app", "diff", dir, "--stack-name", "revs");
    expect(unchanged.Changes).toEqual([]);

    const rollback = await json<{ RestoredRevision: number; Revision: number; Removed: string[] }>("app", "rollback", "revs");
    expect(rollback).toMatchObject({ RestoredRevision: 1, Revision: 3, Removed: ["revs-Fn2"] });
    expect(await stackState("revs", 3)).toEqual(before);
    expect(await answers("revs", 2)).toEqual(["v1 0", "v1 1"]);
    const history = await json<History>("app", "history", "revs");
    expect(history.CurrentRevision).toBe(3);
    expect(history.Revisions.map((revision) => [revision.Revision, revision.Operation, revision.RestoredRevision ?? null, revision.Current])).toEqual([
      [1, "deploy", null, false],
      [2, "deploy", null, false],
      [3, "rollback", 1, true],
    ]);
  }, STACK_TEST_TIMEOUT_MS);

  it("changes nothing when the last function fails at create time: every function's configuration and code as before", async () => {
    const dir = await writeApp("atomic", { label: "v1", memory: 128, count: 3 });
    expect((await lambent(["deploy", dir, "--stack-name", "atomic"])).code).toBe(0);
    const before = await stackState("atomic", 3);
    await writeApp("atomic", { label: "v2", memory: 512, count: 3, brokenLast: true });
    const failed = await lambent(["deploy", dir, "--stack-name", "atomic"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Could not resolve "\.\/store\.mjs"/);
    expect(failed.stderr).toContain("the stack is back on revision 1");
    expect(failed.stderr).toContain("undid updated function atomic-Fn0");
    expect(await stackState("atomic", 3)).toEqual(before);
    expect(await answers("atomic", 3)).toEqual(["v1 0", "v1 1", "v1 2"]);
    expect((await json<History>("app", "history", "atomic")).CurrentRevision).toBe(1);
  }, STACK_TEST_TIMEOUT_MS);

  it("refuses a second deploy of a stack while another holds its lock, and changes nothing", async () => {
    const dir = await writeApp("locked", { label: "v1", memory: 128, count: 1 });
    expect((await lambent(["deploy", dir, "--stack-name", "locked"])).code).toBe(0);
    const before = await stackState("locked", 1);
    const lockUrl = `${cluster.httpUrl}/lambent/2024-01-01/applications/locked/lock`;
    const taken = await fetch(lockUrl, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ Owner: "a deploy elsewhere", TtlSeconds: 600 }) });
    expect(taken.status).toBe(201);
    const { Lock } = (await taken.json()) as { Lock: { LockId: string } };

    // The lock's calls answer bad input with Lambda's errors.
    const errorOf = async (response: Response) => {
      await response.arrayBuffer();
      return [response.status, response.headers.get("x-amzn-errortype")];
    };
    expect(await errorOf(await fetch(lockUrl, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ Owner: "second" }) }))).toEqual([409, "ResourceConflictException"]);
    expect(await errorOf(await fetch(lockUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ LockId: "not-the-holder", Journal: {} }) }))).toEqual([409, "ResourceConflictException"]);
    expect(await errorOf(await fetch(`${cluster.httpUrl}/lambent/2024-01-01/applications/9bad/lock`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ Owner: "x" }) }))).toEqual([400, "InvalidParameterValueException"]);
    expect(await errorOf(await fetch(`${cluster.httpUrl}/lambent/2024-01-01/applications/locked/revisions/99`))).toEqual([404, "ResourceNotFoundException"]);
    expect(await errorOf(await fetch(lockUrl, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ Owner: "x", TtlSeconds: 0 }) }))).toEqual([400, "InvalidParameterValueException"]);

    await writeApp("locked", { label: "v2", memory: 256, count: 1 });
    const refused = await lambent(["deploy", dir, "--stack-name", "locked"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/The application locked is being deployed by a deploy elsewhere .*nothing was changed/);
    expect(await stackState("locked", 1)).toEqual(before);
    expect((await lambent(["app", "rollback", "locked"])).code).not.toBe(0);

    expect((await fetch(`${lockUrl}?LockId=${Lock.LockId}`, { method: "DELETE" })).status).toBe(204);
    expect((await lambent(["deploy", dir, "--stack-name", "locked"])).code).toBe(0);
  }, STACK_TEST_TIMEOUT_MS);

  it("undoes a deploy killed midway, once its lock expires, at the next command for the stack", async () => {
    const dir = await writeApp("killed", { label: "v1", memory: 128, count: 3 });
    expect((await lambent(["deploy", dir, "--stack-name", "killed"])).code).toBe(0);
    const before = await stackState("killed", 3);
    await writeApp("killed", { label: "v2", memory: 256, count: 3 });

    const kv = await new Kvm(nc).open(Buckets.applications);
    const watch = await kv.watch({ key: "app.killed.lock" });
    const deploy = spawn(process.execPath, [CLI, "deploy", dir, "--stack-name", "killed"], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl, LAMBENT_DEPLOY_LOCK_TTL: "2" }, stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => deploy.once("exit", (_code, signal) => resolve(signal)));
    // The second step is written once the first function's update is applied in full.
    for await (const entry of watch) {
      if (entry.operation !== "PUT") continue;
      const { journal } = entry.json<{ journal: { steps?: unknown[] } }>();
      if ((journal.steps?.length ?? 0) >= 2) break;
    }
    deploy.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    watch.stop();
    const abandoned = await kv.get("app.killed.lock");
    expect(abandoned?.json<{ journal: { steps: { kind: string }[] } }>().journal.steps[0]).toMatchObject({ kind: "function-updated" });
    expect((await stackState("killed", 3))["killed-Fn0"]!.MemorySize).toBe(256);

    const recovered = await eventually(
      async () => {
        const history = await lambent(["app", "history", "killed"]);
        return history.stderr.includes("recovered:") ? history : undefined;
      },
      { deadline: 60_000, interval: 500, message: "no command recovered the killed deploy" },
    );
    expect(recovered.stderr).toMatch(/died midway; undid \d+ steps?, the stack is back on revision 1/);
    expect(await stackState("killed", 3)).toEqual(before);
    expect(await answers("killed", 3)).toEqual(["v1 0", "v1 1", "v1 2"]);
    expect(await kv.get("app.killed.lock").then((entry) => entry?.operation ?? "none")).not.toBe("PUT");
  }, STACK_TEST_TIMEOUT_MS);

  it("deploys SQS events as event source mappings, updates them in place, and undoes them with the rest when a later one fails at create", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SAM_ORDERS_IN", subjects: ["sam-orders-in"] });
    const dir = join(folder, "queued");
    await mkdir(join(dir, "fn"), { recursive: true });
    await writeFile(join(dir, "fn", "index.mjs"), "export const handler = async (event) => ({ batchItemFailures: [] });\n");
    const worker = (id: string, subject: string, batchSize: number): string => `  ${id}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !Sub arn:aws:sqs:\${AWS::Region}:\${AWS::AccountId}:${subject}
            BatchSize: ${batchSize}
            FunctionResponseTypes: [ReportBatchItemFailures]
`;
    const deployWith = async (resources: string) => {
      await writeFile(join(dir, "template.yaml"), `Transform: AWS::Serverless-2016-10-31\nResources:\n${resources}`);
      return lambent(["deploy", dir, "--stack-name", "queued"]);
    };
    const mappings = async () => (await json<{ EventSourceMappings: { UUID: string; EventSourceArn: string; BatchSize: number; FunctionResponseTypes: string[] }[] }>("mapping", "list", "--function", "queued-Worker")).EventSourceMappings;

    expect((await deployWith(worker("Worker", "sam-orders-in", 5))).code).toBe(0);
    const [created] = await mappings();
    expect(created).toMatchObject({ EventSourceArn: expect.stringMatching(/^arn:aws:sqs:[^:]+:\d{12}:sam-orders-in$/), BatchSize: 5, FunctionResponseTypes: ["ReportBatchItemFailures"] });

    // The second function's queue is a subject no stream captures: only the cluster finds that, at create.
    const failed = await deployWith(worker("Worker", "sam-orders-in", 7) + worker("Late", "sam-nowhere", 1));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("the stack is back on revision 1");
    expect(await mappings()).toEqual([expect.objectContaining({ UUID: created!.UUID, BatchSize: 5 })]);
    expect((await fetch(`${cluster.httpUrl}/2015-03-31/functions/queued-Late`)).status).toBe(404);

    expect((await deployWith(worker("Worker", "sam-orders-in", 7))).code).toBe(0);
    expect(await mappings()).toEqual([expect.objectContaining({ UUID: created!.UUID, BatchSize: 7 })]);
  }, STACK_TEST_TIMEOUT_MS);

  it("applies ProvisionedConcurrencyConfig and EventInvokeConfig, changes them with the next deploy, restores them when a deploy fails midway, rolls them back, and deletes them with the stack", async () => {
    const dir = join(folder, "tuned");
    for (const name of ["orders", "audit"]) {
      await mkdir(join(dir, name), { recursive: true });
      await writeFile(join(dir, name, "index.mjs"), "export const handler = async () => ({ ok: true });\n");
    }
    interface Shape {
      provisioned: number;
      retries: number;
      onSuccess: boolean;
      auditConfig: boolean;
    }
    const writeTemplate = (shape: Shape) =>
      writeFile(
        join(dir, "template.yaml"),
        `Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: orders/
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: ${shape.provisioned}
      EventInvokeConfig:
        MaximumEventAgeInSeconds: 120
        MaximumRetryAttempts: ${shape.retries}
        DestinationConfig:
${shape.onSuccess ? "          OnSuccess:\n            Type: Lambda\n            Destination: !GetAtt Audit.Arn\n" : ""}          OnFailure:
            Type: SQS
            Destination: !Sub arn:aws:sqs:\${AWS::Region}:\${AWS::AccountId}:tuned-failed
  Audit:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: audit/
      Handler: index.handler
      Runtime: nodejs20.x
${shape.auditConfig ? "      EventInvokeConfig:\n        MaximumRetryAttempts: 0\n" : ""}`,
      );
    const deploy = () => lambent(["deploy", dir, "--stack-name", "tuned"]);
    const lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
    const state = async () => {
      const provisioned = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "tuned-Orders", Qualifier: "live" }));
      const orders = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "tuned-Orders", Qualifier: "live" }));
      const audit = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "tuned-Audit" })).catch((error: Error) => error.name);
      return {
        provisioned: provisioned.RequestedProvisionedConcurrentExecutions,
        orders: { age: orders.MaximumEventAgeInSeconds, retries: orders.MaximumRetryAttempts, onSuccess: orders.DestinationConfig?.OnSuccess?.Destination ?? null, onFailure: orders.DestinationConfig?.OnFailure?.Destination },
        audit: typeof audit === "string" ? audit : audit.MaximumRetryAttempts,
      };
    };
    try {
      await writeTemplate({ provisioned: 1, retries: 1, onSuccess: true, auditConfig: true });
      const first = await deploy();
      expect(first.code, first.stderr).toBe(0);
      const firstState = await state();
      expect(firstState).toEqual({
        provisioned: 1,
        orders: { age: 120, retries: 1, onSuccess: expect.stringMatching(/^arn:aws:lambda:[^:]+:\d{12}:function:tuned-Audit$/), onFailure: expect.stringMatching(/^arn:aws:sqs:[^:]+:\d{12}:tuned-failed$/) },
        audit: 0,
      });
      // $LATEST of the function with an alias has none: the template's goes on the alias.
      expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "tuned-Orders" })).catch((error: Error) => error.name)).toBe("ResourceNotFoundException");

      await writeTemplate({ provisioned: 2, retries: 2, onSuccess: false, auditConfig: false });
      const diff = await json<{ Changes: { Resource: string; Details: string[] }[] }>("app", "diff", dir, "--stack-name", "tuned");
      expect(diff.Changes.find((change) => change.Resource === "function tuned-Orders")?.Details).toEqual([
        "ProvisionedConcurrencyConfig: 1 → 2",
        expect.stringMatching(/^EventInvokeConfig: \{.*"MaximumRetryAttempts":1,.*"OnSuccess".* → \{.*"MaximumRetryAttempts":2,"DestinationConfig":\{"OnFailure"/),
      ]);
      expect(diff.Changes.find((change) => change.Resource === "function tuned-Audit")?.Details).toEqual(['EventInvokeConfig: {"MaximumRetryAttempts":0} → (none)']);
      expect(await state()).toEqual(firstState);
      const second = await deploy();
      expect(second.code, second.stderr).toBe(0);
      const secondState = await state();
      expect(secondState).toEqual({ provisioned: 2, orders: { ...firstState.orders, retries: 2, onSuccess: null }, audit: "ResourceNotFoundException" });
      const unchanged = await json<{ Changes: unknown[] }>("app", "diff", dir, "--stack-name", "tuned");
      expect(unchanged.Changes).toEqual([]);

      // The next deploy raises both, then fails at Audit's code: Orders is put back as it was.
      await writeTemplate({ provisioned: 3, retries: 0, onSuccess: true, auditConfig: true });
      await writeFile(join(dir, "audit", "index.mjs"), `import { save } from "./store.mjs";\nexport const handler = async () => save();\n`);
      const failed = await deploy();
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("undid updated function tuned-Orders");
      expect(await state()).toEqual(secondState);

      await writeFile(join(dir, "audit", "index.mjs"), "export const handler = async () => ({ ok: true });\n");
      const rollback = await json<{ RestoredRevision: number }>("app", "rollback", "tuned");
      expect(rollback.RestoredRevision).toBe(1);
      expect(await state()).toEqual(firstState);

      // app delete takes them with the functions.
      expect((await lambent(["app", "delete", "tuned"])).code).toBe(0);
      expect(await state().catch((error: Error) => error.name)).toBe("ResourceNotFoundException");
    } finally {
      lambda.destroy();
    }
  }, STACK_TEST_TIMEOUT_MS);

  it("deploys an AWS::Serverless::StateMachine whose task is the template's function, runs it, and deletes it with the stack", async () => {
    const dir = join(folder, "flows");
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "template.yaml"),
      `Transform: AWS::Serverless-2016-10-31
Resources:
  Doubler:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async (event) => ({ doubled: event.n * 2 });"
      Handler: index.handler
      Runtime: nodejs20.x
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      DefinitionSubstitutions:
        DoublerArn: !GetAtt Doubler.Arn
      Definition:
        StartAt: Double
        States:
          Double: { Type: Task, Resource: "\${DoublerArn}", End: true }
Outputs:
  FlowArn:
    Value: !Ref Flow
`,
    );
    const deployed = await json<{ Outputs: { FlowArn: string } }>("deploy", dir, "--stack-name", "flows");
    expect(deployed.Outputs.FlowArn).toMatch(/^arn:aws:states:[^:]+:\d{12}:stateMachine:flows-Flow$/);
    const run = await lambent(["workflow", "run", "flows-Flow", "--input", '{"n":21}', "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse((JSON.parse(run.stdout) as { output: string }).output)).toEqual({ doubled: 42 });

    const deleted = await json<{ DeletedFunctions: string[]; DeletedStateMachines: string[] }>("app", "delete", "flows");
    expect(deleted).toMatchObject({ DeletedFunctions: ["flows-Doubler"], DeletedStateMachines: ["flows-Flow"] });
    expect((await lambent(["workflow", "get", "flows-Flow"])).code).not.toBe(0);
  }, STACK_TEST_TIMEOUT_MS);
});
