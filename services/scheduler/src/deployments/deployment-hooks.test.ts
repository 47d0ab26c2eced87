// The deployment runner's hooks against deployment records in a real nats-server: the execution is in the
// record before the hook runs, a report made while it runs (as the frontends write one) is the verdict
// whatever the hook answers, the hook's answer decides without one, and a new leader acts on a verdict an
// earlier one left without running the hook again, or runs it again under the same execution id.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { ApplicationStore, DeploymentStore, openApplicationBucket, reportHookVerdict, type DeploymentRecord, type DeploymentRequest, type HookExecution } from "@lambent/registry/applications";
import { AliasStore } from "@lambent/registry/functions";
import { ObservedWrites } from "@lambent/registry/kv";
import { createLogger } from "@lambent/telemetry";
import { eventually } from "@lambent/testkit";
import type { LambdaCall } from "@lambent/states-language";
import type { TaskCallResult, TaskCalls } from "../workflows/execution-driver.js";
import { DeploymentRunner } from "./deployment-runner.js";

let server: RunningNatsServer;
let dir: string;
let nc: NatsConnection;
let deployments: DeploymentStore;
let runner: DeploymentRunner | undefined;

const REQUEST: DeploymentRequest = { logicalId: "Api", functionName: "shop-Api", alias: "live", fromVersion: "1", toVersion: "2", config: "AllAtOnce", steps: [{ weight: 1, waitMinutes: 0 }], preTrafficHook: "shop-Check", alarms: [] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deployment-hooks-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
  deployments = new DeploymentStore(await openApplicationBucket(nc, 1));
});

afterAll(async () => {
  await runner?.stop();
  await nc?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The hook's calls as the runner makes them; `run` is what the hook does while it is called. */
class HookCalls implements TaskCalls {
  readonly calls: LambdaCall[] = [];
  constructor(private readonly run: (payload: Record<string, string>) => Promise<TaskCallResult>) {}

  async call(call: LambdaCall): Promise<TaskCallResult> {
    this.calls.push(call);
    return this.run(call.payload as Record<string, string>);
  }
}

const answered = (payload: string): TaskCallResult => ({ ok: true, answer: { requestId: "r", executedVersion: "1", payload, statusCode: 200 } });

async function start(calls: TaskCalls): Promise<void> {
  await runner?.stop();
  const bucket = await openApplicationBucket(nc, 1);
  runner = new DeploymentRunner({
    deployments,
    applications: new ApplicationStore(bucket),
    // No alias is there: a deployment whose hook succeeds then stops, the alias "deleted".
    aliases: new AliasStore(bucket, new ObservedWrites(bucket, undefined)),
    calls,
    metrics: () => Promise.resolve([]),
    timeScale: 0.05,
    logger: createLogger({ service: "deployment-hooks-test", write: () => {} }),
  });
  await runner.start();
}

async function ended(stack: string): Promise<DeploymentRecord> {
  return eventually(
    async () => {
      const record = await deployments.get(stack, 1, "Api");
      return record !== undefined && ["Succeeded", "RolledBack", "Failed", "Superseded"].includes(record.status) ? record : undefined;
    },
    { deadline: 20_000, message: `the deployment of ${stack} did not end` },
  );
}

describe("deployment hooks", () => {
  it("takes a Failed report made while the hook runs, though the hook answers as if all went well", async () => {
    const calls = new HookCalls(async (payload) => {
      const outcome = await reportHookVerdict(deployments, { deploymentId: payload["DeploymentId"]!, executionId: payload["LifecycleEventHookExecutionId"]!, verdict: "Failed", caller: "shop-Check", at: Date.now() });
      expect(outcome).toHaveProperty("recorded");
      return answered('"Validation test reported: Failed"');
    });
    await start(calls);
    await deployments.start("reports", 1, [REQUEST], Date.now());
    const record = await ended("reports");
    expect(record.status).toBe("Failed");
    expect(record.reason).toBe("the PreTraffic hook shop-Check failed: it reported Failed (PutLifecycleEventHookExecutionStatus); traffic stayed on version 1");
    expect(calls.calls).toHaveLength(1);
    expect(calls.calls[0]!.payload).toMatchObject({ DeploymentId: "reports-1-Api", LifecycleEventHookExecutionId: record.hookExecutions?.PreTraffic?.id, LifecycleEvent: "PreTraffic" });
    expect(record.hookExecutions?.PreTraffic).toMatchObject({ hook: "shop-Check", verdict: "Failed", decidedBy: "report" });
  });

  it("judges a hook that does not report by its answer, Lambent's convention", async () => {
    const calls = new HookCalls(() => Promise.resolve(answered('{"status":"Failed","why":"smoke test"}')));
    await start(calls);
    await deployments.start("answers", 1, [REQUEST], Date.now());
    const record = await ended("answers");
    expect(record.status).toBe("Failed");
    expect(record.reason).toContain("smoke test");
    expect(record.hookExecutions?.PreTraffic).toMatchObject({ verdict: "Failed", decidedBy: "answer" });
  });

  it("acts on a verdict an earlier leader left, and runs an undecided execution again under its id", async () => {
    const calls = new HookCalls(() => Promise.resolve(answered("null")));
    await start(calls);
    const decided: HookExecution = { id: "0b7c2a8e-4f3d-4a51-9b1e-2f6d8c9a1e34", hook: "shop-Check", startedAt: 1, verdict: "Failed", decidedBy: "report", decidedAt: 2, detail: "it reported Failed (PutLifecycleEventHookExecutionStatus)" };
    const undecided: HookExecution = { id: "5d0e3f41-8a2b-4c6d-9e7f-1a2b3c4d5e6f", hook: "shop-Check", startedAt: 1 };
    await runner!.stop();
    for (const [stack, execution] of [["decided", decided], ["undecided", undecided]] as const) {
      await deployments.start(stack, 1, [REQUEST], Date.now());
      await deployments.update({ stackName: stack, revision: 1, logicalId: "Api" }, (current) => ({ ...current, hookExecutions: { PreTraffic: execution } }));
    }
    await runner!.start();
    expect((await ended("decided")).reason).toContain("it reported Failed");
    const again = await ended("undecided");
    // Its hook succeeded this time; with no alias to move, the deployment then stops.
    expect(again.events.map((event) => event.message)).toContain(`PreTraffic hook shop-Check invoked again (execution ${undecided.id}): the leader that invoked it stopped before its verdict`);
    expect(again.hookExecutions?.PreTraffic).toMatchObject({ id: undecided.id, verdict: "Succeeded", decidedBy: "answer" });
    expect(calls.calls.map((call) => (call.payload as Record<string, string>)["DeploymentId"])).toEqual(["undecided-1-Api"]);
    expect((calls.calls[0]!.payload as Record<string, string>)["LifecycleEventHookExecutionId"]).toBe(undecided.id);
  });
});
