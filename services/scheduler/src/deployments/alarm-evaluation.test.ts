import { describe, expect, it } from "vitest";
import type { DeploymentAlarm } from "@lambent/registry/applications";
import { evaluateAlarm, type MinuteCounts } from "./alarm-evaluation.js";

const ALARM: DeploymentAlarm = { name: "errors", functionName: "f", metric: "Errors", periodMinutes: 1, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparison: "GreaterThanOrEqualToThreshold" };

function minutes(...counts: Partial<MinuteCounts>[]): MinuteCounts[] {
  return counts.map((count, index) => ({ minute: index * 60_000, invocations: 0, errors: 0, throttles: 0, ...count }));
}

describe("evaluateAlarm", () => {
  it("breaches once a minute's errors reach the threshold, even in the minute still filling", () => {
    expect(evaluateAlarm(ALARM, minutes({ errors: 0 }), false).breached).toBe(false);
    expect(evaluateAlarm(ALARM, minutes({ errors: 0 }, { errors: 1 }), false)).toMatchObject({ breached: true, datapoints: [0, 1] });
  });

  it("stays breached for the deployment after the errors stop", () => {
    expect(evaluateAlarm(ALARM, minutes({ errors: 3 }, {}, {}), true).breached).toBe(true);
  });

  it("sums each period of several minutes", () => {
    const alarm = { ...ALARM, periodMinutes: 2, threshold: 3, comparison: "GreaterThanThreshold" as const };
    expect(evaluateAlarm(alarm, minutes({ errors: 2 }, { errors: 1 }, { errors: 3 }), false)).toMatchObject({ breached: false, datapoints: [3, 3] });
    expect(evaluateAlarm(alarm, minutes({ errors: 2 }, { errors: 2 }), true)).toMatchObject({ breached: true, datapoints: [4] });
  });

  it("needs DatapointsToAlarm breaching datapoints within EvaluationPeriods", () => {
    const alarm = { ...ALARM, evaluationPeriods: 3, datapointsToAlarm: 2 };
    expect(evaluateAlarm(alarm, minutes({ errors: 1 }, {}, {}, { errors: 1 }), true).breached).toBe(false);
    expect(evaluateAlarm(alarm, minutes({ errors: 1 }, {}, { errors: 1 }), true).breached).toBe(true);
  });

  it("reads the metric it names", () => {
    expect(evaluateAlarm({ ...ALARM, metric: "Throttles" }, minutes({ errors: 5 }), true).breached).toBe(false);
    expect(evaluateAlarm({ ...ALARM, metric: "Throttles" }, minutes({ throttles: 1 }), true).breached).toBe(true);
    expect(evaluateAlarm({ ...ALARM, metric: "Invocations", threshold: 100 }, minutes({ invocations: 99 }), true).breached).toBe(false);
  });

  it("judges a Less… comparison only on periods that are over", () => {
    const alarm = { ...ALARM, metric: "Invocations" as const, comparison: "LessThanThreshold" as const };
    expect(evaluateAlarm(alarm, minutes({ invocations: 0 }), false)).toMatchObject({ breached: false, datapoints: [] });
    expect(evaluateAlarm(alarm, minutes({ invocations: 0 }), true).breached).toBe(true);
    expect(evaluateAlarm({ ...alarm, comparison: "LessThanOrEqualToThreshold", threshold: 2 }, minutes({ invocations: 5 }, { invocations: 2 }), false)).toMatchObject({ breached: false, datapoints: [5] });
  });
});
