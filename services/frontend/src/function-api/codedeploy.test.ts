// A hook's PutLifecycleEventHookExecutionStatus against deployment records in a real nats-server's
// applications bucket: the report is written to the record once, by the hook of that execution only, and
// every malformed or hostile request gets CodeDeploy's exception for it with nothing written.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { DeploymentStore, openApplicationBucket, type DeploymentRequest } from "@lambent/registry/applications";
import type { FunctionApiRequest } from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import { MAX_CODEDEPLOY_BODY_BYTES, serveCodeDeploy } from "./codedeploy.js";

let server: RunningNatsServer;
let dir: string;
let nc: NatsConnection;
let deployments: DeploymentStore;

const EXECUTION_A = "0b7c2a8e-4f3d-4a51-9b1e-2f6d8c9a1e34";
const EXECUTION_B = "5d0e3f41-8a2b-4c6d-9e7f-1a2b3c4d5e6f";
const REQUEST: DeploymentRequest = { logicalId: "Api", functionName: "shop-Api", alias: "live", fromVersion: "1", toVersion: "2", config: "AllAtOnce", steps: [{ weight: 1, waitMinutes: 0 }], preTrafficHook: "shop-Check", alarms: [] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "codedeploy-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
  deployments = new DeploymentStore(await openApplicationBucket(nc, 1));
  // Two deployments of one revision, each with its PreTraffic hook under way.
  await deployments.start("shop", 3, [REQUEST, { ...REQUEST, logicalId: "Orders", functionName: "shop-Orders", preTrafficHook: "shop-OrdersCheck" }], 1);
  await deployments.update({ stackName: "shop", revision: 3, logicalId: "Api" }, (current) => ({ ...current, hookExecutions: { PreTraffic: { id: EXECUTION_A, hook: "shop-Check", startedAt: 2 } } }));
  await deployments.update({ stackName: "shop", revision: 3, logicalId: "Orders" }, (current) => ({ ...current, hookExecutions: { PreTraffic: { id: EXECUTION_B, hook: "shop-OrdersCheck", startedAt: 2 } } }));
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const serving = () => ({ deployments, logger: createLogger({ service: "codedeploy-test", write: () => {} }) });

async function call(input: unknown, options: { caller?: string; target?: string; raw?: Uint8Array } = {}): Promise<{ status: number; type: string | undefined; body: Record<string, unknown> }> {
  const request: FunctionApiRequest = {
    endpoint: "codedeploy",
    roleArn: "arn:aws:iam::000000000000:role/lambent",
    functionName: options.caller ?? "shop-Check",
    requestId: "r-1",
    method: "POST",
    path: "/",
    headers: [
      ["content-type", "application/x-amz-json-1.1"],
      ["x-amz-target", options.target ?? "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"],
    ],
    timeoutMs: 1000,
  };
  const served = await serveCodeDeploy(serving(), request, options.raw ?? new TextEncoder().encode(JSON.stringify(input)));
  const body = JSON.parse(new TextDecoder().decode(served.body)) as Record<string, unknown>;
  expect(served.answer.headers).toContainEqual(["content-type", "application/x-amz-json-1.1"]);
  return { status: served.answer.status, type: body["__type"] as string | undefined, body };
}

const report = (fields: Record<string, unknown> = {}) => ({ deploymentId: "shop-3-Api", lifecycleEventHookExecutionId: EXECUTION_A, status: "Succeeded", ...fields });

describe("CodeDeploy's PutLifecycleEventHookExecutionStatus", () => {
  it("refuses malformed and hostile reports with CodeDeploy's exceptions, writing nothing", async () => {
    const cases: [unknown, { caller?: string; target?: string; raw?: Uint8Array }, string][] = [
      [report(), { target: "CodeDeploy_20141006.GetDeployment" }, "UnknownOperationException"],
      [report(), { target: "AWSStepFunctions.StartExecution" }, "UnknownOperationException"],
      [undefined, { raw: new TextEncoder().encode("{not json") }, "SerializationException"],
      [[report()], {}, "SerializationException"],
      [undefined, { raw: new TextEncoder().encode(JSON.stringify(report({ padding: "x".repeat(MAX_CODEDEPLOY_BODY_BYTES) }))) }, "ValidationException"],
      [report({ deploymentId: undefined }), {}, "DeploymentIdRequiredException"],
      [report({ deploymentId: "d-ABCDEFGHI" }), {}, "InvalidDeploymentIdException"],
      [report({ deploymentId: { $gt: "" } }), {}, "InvalidDeploymentIdException"],
      [report({ deploymentId: "shop-4-Api" }), {}, "DeploymentDoesNotExistException"],
      [report({ deploymentId: "other-3-Api" }), {}, "DeploymentDoesNotExistException"],
      [report({ lifecycleEventHookExecutionId: undefined }), {}, "InvalidLifecycleEventHookExecutionIdException"],
      [report({ lifecycleEventHookExecutionId: "../../x" }), {}, "InvalidLifecycleEventHookExecutionIdException"],
      [report({ lifecycleEventHookExecutionId: "6f1d2c3b-0000-4000-8000-000000000000" }), {}, "InvalidLifecycleEventHookExecutionIdException"],
      // A hook of one deployment reporting with another's id, or for another's execution.
      [report({ lifecycleEventHookExecutionId: EXECUTION_B }), {}, "InvalidLifecycleEventHookExecutionIdException"],
      [report({ deploymentId: "shop-3-Orders", lifecycleEventHookExecutionId: EXECUTION_B }), {}, "AccessDeniedException"],
      [report(), { caller: "shop-Api" }, "AccessDeniedException"],
      [report({ status: "Pending" }), {}, "InvalidLifecycleEventHookExecutionStatusException"],
      [report({ status: "succeeded" }), {}, "InvalidLifecycleEventHookExecutionStatusException"],
      [report({ status: undefined }), {}, "InvalidLifecycleEventHookExecutionStatusException"],
    ];
    for (const [input, options, type] of cases) {
      const answer = await call(input, options);
      expect(answer.status, JSON.stringify(input)?.slice(0, 200)).toBe(400);
      expect(answer.type, JSON.stringify(input)?.slice(0, 200)).toBe(type);
      expect(typeof answer.body["message"]).toBe("string");
    }
    const [api, orders] = await Promise.all([deployments.get("shop", 3, "Api"), deployments.get("shop", 3, "Orders")]);
    expect(api?.hookExecutions?.PreTraffic?.verdict).toBeUndefined();
    expect(orders?.hookExecutions?.PreTraffic?.verdict).toBeUndefined();
  });

  it("records the hook's own report in the deployment record, and refuses a second", async () => {
    const answer = await call(report({ status: "Failed" }));
    expect(answer).toMatchObject({ status: 200, body: { lifecycleEventHookExecutionId: EXECUTION_A } });
    const record = await deployments.get("shop", 3, "Api");
    expect(record?.hookExecutions?.PreTraffic).toMatchObject({ id: EXECUTION_A, verdict: "Failed", decidedBy: "report" });
    expect(record?.events.at(-1)?.message).toBe("PreTraffic hook shop-Check reported Failed");
    expect((await call(report({ status: "Succeeded" }))).type).toBe("LifecycleEventAlreadyCompletedException");
    expect((await deployments.get("shop", 3, "Api"))?.hookExecutions?.PreTraffic?.verdict).toBe("Failed");
  });

  it("refuses a report for a deployment that is over", async () => {
    await deployments.update({ stackName: "shop", revision: 3, logicalId: "Orders" }, (current) => ({ ...current, status: "Superseded" }));
    expect((await call(report({ deploymentId: "shop-3-Orders", lifecycleEventHookExecutionId: EXECUTION_B }), { caller: "shop-OrdersCheck" })).type).toBe("LifecycleEventAlreadyCompletedException");
  });
});
