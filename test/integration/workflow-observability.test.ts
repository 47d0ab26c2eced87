// What an execution shows of itself on a real cluster: one trace per execution (the call that started it,
// a span per state, the function calls of Task states beneath their state's span), and Prometheus
// counts of executions started and ended by status on the leading scheduler.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateStateMachineCommand, StartExecutionCommand, StopExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from "../fixtures/otlp-collector.js";
import { ROLE, finished, fnArn, sfnClient } from "../fixtures/workflows.js";

let collector: OtlpCollector;
let cluster: TestCluster;
let sfn: SFNClient;

const echo = zipFiles({ "index.mjs": `export const handler = async (event) => { if (event.fail) throw new Error("no"); return event; };` });

beforeAll(async () => {
  collector = await startOtlpCollector();
  cluster = await startTestCluster({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: "20" } });
  const lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "echo", echo);
  lambda.destroy();
  sfn = sfnClient(cluster.httpUrl);
}, 120_000);

afterAll(async () => {
  sfn?.destroy();
  await cluster?.stop();
  await collector?.close();
});

const randomHex = (bytes: number): string => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");

async function scrapeScheduler(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${String(cluster.schedulers[0]!.ready["metricsPort"])}/metrics`)).text();
}

function executions(text: string, status: string): number {
  const match = new RegExp(`^lambent_workflow_executions_total\\{type="STANDARD",status="${status}"\\} (\\d+)`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

describe("workflow observability", () => {
  it("makes each execution one trace: a span per state, function calls beneath their state", async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: "traced",
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: "Prepare", States: { Prepare: { Type: "Pass", Result: { n: 1 }, Next: "Call" }, Call: { Type: "Task", Resource: fnArn("echo"), End: true } } }),
      }),
    );
    const traceId = randomHex(16);
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: "{}", traceHeader: `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Sampled=1` }));
    expect((await finished(sfn, started.executionArn!)).status).toBe("SUCCEEDED");
    const has = (name: string) => (spans: CollectedSpan[]) => spans.some((span) => span.name === name);
    const spans = await collector.trace(traceId, (found) => has("StartExecution traced")(found) && has("state Prepare")(found) && has("state Call")(found) && found.some((span) => span.service === "lambent-worker"));
    const root = spans.find((span) => span.name === "StartExecution traced")!;
    const prepare = spans.find((span) => span.name === "state Prepare")!;
    const call = spans.find((span) => span.name === "state Call")!;
    expect(prepare.parentSpanId).toBe(root.spanId);
    expect(call.parentSpanId).toBe(root.spanId);
    expect(call.attributes["lambent.workflow.execution"]).toBe(started.executionArn);
    // The Task state's function call (admission, then the worker) hangs beneath the state's span.
    const beneathCall = spans.filter((span) => span.parentSpanId === call.spanId);
    expect(beneathCall.length).toBeGreaterThan(0);
  });

  it("counts executions started, succeeded, failed and aborted", async () => {
    const before = await scrapeScheduler();
    const { stateMachineArn: ok } = await sfn.send(new CreateStateMachineCommand({ name: "counted-ok", roleArn: ROLE, definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Succeed" } } }) }));
    const { stateMachineArn: bad } = await sfn.send(new CreateStateMachineCommand({ name: "counted-bad", roleArn: ROLE, definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Fail", Error: "E" } } }) }));
    const { stateMachineArn: slow } = await sfn.send(new CreateStateMachineCommand({ name: "counted-slow", roleArn: ROLE, definition: JSON.stringify({ StartAt: "W", States: { W: { Type: "Wait", Seconds: 3600, End: true } } }) }));
    await finished(sfn, (await sfn.send(new StartExecutionCommand({ stateMachineArn: ok }))).executionArn!);
    await finished(sfn, (await sfn.send(new StartExecutionCommand({ stateMachineArn: bad }))).executionArn!);
    const waiting = await sfn.send(new StartExecutionCommand({ stateMachineArn: slow }));
    await sfn.send(new StopExecutionCommand({ executionArn: waiting.executionArn! }));
    await finished(sfn, waiting.executionArn!);
    await eventually(
      async () => {
        const after = await scrapeScheduler();
        return (
          executions(after, "started") - executions(before, "started") === 3 &&
          executions(after, "succeeded") - executions(before, "succeeded") === 1 &&
          executions(after, "failed") - executions(before, "failed") === 1 &&
          executions(after, "aborted") - executions(before, "aborted") === 1
        );
      },
      { deadline: 30_000, message: "the scheduler never counted the executions" },
    );
  });
});
