import { describe, expect, it } from "vitest";
import type { DeploymentRecord } from "./deployment-store.js";
import { applyHookReport, deploymentIdOf, parseDeploymentId, type HookReport } from "./hook-executions.js";

const EXECUTION = "0b7c2a8e-4f3d-4a51-9b1e-2f6d8c9a1e34";

const RECORD: DeploymentRecord = {
  logicalId: "Api",
  functionName: "shop-v2-Api",
  alias: "live",
  fromVersion: "3",
  toVersion: "4",
  config: "AllAtOnce",
  steps: [{ weight: 1, waitMinutes: 0 }],
  preTrafficHook: "shop-v2-Check",
  alarms: [],
  stackName: "shop-v2",
  revision: 12,
  status: "PreTraffic",
  step: -1,
  createdAt: 1,
  updatedAt: 1,
  events: [],
  hookExecutions: { PreTraffic: { id: EXECUTION, hook: "shop-v2-Check", startedAt: 2 } },
};

const REPORT: HookReport = { deploymentId: "shop-v2-12-Api", executionId: EXECUTION, verdict: "Succeeded", caller: "shop-v2-Check", at: 3 };

describe("deployment ids", () => {
  it("name the record, a stack with '-' in its name too", () => {
    expect(deploymentIdOf(RECORD)).toBe("shop-v2-12-Api");
    expect(parseDeploymentId("shop-v2-12-Api")).toEqual({ stackName: "shop-v2", revision: 12, logicalId: "Api" });
    expect(parseDeploymentId("a-1-2-B")).toEqual({ stackName: "a-1", revision: 2, logicalId: "B" });
  });

  it("are refused in any other form", () => {
    for (const id of ["", "d-ABCDEFGHI", "shop-0-Api", "shop-1-Api-x", "shop.x-1-Api", "1shop-1-Api", "shop-1-", `shop-${"9".repeat(11)}-Api`, "shop-1-Api\n"]) {
      expect(parseDeploymentId(id), id).toBeUndefined();
    }
  });
});

describe("applyHookReport", () => {
  it("records the verdict of the hook's own execution, once", () => {
    const applied = applyHookReport(RECORD, { ...REPORT, verdict: "Failed" });
    if ("refused" in applied) throw new Error(applied.message);
    expect(applied.record.hookExecutions?.PreTraffic).toMatchObject({ id: EXECUTION, verdict: "Failed", decidedBy: "report", decidedAt: 3 });
    expect(applied.record.events.at(-1)?.message).toBe("PreTraffic hook shop-v2-Check reported Failed");
    expect(applyHookReport(applied.record, REPORT)).toMatchObject({ refused: "AlreadyCompleted" });
  });

  it("refuses another execution id, another function, and an event that is over", () => {
    expect(applyHookReport(RECORD, { ...REPORT, executionId: "6f1d2c3b-0000-4000-8000-000000000000" })).toMatchObject({ refused: "InvalidExecutionId" });
    expect(applyHookReport(RECORD, { ...REPORT, caller: "other-Check" })).toMatchObject({ refused: "NotTheHook" });
    expect(applyHookReport({ ...RECORD, status: "Superseded" }, REPORT)).toMatchObject({ refused: "AlreadyCompleted" });
    expect(applyHookReport({ ...RECORD, status: "Shifting", step: 0 }, REPORT)).toMatchObject({ refused: "AlreadyCompleted" });
    const { hookExecutions: _none, ...withoutHooks } = RECORD;
    expect(applyHookReport(withoutHooks, REPORT)).toMatchObject({ refused: "InvalidExecutionId" });
  });
});
