import { describe, expect, it } from "vitest";
import { parseDefinition, type StateMachine } from "./definition.js";
import { completeState, enterState, errorMatches, exceedsTolerance, machineAt, retryDelayMs, type ContextObject, type Outcome } from "./interpreter.js";
import type { Json } from "./json.js";
import { StatesError } from "./states-error.js";

const context = (name = "S"): ContextObject => ({
  Execution: { Id: "arn:aws:states:us-east-1:000000000000:execution:sm:run", Input: {}, Name: "run", RoleArn: "arn:aws:iam::000000000000:role/r", StartTime: "2024-01-01T00:00:00Z", RedriveCount: 0 },
  State: { EnteredTime: "2024-01-01T00:00:00Z", Name: name, RetryCount: 0 },
  StateMachine: { Id: "arn:aws:states:us-east-1:000000000000:stateMachine:sm", Name: "sm" },
});

function machine(definition: object): StateMachine {
  const parsed = parseDefinition(JSON.stringify(definition));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.machine;
}

type TaskFn = (input: Json, state: string, attempt: number) => Json;

/**
 * Runs a machine to the end in memory, the way a runner would: tasks by `tasks[state]` (a throw of
 * StatesError is the task's error), waits skipped, branches and items one after another.
 */
function run(sm: StateMachine, input: Json, tasks: Record<string, TaskFn> = {}, log: string[] = []): Outcome {
  let name = sm.startAt;
  let current = input;
  for (let steps = 0; steps < 1000; steps += 1) {
    log.push(name);
    const decision = enterState(sm, name, current, context(name), 0);
    let outcome: Outcome | undefined;
    switch (decision.kind) {
      case "next":
        name = decision.next;
        current = decision.output;
        continue;
      case "end":
        return { ok: true, result: decision.output };
      case "fail":
        return { ok: false, error: decision.error, cause: decision.cause };
      case "wait":
        if (decision.then.kind === "end") return { ok: true, result: decision.then.output };
        name = decision.then.next;
        current = decision.then.output;
        continue;
      case "parallel": {
        const results = sm.states[name]!.type === "Parallel" ? (sm.states[name] as { branches: StateMachine[] }).branches.map((branch) => run(branch, decision.input, tasks, log)) : [];
        const failed = results.find((result) => !result.ok);
        outcome = failed ?? { ok: true, result: results.map((result) => (result.ok ? result.result : null)) };
        break;
      }
      case "map": {
        const processor = machineAt(sm, [{ state: name, branch: 0 }])!;
        const results = decision.items.map((item) => run(processor, item, tasks, log));
        const failures = results.filter((result) => !result.ok).length;
        outcome = exceedsTolerance(decision, failures, results.length)
          ? { ok: false, error: "States.ExceedToleratedFailureThreshold", cause: "too many failures" }
          : { ok: true, result: results.map((result) => (result.ok ? result.result : null)) };
        break;
      }
      case "task":
        break;
    }
    let retryCounts: number[] = [];
    for (let attempt = 0; ; attempt += 1) {
      if (decision.kind === "task") {
        try {
          outcome = { ok: true, result: tasks[name]!(decision.input, name, attempt) };
        } catch (error) {
          if (!(error instanceof StatesError)) throw error;
          outcome = { ok: false, error: error.error, cause: error.cause };
        }
      }
      const completion = completeState(sm, name, current, outcome!, retryCounts, context(name), () => 0.5);
      if (completion.kind === "retry") {
        retryCounts = completion.retryCounts;
        log.push(`retry ${completion.delayMs}`);
        continue;
      }
      if (completion.kind === "fail") return { ok: false, error: completion.error, cause: completion.cause };
      if (completion.kind === "end") return { ok: true, result: completion.output };
      name = completion.next;
      current = completion.output;
      break;
    }
  }
  throw new Error("did not end");
}

describe("the interpreter", () => {
  it("runs Hello World (a Pass with Result, then Succeed)", () => {
    const sm = machine({ StartAt: "Hello", States: { Hello: { Type: "Pass", Result: "Hello", Next: "World" }, World: { Type: "Pass", Result: "World", End: true } } });
    expect(run(sm, {})).toEqual({ ok: true, result: "World" });
  });

  it("applies InputPath, Parameters, ResultSelector, ResultPath and OutputPath in order (the developer guide's example)", () => {
    const sm = machine({
      StartAt: "Task",
      States: {
        Task: {
          Type: "Task",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:HelloFunction",
          InputPath: "$.lambda",
          Parameters: { "val1.$": "$.val1", "val2.$": "$.val2", "constant": 3 },
          ResultSelector: { "sum.$": "$.sum", "source": "lambda" },
          ResultPath: "$.data.lambdaresult",
          OutputPath: "$.data",
          End: true,
        },
      },
    });
    const input = { comment: "An input comment.", data: { val1: 23, val2: 17 }, extra: "foo", lambda: { who: "AWS Step Functions", val1: 1, val2: 2 } };
    const result = run(sm, input, { Task: (taskInput) => ({ sum: (taskInput as { val1: number; val2: number }).val1 + (taskInput as { val2: number }).val2, ignored: true }) });
    expect(result).toEqual({ ok: true, result: { val1: 23, val2: 17, lambdaresult: { sum: 3, source: "lambda" } } });
  });

  it("keeps the input with ResultPath null, and gives {} for InputPath null", () => {
    const sm = machine({ StartAt: "A", States: { A: { Type: "Pass", Result: { x: 1 }, ResultPath: null, Next: "B" }, B: { Type: "Pass", InputPath: null, End: true } } });
    expect(run(sm, { keep: true })).toEqual({ ok: true, result: {} });
    const keep = machine({ StartAt: "A", States: { A: { Type: "Pass", Result: { x: 1 }, ResultPath: null, End: true } } });
    expect(run(keep, { keep: true })).toEqual({ ok: true, result: { keep: true } });
  });

  it("reads the context object with $$", () => {
    const sm = machine({ StartAt: "A", States: { A: { Type: "Pass", Parameters: { "execution.$": "$$.Execution.Name", "state.$": "$$.State.Name" }, End: true } } });
    expect(run(sm, {})).toEqual({ ok: true, result: { execution: "run", state: "A" } });
  });

  it("chooses by every kind of rule, then Default", () => {
    const definition = {
      StartAt: "Choose",
      States: {
        Choose: {
          Type: "Choice",
          Choices: [
            { Not: { Variable: "$.type", StringEquals: "Private" }, Next: "Public" },
            { And: [{ Variable: "$.value", IsPresent: true }, { Variable: "$.value", NumericGreaterThanEquals: 20 }, { Variable: "$.value", NumericLessThan: 30 }], Next: "ValueInTwenties" },
            { Variable: "$.value", NumericEqualsPath: "$.other", Next: "Same" },
            { Or: [{ Variable: "$.when", TimestampLessThan: "2020-01-01T00:00:00Z" }, { Variable: "$.name", StringMatches: "log-*.txt" }], Next: "Old" },
          ],
          Default: "DefaultState",
        },
        Public: { Type: "Pass", Result: "Public", End: true },
        ValueInTwenties: { Type: "Pass", Result: "Twenties", End: true },
        Same: { Type: "Pass", Result: "Same", End: true },
        Old: { Type: "Pass", Result: "Old", End: true },
        DefaultState: { Type: "Fail", Error: "DefaultStateError", Cause: "No Matches!" },
      },
    };
    const sm = machine(definition);
    expect(run(sm, { type: "Public" })).toEqual({ ok: true, result: "Public" });
    expect(run(sm, { type: "Private", value: 25 })).toEqual({ ok: true, result: "Twenties" });
    expect(run(sm, { type: "Private", value: 5, other: 5 })).toEqual({ ok: true, result: "Same" });
    expect(run(sm, { type: "Private", value: 5, other: 6, when: "2019-06-01T12:00:00Z" })).toEqual({ ok: true, result: "Old" });
    expect(run(sm, { type: "Private", value: 5, other: 6, when: "2021-06-01T12:00:00Z", name: "log-1.txt" })).toEqual({ ok: true, result: "Old" });
    expect(run(sm, { type: "Private", value: 5, other: 6, when: "2021-06-01T12:00:00Z", name: "x" })).toEqual({ ok: false, error: "DefaultStateError", cause: "No Matches!" });
  });

  it("fails with States.NoChoiceMatched when no rule matches and there is no Default", () => {
    const sm = machine({ StartAt: "C", States: { C: { Type: "Choice", Choices: [{ Variable: "$.x", IsNull: true, Next: "D" }] }, D: { Type: "Succeed" } } });
    expect(run(sm, { x: null })).toEqual({ ok: true, result: { x: null } });
    expect(run(sm, { x: 1 })).toMatchObject({ ok: false, error: "States.NoChoiceMatched" });
  });

  it("fails with States.Runtime when a choice rule's variable is missing (IsPresent excepted)", () => {
    const sm = machine({ StartAt: "C", States: { C: { Type: "Choice", Choices: [{ Variable: "$.missing", StringEquals: "x", Next: "D" }], Default: "D" }, D: { Type: "Succeed" } } });
    expect(run(sm, {})).toMatchObject({ ok: false, error: "States.Runtime" });
  });

  it("computes Wait deadlines from Seconds, Timestamp, SecondsPath and TimestampPath", () => {
    const wait = (spec: object, input: Json) => {
      const sm = machine({ StartAt: "W", States: { W: { Type: "Wait", ...spec, End: true } } });
      return enterState(sm, "W", input, context(), 1_000);
    };
    expect(wait({ Seconds: 10 }, {})).toMatchObject({ kind: "wait", untilMs: 11_000, then: { kind: "end" } });
    expect(wait({ Timestamp: "2016-03-14T01:59:00Z" }, {})).toMatchObject({ untilMs: Date.parse("2016-03-14T01:59:00Z") });
    expect(wait({ SecondsPath: "$.delay" }, { delay: 3 })).toMatchObject({ untilMs: 4_000 });
    expect(wait({ TimestampPath: "$.at" }, { at: "2030-01-01T00:00:00Z" })).toMatchObject({ untilMs: Date.parse("2030-01-01T00:00:00Z") });
    expect(wait({ SecondsPath: "$.delay" }, { delay: "soon" })).toMatchObject({ kind: "fail", error: "States.Runtime" });
  });

  it("fails with Error and Cause, or ErrorPath and CausePath (paths and intrinsics)", () => {
    const sm = machine({ StartAt: "F", States: { F: { Type: "Fail", ErrorPath: "$.code", CausePath: "States.Format('Order {} failed', $.id)" } } });
    expect(run(sm, { code: "OrderFailed", id: 7 })).toEqual({ ok: false, error: "OrderFailed", cause: "Order 7 failed" });
  });

  it("retries with back-off then catches, putting the error at the catcher's ResultPath", () => {
    const sm = machine({
      StartAt: "Task",
      States: {
        Task: {
          Type: "Task",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:f",
          Retry: [
            { ErrorEquals: ["CustomError"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2.0 },
            { ErrorEquals: ["States.ALL"], IntervalSeconds: 5, MaxAttempts: 0 },
          ],
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Recover" }],
          End: true,
        },
        Recover: { Type: "Pass", End: true },
      },
    });
    const log: string[] = [];
    const result = run(sm, { order: 1 }, { Task: () => { throw new StatesError("CustomError", "it broke"); } }, log);
    expect(log).toEqual(["Task", "retry 1000", "retry 2000", "Recover"]);
    expect(result).toEqual({ ok: true, result: { order: 1, error: { Error: "CustomError", Cause: "it broke" } } });
  });

  it("succeeds after a retry when the task recovers", () => {
    const sm = machine({ StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f", Retry: [{ ErrorEquals: ["States.TaskFailed"] }], End: true } } });
    const result = run(sm, {}, { T: (_input, _state, attempt) => { if (attempt < 2) throw new StatesError("Boom", ""); return "done"; } });
    expect(result).toEqual({ ok: true, result: "done" });
  });

  it("caps the delay at MaxDelaySeconds and jitters with FULL", () => {
    const retrier = { errorEquals: ["States.ALL"], intervalSeconds: 3, maxAttempts: 10, backoffRate: 3, maxDelaySeconds: 20, jitterStrategy: "NONE" as const };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(retrier, attempt))).toEqual([3000, 9000, 20000, 20000]);
    expect(retryDelayMs({ ...retrier, jitterStrategy: "FULL" }, 2, () => 0.5)).toBe(4500);
  });

  it("matches errors as AWS does: States.ALL is everything but States.Runtime, States.TaskFailed is everything but timeouts", () => {
    expect(errorMatches(["States.ALL"], "Lambda.ServiceException")).toBe(true);
    expect(errorMatches(["States.ALL"], "States.Runtime")).toBe(false);
    expect(errorMatches(["States.TaskFailed"], "CustomError")).toBe(true);
    expect(errorMatches(["States.TaskFailed"], "States.Timeout")).toBe(false);
    expect(errorMatches(["States.Timeout"], "States.HeartbeatTimeout")).toBe(true);
    expect(errorMatches(["CustomError"], "OtherError")).toBe(false);
  });

  it("runs Parallel branches on the same input and collects their outputs in order", () => {
    const sm = machine({
      StartAt: "P",
      States: {
        P: {
          Type: "Parallel",
          Branches: [
            { StartAt: "A", States: { A: { Type: "Pass", Parameters: { "a.$": "$.x" }, End: true } } },
            { StartAt: "B", States: { B: { Type: "Pass", Result: "b", End: true } } },
          ],
          ResultPath: "$.results",
          End: true,
        },
      },
    });
    expect(run(sm, { x: 1 })).toEqual({ ok: true, result: { x: 1, results: [{ a: 1 }, "b"] } });
  });

  it("runs Map over ItemsPath with ItemSelector and $$.Map.Item (the developer guide's shipping example)", () => {
    const sm = machine({
      StartAt: "Validate-All",
      States: {
        "Validate-All": {
          Type: "Map",
          InputPath: "$.detail",
          ItemsPath: "$.shipped",
          MaxConcurrency: 0,
          ItemSelector: { "parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner", "index.$": "$$.Map.Item.Index" },
          ItemProcessor: { StartAt: "Validate", States: { Validate: { Type: "Pass", End: true } } },
          ResultPath: "$.detail.shipped",
          End: true,
        },
      },
    });
    const input = { "ship-date": "2016-03-14T01:59:00Z", detail: { "delivery-partner": "UQS", shipped: [{ prod: "R31", "dest-code": 9511, quantity: 1344 }, { prod: "S39", "dest-code": 9511, quantity: 40 }] } };
    const result = run(sm, input);
    expect(result).toEqual({
      ok: true,
      result: {
        ...input,
        detail: {
          ...input.detail,
          shipped: [
            { parcel: { prod: "R31", "dest-code": 9511, quantity: 1344 }, courier: "UQS", index: 0 },
            { parcel: { prod: "S39", "dest-code": 9511, quantity: 40 }, courier: "UQS", index: 1 },
          ],
        },
      },
    });
  });

  it("fails a Map past its tolerated failures, and tolerates within them", () => {
    const decision = { kind: "map" as const, items: [], maxConcurrency: 0 };
    expect(exceedsTolerance(decision, 1, 10)).toBe(true);
    expect(exceedsTolerance({ ...decision, toleratedFailureCount: 1 }, 1, 10)).toBe(false);
    expect(exceedsTolerance({ ...decision, toleratedFailurePercentage: 20 }, 3, 10)).toBe(true);
    expect(exceedsTolerance({ ...decision, toleratedFailurePercentage: 20 }, 2, 10)).toBe(false);
  });

  it("makes a task decision with the resolved timeout and heartbeat", () => {
    const sm = machine({
      StartAt: "T",
      States: { T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: "f", "Payload": { "token.$": "$$.Task.Token" } }, TimeoutSecondsPath: "$.timeout", HeartbeatSeconds: 5, End: true } },
    });
    const decision = enterState(sm, "T", { timeout: 60 }, { ...context("T"), Task: { Token: "tok" } }, 0);
    expect(decision).toEqual({ kind: "task", resource: { kind: "invoke", waitForTaskToken: true }, input: { FunctionName: "f", Payload: { token: "tok" } }, timeoutSeconds: 60, heartbeatSeconds: 5 });
  });

  it("fails with States.Runtime for a Parameters path that finds nothing", () => {
    const sm = machine({ StartAt: "A", States: { A: { Type: "Pass", Parameters: { "x.$": "$.missing" }, End: true } } });
    expect(run(sm, {})).toMatchObject({ ok: false, error: "States.Runtime" });
  });

  it("fails with States.ResultPathMatchFailure when ResultPath goes through a non-object", () => {
    const sm = machine({ StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f", ResultPath: "$.a.b", End: true } } });
    expect(run(sm, { a: "text" }, { T: () => 1 })).toMatchObject({ ok: false, error: "States.ResultPathMatchFailure" });
  });
});
