// The warm path on real processes: once a function has run, its calls go straight from a frontend to the
// worker that keeps a warm environment and a slot for it (they keep working with every scheduler
// stopped); reserved concurrency still holds across frontends, since a slot one worker keeps unused is
// recalled before another frontend's call would be throttled; and a function spinning in a loop until
// its timeout does not hold up another function's calls in the same sandbox process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { hello } from "../fixtures/functions.js";

let cluster: TestCluster;
let lambda: LambdaClient;

const spinner = zipFiles({
  "index.js": `exports.handler = async (event) => { if (event.spin) { while (true) {} } return "quick"; };`,
});

beforeAll(async () => {
  cluster = await startTestCluster({ frontends: 2, schedulers: 1, workers: 1, env: { LAMBENT_SANDBOXES: "1" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  const create = (name: string, zip: Uint8Array, timeout = 3) =>
    lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/test", Code: { ZipFile: zip }, Timeout: timeout }));
  await create("warm-hello", hello);
  await create("one-at-a-time", hello);
  await create("kept-busy", hello);
  await create("spinner", spinner, 5);
  await create("bystander", hello);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

interface Answer {
  status: number;
  errorType: string | null;
  body: string;
}

async function invoke(functionName: string, event: unknown, frontend = 0): Promise<Answer> {
  const response = await fetch(`${cluster.endpoints[frontend]!.httpUrl}/2015-03-31/functions/${functionName}/invocations`, { method: "POST", body: JSON.stringify(event) });
  return { status: response.status, errorType: response.headers.get("x-amzn-errortype"), body: await response.text() };
}

describe("the warm path", () => {
  it("throttles a function kept busy on its kept slot once its reservation is lowered to 0: the slot goes back as its call ends", async () => {
    // Calls one after another keep the worker's slot in use, so it never lingers unused long enough to go back by itself.
    for (let i = 0; i < 5; i++) expect((await invoke("kept-busy", { name: String(i) })).status).toBe(200);
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "kept-busy", ReservedConcurrentExecutions: 0 }));
    let calls = 0;
    let answer = await invoke("kept-busy", { name: "after" });
    // The leader hears of the change through the configuration bucket, a moment after the API answered.
    while (answer.status === 200 && ++calls < 2_000) answer = await invoke("kept-busy", { name: "after" });
    expect(answer).toMatchObject({ status: 429, errorType: "TooManyRequestsException" });
    // From then on the limit holds for every call.
    for (let i = 0; i < 5; i++) expect((await invoke("kept-busy", { name: "later" })).status).toBe(429);
  });

  it("keeps reserved concurrency exact across frontends: an unused kept slot is recalled, not a reason to throttle", async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "one-at-a-time", ReservedConcurrentExecutions: 1 }));
    // Each call through the other frontend finds the one slot kept by the worker for the first frontend's call.
    for (let i = 0; i < 6; i++) {
      const answer = await invoke("one-at-a-time", { name: String(i) }, i % 2);
      expect(answer).toMatchObject({ status: 200, errorType: null });
    }
  });

  it("lets another function's calls through while one spins in a loop until its timeout", async () => {
    for (let i = 0; i < 4; i++) expect((await invoke("spinner", {})).body).toBe('"quick"');
    expect((await invoke("bystander", { name: "first" })).status).toBe(200);
    const order: string[] = [];
    const spinning = invoke("spinner", { spin: true }).then((answer) => {
      order.push("spinner");
      return answer;
    });
    for (let i = 0; i < 3; i++) {
      expect((await invoke("bystander", { name: String(i) })).status).toBe(200);
      order.push("bystander");
    }
    const spun = await spinning;
    expect(spun.status).toBe(200);
    expect(JSON.parse(spun.body)).toMatchObject({ errorType: "Sandbox.Timedout" });
    expect(order).toEqual(["bystander", "bystander", "bystander", "spinner"]);
  });

  it("serves a warm function's calls with every scheduler stopped", async () => {
    expect((await invoke("warm-hello", { name: "warm" })).status).toBe(200);
    await Promise.all(cluster.schedulers.map((scheduler) => scheduler.stop()));
    for (let i = 0; i < 5; i++) {
      const answer = await invoke("warm-hello", { name: String(i) });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ message: `hello ${i}` });
    }
  });
});
