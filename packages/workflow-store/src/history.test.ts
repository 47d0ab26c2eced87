import { describe, expect, it } from "vitest";
import { detailsField, numberHistory } from "./history.js";

describe("history as GetExecutionHistory answers it", () => {
  it("numbers events, points each at the previous one of its frame (or its parent's), and gives seconds", () => {
    const events = numberHistory([
      { type: "ExecutionStarted", timestamp: 1_000, frame: "r", details: { input: "{}" } },
      { type: "MapStateEntered", timestamp: 2_000, frame: "r", details: { name: "M" } },
      { type: "MapIterationStarted", timestamp: 3_000, frame: "r_1_0", parentFrame: "r", details: { name: "M", index: 0 } },
      { type: "MapIterationStarted", timestamp: 3_500, frame: "r_1_1", parentFrame: "r", details: { name: "M", index: 1 } },
      { type: "PassStateEntered", timestamp: 4_000, frame: "r_1_0", parentFrame: "r" },
    ]);
    expect(events.map(({ id, previousEventId }) => [id, previousEventId])).toEqual([[1, 0], [2, 1], [3, 2], [4, 2], [5, 3]]);
    expect(events[0]).toEqual({ id: 1, previousEventId: 0, type: "ExecutionStarted", timestamp: 1, executionStartedEventDetails: { input: "{}" } });
  });

  it("names each type's details field as AWS's model does", () => {
    expect(detailsField("TaskStateEntered")).toBe("stateEnteredEventDetails");
    expect(detailsField("ChoiceStateExited")).toBe("stateExitedEventDetails");
    expect(detailsField("LambdaFunctionScheduled")).toBe("lambdaFunctionScheduledEventDetails");
    expect(detailsField("MapIterationSucceeded")).toBe("mapIterationSucceededEventDetails");
    expect(detailsField("TaskSubmitted")).toBe("taskSubmittedEventDetails");
  });
});
