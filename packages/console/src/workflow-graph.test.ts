// The Workflows page's graph: layers from StartAt, every kind of transition, and what each state did in
// an execution's history.
import { describe, expect, it } from "vitest";
import type { Shapes } from "@lambent/sfn-api";
import { graphOf, stateOutcomesOf } from "./workflow-graph.js";

const definition = JSON.stringify({
  StartAt: "Check",
  States: {
    Check: { Type: "Choice", Choices: [{ Variable: "$.ok", BooleanEquals: true, Next: "Work" }], Default: "Reject" },
    Work: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:000000000000:function:f", Catch: [{ ErrorEquals: ["States.ALL"], Next: "Reject" }], Next: "Done" },
    Reject: { Type: "Fail", Error: "Rejected" },
    Done: { Type: "Succeed" },
    Orphan: { Type: "Pass", End: true },
  },
});

let id = 0;
const event = (type: Shapes.HistoryEvent["type"], details: Partial<Shapes.HistoryEvent> = {}): Shapes.HistoryEvent => ({ timestamp: 1_700_000_000, type, id: ++id, ...details });
const entered = (type: Shapes.HistoryEvent["type"], name: string) => event(type, { stateEnteredEventDetails: { name } });
const exited = (type: Shapes.HistoryEvent["type"], name: string) => event(type, { stateExitedEventDetails: { name } });

describe("a workflow's graph", () => {
  it("lays states out in layers from StartAt, with every transition as an edge", () => {
    const graph = graphOf(definition);
    const layer = Object.fromEntries(graph.nodes.map((node) => [node.name, node.layer]));
    expect(layer).toEqual({ Check: 0, Work: 1, Reject: 1, Done: 2, Orphan: 3 });
    expect(graph.edges).toEqual([
      { from: "Check", to: "Work", kind: "choice" },
      { from: "Check", to: "Reject", kind: "default" },
      { from: "Work", to: "Done", kind: "next" },
      { from: "Work", to: "Reject", kind: "catch" },
    ]);
    const work = graph.nodes.find((node) => node.name === "Work")!;
    const reject = graph.nodes.find((node) => node.name === "Reject")!;
    expect(work.y).toBe(reject.y);
    expect(work.x).not.toBe(reject.x);
    expect(graph.width).toBeGreaterThanOrEqual(Math.max(...graph.nodes.map((node) => node.x)) + 160);
    expect(graphOf("not json")).toEqual({ nodes: [], edges: [], width: 0, height: 0 });
  });

  it("colours each state by what it did in an execution", () => {
    const caught = [
      event("ExecutionStarted"),
      entered("ChoiceStateEntered", "Check"),
      exited("ChoiceStateExited", "Check"),
      entered("TaskStateEntered", "Work"),
      event("LambdaFunctionFailed"),
      exited("TaskStateExited", "Work"),
      entered("FailStateEntered", "Reject"),
      event("ExecutionFailed"),
    ];
    expect(Object.fromEntries(stateOutcomesOf(caught, "FAILED"))).toEqual({ Check: "succeeded", Work: "caught", Reject: "failed" });
    const stuck = [entered("ChoiceStateEntered", "Check"), exited("ChoiceStateExited", "Check"), entered("TaskStateEntered", "Work")];
    expect(stateOutcomesOf(stuck, "RUNNING").get("Work")).toBe("running");
    expect(stateOutcomesOf(stuck, "TIMED_OUT").get("Work")).toBe("failed");
    const retried = [entered("TaskStateEntered", "Work"), event("LambdaFunctionFailed"), event("LambdaFunctionSucceeded"), exited("TaskStateExited", "Work")];
    expect(stateOutcomesOf(retried, "SUCCEEDED").get("Work")).toBe("succeeded");
    const branches = [entered("ParallelStateEntered", "Fan"), entered("PassStateEntered", "Inner"), exited("PassStateExited", "Inner"), exited("ParallelStateExited", "Fan")];
    expect(Object.fromEntries(stateOutcomesOf(branches, "SUCCEEDED", new Set(["Fan"])))).toEqual({ Fan: "succeeded" });
  });
});
