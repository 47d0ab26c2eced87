// The console's views over traces, workflows and usage, in a real Chromium against a real cluster that
// exports traces (to a small OTLP collector): an invocation's detail shows its trace id, linked to the
// configured trace viewer (GetLogs carries it over REST and gRPC); a state machine's executions, one execution's state graph coloured by what each
// state did, and its history; usage and cost per function, at the cluster's prices or ones typed in, for the period chosen. With CONSOLE_SCREENSHOTS=1 the pages are saved to docs/console/ as PNGs.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { openConsolePage } from "../fixtures/chromium.js";
import * as grpc from "@grpc/grpc-js";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { LambdaClient as GrpcLambdaClient, type LogEvent as GrpcLogEvent } from "@lambent/proto";
import { CreateStateMachineCommand, StartExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { ApiPaths, type GetLogsResponse, type UsageReport } from "@lambent/lambda-api";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startOtlpCollector, type OtlpCollector } from "../fixtures/otlp-collector.js";
import { ROLE, finished, fnArn, sfnClient } from "../fixtures/workflows.js";

const SCREENSHOTS = process.env["CONSOLE_SCREENSHOTS"] === "1" ? fileURLToPath(new URL("../../docs/console/", import.meta.url)) : undefined;
const TRACE_VIEWER = "https://traces.example/trace/{traceId}";

let collector: OtlpCollector;
let cluster: TestCluster;
let sfn: SFNClient;
let browser: Browser;
let page: Page;
const pageProblems: string[] = [];

async function screenshot(name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

const randomHex = (bytes: number): string => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");

beforeAll(async () => {
  collector = await startOtlpCollector();
  cluster = await startTestCluster({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: "20", LAMBENT_CONSOLE_TRACE_URL: TRACE_VIEWER } });
  const lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "echo", zipFiles({ "index.mjs": `export const handler = async (event) => { if (event.fail) throw new Error("no"); console.log("echo", JSON.stringify(event)); return event; };` }));
  lambda.destroy();
  sfn = sfnClient(cluster.httpUrl);
  ({ browser, page } = await openConsolePage(pageProblems));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  sfn?.destroy();
  await cluster?.stop();
  await collector?.close();
});

describe("the console's traces, workflows and usage", () => {
  it("shows a traced invocation's trace id in its detail, linked to the trace viewer", async () => {
    const traceId = randomHex(16);
    const invoked = await fetch(`${cluster.httpUrl}/2015-03-31/functions/echo/invocations`, {
      method: "POST",
      headers: { "X-Amzn-Trace-Id": `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Sampled=1` },
      body: JSON.stringify({ hello: "trace" }),
    });
    expect(invoked.status).toBe(200);
    const requestId = invoked.headers.get("x-amzn-requestid")!;
    // GetLogs carries the id beside each line of the traced call, once the worker has shipped its record.
    const logs = await eventually(
      async () => {
        const body = (await (await fetch(`${cluster.httpUrl}${ApiPaths.logs("echo")}?since=1h&requestId=${requestId}`)).json()) as GetLogsResponse;
        return body.Events.some((event) => event.Message.startsWith("REPORT ")) ? body : undefined;
      },
      { deadline: 30_000, message: "the traced call's log was never stored" },
    );
    expect(new Set(logs.Events.map((event) => event.TraceId))).toEqual(new Set([traceId]));
    const grpcClient = new GrpcLambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    const overGrpc = await new Promise<GrpcLogEvent[]>((resolve, reject) => {
      const received: GrpcLogEvent[] = [];
      const call = grpcClient.getLogs({ functionName: "echo", since: "1h", requestId, limit: 0, follow: false });
      call.on("data", (event: GrpcLogEvent) => received.push(event));
      call.on("end", () => resolve(received));
      call.on("error", reject);
    });
    grpcClient.close();
    expect(overGrpc.length).toBe(logs.Events.length);
    expect(new Set(overGrpc.map((event) => event.traceId))).toEqual(new Set([traceId]));

    await page.goto(`${cluster.httpUrl}/console/functions/echo/logs/${requestId}`);
    const link = page.getByRole("link", { name: traceId });
    await link.waitFor();
    expect(await link.getAttribute("href")).toBe(TRACE_VIEWER.replace("{traceId}", traceId));
    await screenshot("invocation-trace");
  });

  it("lists a state machine's executions, and draws one execution's states coloured by what they did, with its history", async () => {
    const definition = {
      StartAt: "Check",
      States: {
        Check: { Type: "Choice", Choices: [{ Variable: "$.go", BooleanEquals: true, Next: "Work" }], Default: "Skip" },
        Skip: { Type: "Pass", End: true },
        Work: { Type: "Task", Resource: fnArn("echo"), Catch: [{ ErrorEquals: ["States.ALL"], Next: "Reject" }], Next: "Done" },
        Reject: { Type: "Fail", Error: "Rejected", Cause: "the call failed" },
        Done: { Type: "Succeed" },
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "orders", roleArn: ROLE, definition: JSON.stringify(definition) }));
    const good = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: "good-order", input: JSON.stringify({ go: true }) }));
    const bad = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: "bad-order", input: JSON.stringify({ go: true, fail: true }) }));
    expect((await finished(sfn, good.executionArn!)).status).toBe("SUCCEEDED");
    expect((await finished(sfn, bad.executionArn!)).status).toBe("FAILED");

    await page.goto(`${cluster.httpUrl}/console/`);
    await page.getByRole("link", { name: "Workflows" }).click();
    await page.getByRole("link", { name: "orders" }).click();
    await page.getByRole("group", { name: "State graph" }).getByRole("img", { name: "Check (Choice)" }).waitFor();
    const executions = page.getByRole("table", { name: "Executions" });
    await executions.getByRole("row", { name: /good-order\s+SUCCEEDED/ }).waitFor();
    await executions.getByRole("row", { name: /bad-order\s+FAILED/ }).waitFor();
    await screenshot("workflow");

    await executions.getByRole("link", { name: "bad-order" }).click();
    const graph = page.getByRole("group", { name: "State graph" });
    await graph.getByRole("img", { name: "Check (Choice): succeeded" }).waitFor();
    await graph.getByRole("img", { name: "Work (Task): failed, caught" }).waitFor();
    await graph.getByRole("img", { name: "Reject (Fail): failed" }).waitFor();
    await graph.getByRole("img", { name: "Done (Succeed): not run" }).waitFor();
    await graph.getByRole("img", { name: "Skip (Pass): not run" }).waitFor();
    const history = page.getByRole("table", { name: "History events" });
    await history.getByRole("row", { name: /ExecutionFailed.*Rejected: the call failed/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/console/workflows/orders/executions/bad-order");
    await screenshot("workflow-execution");

    await page.goto(`${cluster.httpUrl}/console/workflows/orders/executions/good-order`);
    await page.getByRole("group", { name: "State graph" }).getByRole("img", { name: "Done (Succeed): succeeded" }).waitFor();
  });

  it("shows each function's metered usage with its cost, at the cluster's prices or ones typed in", async () => {
    // The traced call and the two executions' Task calls: three requests in the last day's hourly buckets,
    // once the workers have flushed (the page opens on the last 7 days).
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
    const metered = await eventually(
      async () => {
        const report = (await (await fetch(`${cluster.httpUrl}${ApiPaths.usage}?start=${encodeURIComponent(dayAgo)}`)).json()) as UsageReport;
        const echo = report.Functions.find((fn) => fn.FunctionName === "echo");
        return echo && echo.Requests >= 3 ? echo : undefined;
      },
      { deadline: 30_000, message: "the echo function's usage was never metered" },
    );
    await page.getByRole("link", { name: "Usage" }).click();
    const table = page.getByRole("table", { name: "Usage by function" });
    await table.getByRole("row", { name: new RegExp(`^echo ${metered.Requests} `) }).waitFor();
    await screenshot("usage");
    // A dollar a request and nothing for time: the cost is the request count.
    await page.getByLabel("Dollars per million requests").fill("1000000");
    await page.getByLabel("Dollars per GB-second").fill("0");
    await table.getByRole("row", { name: new RegExp(`^echo ${metered.Requests} .*\\$${metered.Requests}\\.00$`) }).waitFor();
    await page.getByRole("button", { name: "The cluster's prices" }).click();
    expect(await page.getByLabel("Dollars per million requests").inputValue()).toBe("0.2");
  });

  it("shows usage and cost for the period chosen: the last 24 hours, all time, a custom range", async () => {
    const period = page.getByRole("combobox", { name: /^Period/ });
    const table = page.getByRole("table", { name: "Usage by function" });
    await period.selectOption("24h");
    const shown = page.locator(".period-shown");
    await shown.getByText(/^From \d{4}-\d{2}-\d{2} \d{2}:00 UTC to /).waitFor();
    await table.getByRole("row", { name: /^echo \d+ / }).waitFor();
    // The last 24 hours touch two UTC days: the cost per day is drawn.
    await page.getByRole("img", { name: /^Cost per day: .* over 2 days$/ }).waitFor();

    // All time has no period to show.
    await period.selectOption("all");
    await shown.waitFor({ state: "detached" });
    await table.getByRole("row", { name: /^echo \d+ / }).waitFor();

    // January 2025, long before this cluster ran anything.
    await period.selectOption("custom");
    await page.getByText("Choose the first and last day of the range.").waitFor();
    await page.getByLabel("From (UTC)").fill("2025-01-01");
    await page.getByLabel("To (UTC, included)").fill("2025-01-31");
    await page.getByText("No function ran in this period.").waitFor();
    await shown.getByText("From 2025-01-01 00:00 UTC to 2025-02-01 00:00 UTC").waitFor();
    await screenshot("usage-period");

    // A range that ends before it starts is refused, and the refusal shown.
    await page.getByLabel("From (UTC)").fill("2025-03-01");
    await page.getByRole("alert").getByText(/End .* must be after Start/).waitFor();
    await page.getByLabel("To (UTC, included)").fill("2025-03-05");
    await page.getByText("No function ran in this period.").waitFor();
    await shown.getByText("From 2025-03-01 00:00 UTC to 2025-03-06 00:00 UTC").waitFor();
  });

  it("ran without an uncaught error or a refusal of its Content-Security-Policy", () => {
    expect(pageProblems).toEqual([]);
  });
});
