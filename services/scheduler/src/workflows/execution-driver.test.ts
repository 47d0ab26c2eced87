import { describe, expect, it } from "vitest";
import { parseDefinition, type Json, type LambdaCall, type StateMachine } from "@lambent/states-language";
import type { FrameRecord, StoredHistoryEvent, TokenRecord } from "@lambent/workflow-store";
import { createLogger } from "@lambent/telemetry";
import { DueTimers } from "./due-timers.js";
import { ExecutionDriver, type DriverStore, type ExecutionEnd, type TaskCallResult, type TaskCalls } from "./execution-driver.js";

const logger = createLogger({ service: "test", level: "error" });

/** What NATS would hold: frames by revision, history deduplicated by message id, tokens, the end. */
class StoredState implements DriverStore {
  frames = new Map<string, { frame: FrameRecord; revision: number }>();
  events: StoredHistoryEvent[] = [];
  ids = new Set<string>();
  tokens = new Map<string, TokenRecord>();
  ends: ExecutionEnd[] = [];
  private revision = 0;

  async saveFrame(frame: FrameRecord, revision: number): Promise<number | undefined> {
    if ((this.frames.get(frame.id)?.revision ?? 0) !== revision) return undefined;
    this.revision += 1;
    this.frames.set(frame.id, { frame: structuredClone(frame), revision: this.revision });
    return this.revision;
  }
  async deleteFrame(frameId: string) {
    this.frames.delete(frameId);
  }
  async history(events: StoredHistoryEvent[], ids: string[]) {
    events.forEach((event, index) => {
      if (this.ids.has(ids[index]!)) return;
      this.ids.add(ids[index]!);
      this.events.push(event);
    });
  }
  async putToken(record: TokenRecord) {
    this.tokens.set(record.token, record);
  }
  async getToken(token: string) {
    return this.tokens.get(token);
  }
  async deleteToken(token: string) {
    this.tokens.delete(token);
  }
  async finish(end: ExecutionEnd) {
    if (this.ends.length > 0) return false;
    this.ends.push(end);
    return true;
  }
  stored() {
    return [...this.frames.values()].map((held) => structuredClone(held));
  }
}

/** Function calls the test answers by hand: each call waits until `answer` is called for its function. */
class HeldCalls implements TaskCalls {
  calls: { call: LambdaCall; answer: (result: TaskCallResult) => void }[] = [];
  private waiters: (() => void)[] = [];
  call(call: LambdaCall): Promise<TaskCallResult> {
    return new Promise((resolve) => {
      this.calls.push({ call, answer: resolve });
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }
  async nextCall(count: number): Promise<void> {
    while (this.calls.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  answer(index: number, payload: Json): void {
    this.calls[index]!.answer({ ok: true, answer: { requestId: `r${index}`, executedVersion: "$LATEST", payload: JSON.stringify(payload), statusCode: 200 } });
  }
}

function machine(definition: object): StateMachine {
  const parsed = parseDefinition(JSON.stringify(definition));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.machine;
}

function driver(store: StoredState, calls: TaskCalls, sm: StateMachine, timers = new DueTimers()): ExecutionDriver {
  return new ExecutionDriver({
    execution: { key: "sm.e", arn: "arn:aws:states:us-east-1:000000000000:execution:sm:e", name: "e", stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:sm", stateMachineName: "sm", roleArn: "arn:aws:iam::000000000000:role/r", input: { n: 1 }, startDate: Date.now(), machine: sm, region: "us-east-1" },
    store,
    calls,
    timers,
    logger,
  });
}

const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const settle = async (d: ExecutionDriver) => {
  for (let i = 0; i < 20; i += 1) {
    await d.serialDone();
    await new Promise((resolve) => setImmediate(resolve));
  }
};

describe("the execution driver", () => {
  it("resumes after a crash without running a completed state again; the task in flight runs again, and the history says so", async () => {
    const sm = machine({
      StartAt: "One",
      States: {
        One: { Type: "Task", Resource: fn("one"), ResultPath: "$.one", Next: "Two" },
        Two: { Type: "Task", Resource: fn("two"), ResultPath: "$.two", Next: "Three" },
        Three: { Type: "Pass", End: true },
      },
    });
    const store = new StoredState();
    const first = new HeldCalls();
    const before = driver(store, first, sm);
    before.resume([]);
    await first.nextCall(1);
    first.answer(0, "first");
    await first.nextCall(2);
    expect(first.calls.map((entry) => entry.call.functionName)).toEqual([fn("one"), fn("two")]);
    // The scheduler dies with "Two" out; another resumes from what the store holds.
    before.stop();
    const second = new HeldCalls();
    const after = driver(store, second, sm);
    after.resume(store.stored());
    await second.nextCall(1);
    expect(second.calls.map((entry) => entry.call.functionName)).toEqual([fn("two")]);
    second.answer(0, "second");
    await settle(after);
    expect(store.ends).toEqual([{ status: "SUCCEEDED", output: JSON.stringify({ n: 1, one: "first", two: "second" }) }]);
    const types = store.events.map((event) => event.type);
    expect(types.filter((type) => type === "TaskStateEntered")).toHaveLength(2);
    expect(types.filter((type) => type === "LambdaFunctionScheduled")).toHaveLength(3);
    expect(types.filter((type) => type === "LambdaFunctionSucceeded")).toHaveLength(2);
    expect(store.frames.size).toBe(0);
  });

  it("replays a step whose frame was not saved, storing its events once", async () => {
    const sm = machine({ StartAt: "A", States: { A: { Type: "Pass", Next: "B" }, B: { Type: "Task", Resource: fn("b"), End: true } } });
    const store = new StoredState();
    const calls = new HeldCalls();
    const d = driver(store, calls, sm);
    d.resume([]);
    await calls.nextCall(1);
    d.stop();
    // Lose the frame's last save: the step that started the task is replayed on resume.
    const stored = store.stored();
    const root = stored[0]!;
    root.frame.step -= 1;
    root.frame.phase = { kind: "enter" };
    store.frames.set("r", { frame: root.frame, revision: root.revision });
    const again = new HeldCalls();
    const resumed = driver(store, again, sm);
    resumed.resume(store.stored());
    await again.nextCall(1);
    again.answer(0, 1);
    await settle(resumed);
    const types = store.events.map((event) => event.type);
    expect(types.filter((type) => type === "TaskStateEntered")).toHaveLength(1);
    expect(store.ends).toHaveLength(1);
  });

  it("stops driving when another writer holds the frames (a second leader)", async () => {
    const sm = machine({ StartAt: "A", States: { A: { Type: "Task", Resource: fn("a"), End: true } } });
    const store = new StoredState();
    const calls = new HeldCalls();
    const d = driver(store, calls, sm);
    d.resume([]);
    await calls.nextCall(1);
    // Someone else writes the frame meanwhile.
    const held = store.frames.get("r")!;
    store.frames.set("r", { ...held, revision: held.revision + 100 });
    calls.answer(0, "late");
    await settle(d);
    expect(store.ends).toEqual([]);
    expect(d.done).toBe(true);
  });

  it("keeps a Map at its MaxConcurrency and collects every item's result in order", async () => {
    const sm = machine({ StartAt: "M", States: { M: { Type: "Map", MaxConcurrency: 2, ItemProcessor: { StartAt: "T", States: { T: { Type: "Task", Resource: fn("t"), End: true } } }, End: true } } });
    const store = new StoredState();
    const calls = new HeldCalls();
    const d = new ExecutionDriver({
      execution: { key: "sm.e", arn: "arn", name: "e", stateMachineArn: "arn", stateMachineName: "sm", roleArn: "r", input: [10, 20, 30, 40, 50], startDate: Date.now(), machine: sm, region: "us-east-1" },
      store,
      calls,
      timers: new DueTimers(),
      logger,
    });
    d.resume([]);
    await calls.nextCall(2);
    await settle(d);
    expect(calls.calls).toHaveLength(2);
    for (let answered = 0; answered < 5; answered += 1) {
      await calls.nextCall(answered + 1);
      const pending = calls.calls.length - answered;
      expect(pending).toBeLessThanOrEqual(2);
      calls.answer(answered, (calls.calls[answered]!.call.payload as number) + 1);
      await settle(d);
    }
    expect(store.ends).toEqual([{ status: "SUCCEEDED", output: JSON.stringify([11, 21, 31, 41, 51]) }]);
  });

  it("completes a waitForTaskToken task when its token is answered", async () => {
    const sm = machine({ StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: "f", Payload: { "token.$": "$$.Task.Token" } }, End: true } } });
    const store = new StoredState();
    const calls = new HeldCalls();
    const d = driver(store, calls, sm);
    d.resume([]);
    await calls.nextCall(1);
    const token = (calls.calls[0]!.call.payload as { token: string }).token;
    calls.answer(0, null);
    await settle(d);
    expect(store.tokens.get(token)?.status).toBe("WAITING");
    store.tokens.set(token, { ...store.tokens.get(token)!, status: "SUCCEEDED", output: '{"ok":true}' });
    d.tokensChanged();
    await settle(d);
    expect(store.ends).toEqual([{ status: "SUCCEEDED", output: '{"ok":true}' }]);
    expect(store.events.map((event) => event.type)).toEqual(["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited"]);
  });
});
