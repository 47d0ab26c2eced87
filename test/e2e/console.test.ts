// The web console in a real Chromium against a real cluster that takes only signed calls: sign-in with an
// access key (a wrong secret refused as AWS refuses it), a function created from a zip, a test event run
// with its response, summary and log line, environment values masked until revealed, memory and timeout
// changed, reserved concurrency set to 0 and the throttle shown, the run and the throttle charted (Monitor
// tab, list sparklines), the log tailed live with a filter and one invocation's detail, an alias's
// traffic shifted, a single-file function edited in the code editor, a delete, the cluster page
// after confirmation, and the list at phone width. With CONSOLE_SCREENSHOTS=1 the main pages are saved to
// docs/console/ as PNGs. An end-to-end suite: it drives a browser.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { openConsolePage } from "../fixtures/chromium.js";
import {
  CreateAliasCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const KEY = { accessKeyId: "AKIDCONSOLEADMIN", secretAccessKey: "Y29uc29sZS1hZG1pbi1zZWNyZXQ" };
const SCREENSHOTS = process.env["CONSOLE_SCREENSHOTS"] === "1" ? fileURLToPath(new URL("../../docs/console/", import.meta.url)) : undefined;

const HANDLER = `exports.handler = async (event) => {
  console.log("hello from the console", event.name);
  return { greeting: "hi " + event.name };
};
`;

let cluster: TestCluster;
let lambda: LambdaClient;
let browser: Browser;
let page: Page;
/** Uncaught errors in the page and what its Content-Security-Policy refused: none are expected. */
const pageProblems: string[] = [];

async function screenshot(name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

beforeAll(async () => {
  cluster = await startTestCluster({ env: { LAMBENT_API_AUTH: "sigv4", LAMBENT_ACCESS_KEYS: `${KEY.accessKeyId}:${KEY.secretAccessKey}` } });
  lambda = new LambdaClient({ endpoint: cluster.httpUrl, region: "us-east-1", credentials: KEY, maxAttempts: 1 });
  await createTestFunction(lambda, "console-other", zipFiles({ "index.js": "exports.handler = async () => 'other';" }), { MemorySize: 256 });
  ({ browser, page } = await openConsolePage(pageProblems));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  lambda?.destroy();
  await cluster?.stop();
});

describe("the web console", () => {
  it("signs in with an access key, typed at the keyboard, after refusing a wrong secret", async () => {
    await page.goto(`${cluster.httpUrl}/console/`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await screenshot("sign-in");
    await page.getByLabel("Access key ID").focus();
    await page.keyboard.type(KEY.accessKeyId);
    await page.keyboard.press("Tab");
    await page.keyboard.type("not-the-secret");
    await page.keyboard.press("Enter");
    const refusal = page.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("InvalidSignatureException");

    await page.getByLabel("Secret access key").fill(KEY.secretAccessKey);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: /^Functions/ }).waitFor();
    await page.getByRole("link", { name: "console-other" }).waitFor();
    // Page expressions as text: the tests are type-checked without the DOM's types.
    expect(await page.evaluate("sessionStorage.length")).toBe(1);
    expect(await page.evaluate("localStorage.length")).toBe(0);
  });

  it("creates a function from a zip and opens it", async () => {
    await page.getByRole("button", { name: "Create function" }).click();
    await page.getByLabel("Function name").fill("console-hello");
    await page.getByLabel("Memory (MB)").fill("192");
    await page.getByLabel("Code (.zip)").setInputFiles({ name: "hello.zip", mimeType: "application/zip", buffer: Buffer.from(zipFiles({ "index.js": HANDLER })) });
    await page.getByRole("form", { name: "Create a function from a zip" }).getByRole("button", { name: "Create function" }).click();
    await page.getByRole("heading", { name: "console-hello" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/console/functions/console-hello");
    expect(await page.locator(".summary").textContent()).toContain("192 MB");
  });

  it("runs a test event and shows the response, the REPORT summary and the log line", async () => {
    await page.getByLabel("Event JSON").fill(JSON.stringify({ name: "Ada" }));
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByRole("region", { name: "Executing function: succeeded" });
    await result.waitFor();
    expect(await result.locator(".response").textContent()).toContain('"greeting": "hi Ada"');
    expect(await result.locator(".log-output").textContent()).toMatch(/INFO\thello from the console Ada/);
    const summary = await result.locator(".summary-list").textContent();
    expect(summary).toMatch(/Billed duration\d+\.00 ms/);
    expect(summary).toContain("Resources configured192 MB");
    await screenshot("test");
  });

  it("saves a test event in the cluster and loads it again after a reload", async () => {
    const event = JSON.stringify({ name: "Saved" });
    await page.getByLabel("Event JSON").fill(event);
    const saved = page.getByRole("group", { name: "Saved test events" });
    await saved.getByLabel("Save as").fill("saved-one");
    await saved.getByRole("button", { name: "Save event" }).click();
    await saved.getByRole("status").getByText("Saved saved-one.").waitFor();
    await page.reload();
    await page.getByLabel("Saved event").selectOption("saved-one");
    expect(await page.getByLabel("Event JSON").inputValue()).toBe(event);
    await page.getByLabel("Event JSON").fill(JSON.stringify({ name: "Ada" }));
  });

  it("tails the log live with a filter, and opens one invocation's detail", async () => {
    await page.getByRole("link", { name: "Logs" }).click();
    const lines = page.getByRole("list", { name: "Log lines" });
    await lines.getByText(/hello from the console Ada/).waitFor();
    // A line written after the tail opened arrives without a reload.
    await lambda.send(new InvokeCommand({ FunctionName: "console-hello", Payload: JSON.stringify({ name: "Grace" }) }));
    await lines.getByText(/hello from the console Grace/).waitFor();
    await page.getByLabel("Filter").fill("console grace");
    await lines.getByText(/hello from the console Ada/).waitFor({ state: "detached" });
    expect(await lines.getByRole("listitem").count()).toBe(1);
    await screenshot("logs");

    await lines.getByRole("listitem").getByRole("link").click();
    const detail = page.getByRole("region", { name: /^Invocation / });
    await detail.getByText("Billed duration", { exact: true }).waitFor();
    expect(await detail.locator(".log-output").textContent()).toMatch(/^START RequestId: \S+ Version: \$LATEST\n.*INFO\thello from the console Grace\nEND RequestId: \S+\nREPORT RequestId:/s);
    expect(await detail.getByRole("definition").first().textContent()).toMatch(/^[0-9a-f-]{36}$/);
    expect(new URL(page.url()).pathname).toMatch(/^\/console\/functions\/console-hello\/logs\/[0-9a-f-]{36}$/);
    await screenshot("invocation");
  });

  it("lists functions with runtime, memory and last change, filtered by the search", async () => {
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Functions" }).click();
    const row = page.getByRole("row", { name: /console-hello/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/console-hellonodejs20\.x192 MB/);
    await row.getByRole("img", { name: /^Invocations, last 30 minutes/ }).waitFor();
    await screenshot("functions");
    await page.getByPlaceholder("Search functions by name").fill("other");
    await page.getByRole("row", { name: /console-hello/ }).waitFor({ state: "detached" });
    expect(await page.getByRole("row", { name: /console-other/ }).count()).toBe(1);
    await page.getByPlaceholder("Search functions by name").fill("");
  });

  it("shows the environment masked until revealed, changes memory and timeout, and sets reserved concurrency to 0, after which a test is throttled", async () => {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "console-hello", Environment: { Variables: { GREETING: "hi", DATABASE_PASSWORD: "s3cret-value" } } }));
    await page.getByRole("link", { name: "console-hello" }).click();
    await page.getByRole("link", { name: "Configuration" }).click();
    const environment = page.getByRole("region", { name: "Environment variables" });
    await environment.getByText("DATABASE_PASSWORD").waitFor();
    expect(await environment.textContent()).not.toContain("s3cret-value");
    await environment.getByRole("button", { name: "Reveal values" }).click();
    await environment.getByText("s3cret-value").waitFor();
    await environment.getByRole("button", { name: "Hide values" }).click();

    const settings = page.getByRole("form", { name: "Memory and timeout" });
    await settings.getByLabel("Memory (MB)").fill("256");
    await settings.getByLabel("Timeout (seconds)").fill("5");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("nodejs20.x · 256 MB · 5 s timeout").waitFor();

    await page.getByLabel("Reserved concurrency").fill("0");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Reserved concurrency set to 0.").waitFor();
    await page.getByText("Reserved concurrency: 0 (every call is throttled).").waitFor();
    await screenshot("configuration");

    // The environment changed above, so no environment of this revision is warm anywhere: the call goes
    // to the leading scheduler, which holds it to the reservation.
    await page.getByRole("link", { name: "Test", exact: true }).click();
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const throttle = page.getByRole("alert");
    await throttle.waitFor();
    expect(await throttle.textContent()).toMatch(/^Executing function: refused\. TooManyRequestsException: .*\(ReservedFunctionConcurrentInvocationLimitExceeded\)$/);
    await screenshot("throttle");

    await page.getByRole("link", { name: "Configuration" }).click();
    await page.getByRole("button", { name: "Remove reservation" }).click();
    await page.getByText("Reservation removed").waitFor();
  });

  it("charts the run and the throttle on the Monitor tab, and shows them in the list's sparklines", async () => {
    await page.getByRole("link", { name: "Monitor" }).click();
    // Workers and the leader publish their minutes every few seconds; the tab refreshes itself.
    await page.getByRole("img", { name: /^Invocations and errors: [1-9]\d* invocations, 0 errors$/ }).waitFor();
    await page.getByRole("img", { name: /^Throttles: [1-9]\d* throttled$/ }).waitFor();
    expect(await page.getByRole("img", { name: /^Duration: p99 at most \d+ ms$/ }).count()).toBe(1);
    await screenshot("monitor");

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Functions" }).click();
    const row = page.getByRole("row", { name: /console-hello/ });
    await row.getByRole("img", { name: /^Throttles, last 30 minutes: [1-9]/ }).waitFor();
    expect(await row.getByRole("img", { name: /^Invocations, last 30 minutes: [1-9]/ }).count()).toBe(1);
    await row.getByRole("link", { name: "console-hello" }).click();
  });

  it("shows a dead letter with its payload on the Async queue tab, and redrives it to the function", async () => {
    const nc = await connect(cluster.natsOptions());
    try {
      await (await jetstreamManager(nc)).streams.add({ name: "CONSOLE_DLQ", subjects: ["console.dlq"] });
    } finally {
      await nc.close();
    }
    await createTestFunction(lambda, "console-failing", zipFiles({ "index.js": "exports.handler = async (event) => { throw new Error('order ' + event.order + ' refused'); };" }), {
      DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:console.dlq" },
    });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "console-failing", MaximumRetryAttempts: 0 }));
    await lambda.send(new InvokeCommand({ FunctionName: "console-failing", InvocationType: "Event", Payload: JSON.stringify({ order: 7 }) }));

    await page.goto(`${cluster.httpUrl}/console/functions/console-failing/queue`);
    const letters = page.getByRole("list", { name: "Dead letters" });
    await letters.getByText('{"order":7}').waitFor();
    expect(await letters.getByRole("listitem").textContent()).toMatch(/^Error order 7 refused/);
    const deadLettered = page.locator(".totals div", { hasText: "Dead-lettered" }).getByRole("definition");
    await deadLettered.getByText("1", { exact: true }).waitFor();
    await screenshot("queue");

    await page.getByRole("button", { name: "Redrive all" }).click();
    await page.getByRole("status").getByText("1 dead letter sent back to console-failing.").waitFor();
    // It fails again, so the queue counts a second dead letter, from the redriven run.
    await deadLettered.getByText("2", { exact: true }).waitFor();
    await page.goto(`${cluster.httpUrl}/console/functions/console-hello`);
  });

  it("lists versions and aliases and shifts 10% of an alias's traffic to another version", async () => {
    await lambda.send(new PublishVersionCommand({ FunctionName: "console-hello" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "console-hello", Name: "live", FunctionVersion: "1" }));
    await page.getByRole("link", { name: "Versions and aliases" }).click();
    await page.getByRole("heading", { name: "live → version 1" }).waitFor();
    // A version is published only when the function changed since the last one, as in Lambda.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "console-hello", Environment: { Variables: { GREETING: "hello" } } }));
    await page.getByRole("button", { name: "Publish new version" }).click();
    await page.getByRole("rowheader", { name: "2", exact: true }).waitFor();
    const alias = page.getByRole("form", { name: "Alias live" });
    await alias.getByLabel("Additional version").selectOption("2");
    await alias.getByLabel("Weight (%)").fill("10");
    await alias.getByRole("button", { name: "Save routing" }).click();
    await page.getByRole("heading", { name: "live → version 1 (10% to version 2)" }).waitFor();
    await screenshot("versions");
  });

  it("edits a single-file function in the code editor, with highlighting, and runs the saved code", async () => {
    await page.getByRole("link", { name: "Code", exact: true }).click();
    const editor = page.getByRole("textbox", { name: "Code of index.js" });
    await editor.waitFor();
    expect(await editor.textContent()).toContain('console.log("hello from the console", event.name);');
    // Highlighting marks tokens with spans of their own; the editor parses in idle time, so wait for them.
    await editor.locator(".cm-line span").nth(3).waitFor();
    await editor.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.insertText(HANDLER.replace('"hi "', '"hey "'));
    await page.getByRole("button", { name: "Save code" }).click();
    await page.getByRole("status").getByText("Saved index.js: the function runs the new code from its next call.").waitFor();
    await screenshot("code");

    await page.getByRole("link", { name: "Test", exact: true }).click();
    await page.getByLabel("Event JSON").fill(JSON.stringify({ name: "Ada" }));
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByRole("region", { name: "Executing function: succeeded" });
    await result.waitFor();
    expect(await result.locator(".response").textContent()).toContain('"greeting": "hey Ada"');
  });

  it("deletes a function after a confirmation", async () => {
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Functions" }).click();
    await page.getByRole("button", { name: "Delete console-other" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete console-other?" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.getByRole("row", { name: /console-other/ }).count()).toBe(1);
    await page.getByRole("button", { name: "Delete console-other" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("row", { name: /console-other/ }).waitFor({ state: "detached" });
    await page.getByRole("row", { name: /console-hello/ }).waitFor();
  });

  it("shows the cluster: the leader and its term, the workers with their environments and memory, and the queues", async () => {
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Cluster" }).click();
    const leader = page.getByRole("region", { name: "Leader" });
    await leader.getByRole("term").getByText("Term").waitFor();
    expect(await leader.getByRole("definition").nth(1).textContent()).toMatch(/^[1-9]\d*$/);
    const workers = page.getByRole("table", { name: /^Workers \(\d+\)$/ });
    expect(await workers.getByRole("row").count()).toBeGreaterThan(1);
    expect(await workers.getByRole("row").nth(1).textContent()).toMatch(/\d+ of \d+ MB/);
    const streams = page.getByRole("table", { name: "Queues and streams" });
    await streams.getByRole("rowheader", { name: "LAMBENT_EVENTS" }).waitFor();
    expect(await streams.getByRole("rowheader", { name: "LAMBENT_METRICS" }).count()).toBe(1);
    await screenshot("cluster");
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Functions" }).click();
  });

  it("fits a phone's width without sideways scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole("row", { name: /console-hello/ }).getByRole("img", { name: /^Invocations, last 30 minutes/ }).waitFor();
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    await screenshot("functions-phone");
  });

  it("lists workflows with calls signed for Step Functions", async () => {
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Workflows" }).click();
    await page.getByText("No state machines yet").waitFor();
  });

  it("ran without an uncaught error or a refusal of its Content-Security-Policy", () => {
    expect(pageProblems).toEqual([]);
  });
});
