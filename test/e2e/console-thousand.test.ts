// The console's functions list with a thousand functions, in a real Chromium against a real cluster: the
// first page shows with its sparklines, the count of the whole list, the next page and a search. Prints
// how long each took from navigation (the median of three loads, as docs/console.md reports them); asserts
// what was shown and that the page's sparklines came with its rows in one call, not how fast.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { chromiumPath } from "../fixtures/chromium.js";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { ApiPaths } from "@lambent/lambda-api";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const FUNCTIONS = 1000;
const AT_ONCE = 20;

let cluster: TestCluster;
let browser: Browser;
let page: Page;

const name = (index: number): string => `fn-${String(index).padStart(4, "0")}`;

beforeAll(async () => {
  cluster = await startTestCluster();
  const lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  const zip = zipFiles({ "index.js": "exports.handler = async () => 'ok';" });
  const started = performance.now();
  for (let first = 0; first < FUNCTIONS; first += AT_ONCE) {
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, FUNCTIONS - first) }, (_, offset) => createTestFunction(lambda, name(first + offset), zip)));
  }
  console.log(`created ${FUNCTIONS} functions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  lambda.destroy();
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

describe("the functions list with a thousand functions", () => {
  it("shows the first page with its sparklines, the whole count, the next page and a search", async () => {
    const firstRows: number[] = [];
    const sparklines: number[] = [];
    const counted: number[] = [];
    const searchRequests: number[] = [];
    const metricsRequests: number[] = [];
    for (let load = 0; load < 3; load += 1) {
      let searches = 0;
      let requests = 0;
      const countRequest = (request: { url: () => string }): void => {
        const { pathname } = new URL(request.url());
        if (pathname === ApiPaths.searchFunctions) searches += 1;
        if (pathname === ApiPaths.metrics) requests += 1;
      };
      page.on("request", countRequest);
      const started = performance.now();
      const since = async (wait: Promise<void>): Promise<number> => {
        await wait;
        return performance.now() - started;
      };
      await page.goto(`${cluster.httpUrl}/console/`, { waitUntil: "commit" });
      // Each awaited on its own, so each time is when that part showed.
      const [rows, drawn, count] = await Promise.all([
        since(page.getByRole("link", { name: name(0), exact: true }).waitFor()),
        since(page.getByRole("row", { name: new RegExp(name(49)) }).getByRole("img", { name: /^Throttles, last 30 minutes/ }).waitFor()),
        since(page.getByText(`1–50 of ${FUNCTIONS}`).waitFor()),
      ]);
      firstRows.push(rows);
      sparklines.push(drawn);
      counted.push(count);
      page.off("request", countRequest);
      searchRequests.push(searches);
      metricsRequests.push(requests);
    }
    let started = performance.now();
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByRole("row", { name: new RegExp(name(99)) }).getByRole("img", { name: /^Throttles, last 30 minutes/ }).waitFor();
    const nextPage = performance.now() - started;
    started = performance.now();
    await page.getByRole("searchbox").fill(name(777));
    await page.getByRole("link", { name: name(777), exact: true }).waitFor();
    await page.getByRole("link", { name: name(0), exact: true }).waitFor({ state: "detached" });
    const search = performance.now() - started;
    console.log(
      [
        `first rows: ${seconds(median(firstRows))} (${firstRows.map(seconds).join(", ")})`,
        `50 rows with sparklines: ${seconds(median(sparklines))} (${sparklines.map(seconds).join(", ")})`,
        `"1–50 of ${FUNCTIONS}": ${seconds(median(counted))} (${counted.map(seconds).join(", ")})`,
        `calls per load: ${searchRequests.join(", ")} SearchFunctions, ${metricsRequests.join(", ")} GetFunctionsMetrics`,
        `next page with sparklines: ${seconds(nextPage)}`,
        `search for one name: ${seconds(search)}`,
      ].join("\n"),
    );
    expect(searchRequests).toEqual([1, 1, 1]);
    expect(metricsRequests).toEqual([0, 0, 0]);
  });
});
