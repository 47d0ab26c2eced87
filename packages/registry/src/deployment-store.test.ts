import { describe, expect, it } from "vitest";
import { parseDeploymentRequests } from "./deployment-store.js";

const REQUEST = {
  LogicalId: "Api",
  FunctionName: "shop-Api",
  Alias: "live",
  FromVersion: "3",
  ToVersion: "4",
  Config: "Canary10Percent5Minutes",
  Steps: [
    { Weight: 0.1, WaitMinutes: 5 },
    { Weight: 1, WaitMinutes: 0 },
  ],
  PreTrafficHook: "shop-Check",
  Alarms: [{ Name: "errors", FunctionName: "shop-Api", Metric: "Errors", PeriodMinutes: 1, EvaluationPeriods: 2, DatapointsToAlarm: 1, Threshold: 1, Comparison: "GreaterThanOrEqualToThreshold" }],
};

describe("parseDeploymentRequests", () => {
  it("reads a revision's Deployments", () => {
    expect(parseDeploymentRequests([REQUEST])).toEqual([
      {
        logicalId: "Api",
        functionName: "shop-Api",
        alias: "live",
        fromVersion: "3",
        toVersion: "4",
        config: "Canary10Percent5Minutes",
        steps: [
          { weight: 0.1, waitMinutes: 5 },
          { weight: 1, waitMinutes: 0 },
        ],
        preTrafficHook: "shop-Check",
        alarms: [{ name: "errors", functionName: "shop-Api", metric: "Errors", periodMinutes: 1, evaluationPeriods: 2, datapointsToAlarm: 1, threshold: 1, comparison: "GreaterThanOrEqualToThreshold" }],
      },
    ]);
  });

  it("refuses what the scheduler must not be asked to do, naming the field", () => {
    expect(() => parseDeploymentRequests([{ ...REQUEST, Steps: [{ Weight: 0.5, WaitMinutes: 1 }] }])).toThrow("Deployments[0].Steps must end at weight 1");
    expect(() => parseDeploymentRequests([{ ...REQUEST, Steps: [{ Weight: 1.5, WaitMinutes: 0 }] }])).toThrow("Deployments[0].Steps[0].Weight");
    expect(() => parseDeploymentRequests([{ ...REQUEST, FromVersion: "$LATEST" }])).toThrow("Deployments[0].FromVersion");
    expect(() => parseDeploymentRequests([{ ...REQUEST, FunctionName: "a.b>" }])).toThrow("Deployments[0].FunctionName");
    expect(() => parseDeploymentRequests([{ ...REQUEST, Alarms: [{ ...REQUEST.Alarms[0], DatapointsToAlarm: 3 }] }])).toThrow("Deployments[0].Alarms[0].DatapointsToAlarm");
    expect(() => parseDeploymentRequests([{ ...REQUEST, Steps: Array.from({ length: 101 }, () => ({ Weight: 1, WaitMinutes: 0 })) }])).toThrow("Steps must be a list of 1 to 100");
    expect(() => parseDeploymentRequests({})).toThrow("Deployments must be a list");
    expect(() => parseDeploymentRequests([{ ...REQUEST, Alarms: [{ ...REQUEST.Alarms[0], Qualifier: "a.b" }] }])).toThrow("Deployments[0].Alarms[0].Qualifier");
    expect(() => parseDeploymentRequests([{ ...REQUEST, Alarms: [{ ...REQUEST.Alarms[0], ExecutedVersion: "live" }] }])).toThrow("Deployments[0].Alarms[0].ExecutedVersion");
  });

  it("keeps an alarm's Resource and ExecutedVersion dimensions", () => {
    const [request] = parseDeploymentRequests([{ ...REQUEST, Alarms: [{ ...REQUEST.Alarms[0], Qualifier: "live", ExecutedVersion: "4" }] }]);
    expect(request!.alarms[0]).toMatchObject({ functionName: "shop-Api", qualifier: "live", executedVersion: "4" });
  });
});
