// examples/order-workflow as shipped: its functions and state machine deployed unchanged, and the three
// paths its README shows — shipped, declined, and a large order approved through its task token.
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateStateMachineCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { ROLE, finished, sfnClient } from "../fixtures/workflows.js";

const folder = new URL("../../examples/order-workflow/", import.meta.url);
const STEPS = { validate: "validate", reserve: "reserve", charge: "charge", ship: "ship", notify: "notify", "request-approval": "requestApproval" };

let cluster: TestCluster;
let sfn: SFNClient;
let stateMachineArn: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  const lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  const files = Object.fromEntries(readdirSync(new URL("functions/", folder)).map((name) => [name, readFileSync(new URL(`functions/${name}`, folder), "utf8")]));
  const zip = zipFiles(files);
  for (const [name, handler] of Object.entries(STEPS)) await createTestFunction(lambda, `order-${name}`, zip, { Handler: `index.${handler}` });
  lambda.destroy();
  sfn = sfnClient(cluster.httpUrl);
  const definition = readFileSync(new URL("order.asl.json", folder), "utf8");
  stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: "orders", definition, roleArn: ROLE }))).stateMachineArn!;
}, 120_000);

afterAll(async () => {
  sfn?.destroy();
  await cluster?.stop();
});

async function run(input: unknown) {
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return { executionArn: started.executionArn!, done: () => finished(sfn, started.executionArn!) };
}

describe("examples/order-workflow", () => {
  it("ships an order, retrying busy stock", async () => {
    const order = await run({ orderId: "o-1", card: "ok", address: "1 Main St", items: [{ sku: "tea", qty: 2, price: 3.5 }, { sku: "busy-cups", qty: 1, price: 12 }] });
    const done = await order.done();
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual({ orderId: "o-1", status: "SHIPPED", total: 19, paymentId: "p-o-1", trackingId: "t-o-1", lines: 2 });
  });

  it("fails a declined card with the step's own error", async () => {
    const done = await (await run({ orderId: "o-2", card: "declined", items: [{ sku: "tea", qty: 1, price: 3.5 }] })).done();
    expect(done.status).toBe("FAILED");
    expect(done.error).toBe("PaymentDeclined");
    expect(JSON.parse(done.cause!)).toMatchObject({ errorType: "PaymentDeclined", errorMessage: "card declined for order o-2" });
  });

  it("waits for a person to approve a large order", async () => {
    const order = await run({ orderId: "o-3", card: "ok", items: [{ sku: "piano", qty: 1, price: 5000 }] });
    const token = await eventually(
      async () => {
        const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: order.executionArn }))).events!;
        const scheduled = events.find((event) => event.type === "TaskScheduled");
        return events.some((event) => event.type === "TaskSubmitted") && scheduled ? (JSON.parse(scheduled.taskScheduledEventDetails!.parameters!).Payload.token as string) : undefined;
      },
      { deadline: 30_000, message: "the approval was never requested" },
    );
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true, by: "ana" }) }));
    const done = await order.done();
    expect(done.status, `${done.error}: ${done.cause}`).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toMatchObject({ orderId: "o-3", status: "SHIPPED", total: 5000 });
  });
});
