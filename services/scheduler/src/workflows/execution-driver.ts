// Drives one execution through its state machine, one step at a time: each step asks the interpreter
// (@lambent/states-language) what comes next, writes the step's history events and then the frame's new
// state, and only then acts (calls a function, sets a due time, starts branches or items). A crash at any
// point therefore replays at most the step in hand: its events carry the same message ids and are stored
// once, and a task that was out is started again (at least once; its history shows the second start).
// Frames are the top-level machine, each Parallel branch and each Map item. Everything an execution does
// runs through one queue, so frames never race each other; only function calls run side by side.
import { randomBytes } from "node:crypto";
import {
  completeState,
  enterState,
  exceedsTolerance,
  lambdaCall,
  lambdaResult,
  machineAt,
  mapOverItems,
  StatesError,
  StatesErrors,
  toJsonText,
  type CompletionDecision,
  type ContextObject,
  type Decision,
  type Json,
  type LambdaAnswer,
  type LambdaCall,
  type Outcome,
  type StateMachine,
  type Transition,
} from "@lambent/states-language";
import type { FramePhase, FrameRecord, StoredHistoryEvent, TokenRecord } from "@lambent/workflow-store";
import type { Logger } from "@lambent/telemetry";
import type { DueTimers } from "./due-timers.js";
import type { ItemSource } from "./item-source.js";

/** What a task's function call came to. */
export type TaskCallResult = { ok: true; answer: LambdaAnswer } | { ok: false; error: string; cause: string };

export interface TaskCalls {
  /** Calls the function; resolves with its answer or a platform error (never rejects). */
  call(call: LambdaCall, options: { timeoutMs?: number; traceparent?: string }): Promise<TaskCallResult>;
}

export type ExecutionEnd = { status: "SUCCEEDED"; output: string } | { status: "FAILED" | "TIMED_OUT"; error: string; cause: string };

/** Where the driver keeps what it must not lose; an express execution's keeps nothing. */
export interface DriverStore {
  /** Writes a frame at `revision` (0: new); undefined when another writer got there first. */
  saveFrame(frame: FrameRecord, revision: number): Promise<number | undefined>;
  deleteFrame(frameId: string): Promise<void>;
  /** Appends events; `ids` are unique per event and the same when a step is replayed. */
  history(events: StoredHistoryEvent[], ids: string[]): Promise<void>;
  putToken(record: TokenRecord): Promise<void>;
  getToken(token: string): Promise<TokenRecord | undefined>;
  deleteToken(token: string): Promise<void>;
  /** Records the end; false when the execution had already ended (it was stopped). */
  finish(end: ExecutionEnd): Promise<boolean>;
}

/** Hears the states of an execution come and go (traces, metrics); no-ops by default. */
export interface DriverObserver {
  stateEntered?(frame: FrameRecord, type: string): void;
  stateExited?(frame: FrameRecord, failure?: { error: string; cause: string }): void;
  /** The trace context a state's function call continues. */
  traceparentOf?(frame: FrameRecord): string | undefined;
  ended?(end: ExecutionEnd): void;
}

export interface ExecutionInfo {
  key: string;
  arn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  input: Json;
  startDate: number;
  machine: StateMachine;
  region: string;
}

export interface ExecutionDriverOptions {
  execution: ExecutionInfo;
  store: DriverStore;
  calls: TaskCalls;
  timers: DueTimers;
  /** Reads Map states' ItemReaders; without one, a reader fails with States.ItemReaderFailed. */
  items?: ItemSource;
  logger: Logger;
  observer?: DriverObserver;
  now?: () => number;
  /** Called once the execution has ended, was stopped, or lost its frames to another writer. */
  onDone?: () => void;
  /** Called when a step failed (NATS unreachable, say): the driver has stopped, and the execution is to be resumed from NATS. */
  onFailed?: () => void;
}

/** Another leader wrote a frame this driver holds: it stops at once and leaves the execution to that one. */
class Fenced extends Error {
  override readonly name = "Fenced";
}

interface Held {
  frame: FrameRecord;
  revision: number;
}

const ROOT = "r";
const STATE_EVENT_PREFIX: Record<string, string> = { Task: "TaskState", Pass: "PassState", Choice: "ChoiceState", Wait: "WaitState", Succeed: "SucceedState", Fail: "FailState", Parallel: "ParallelState", Map: "MapState" };

export class ExecutionDriver {
  private readonly frames = new Map<string, Held>();
  private queue: Promise<void> = Promise.resolve();
  private finished = false;
  private readonly now: () => number;
  private readonly execution: ExecutionInfo;

  constructor(private readonly options: ExecutionDriverOptions) {
    this.now = options.now ?? Date.now;
    this.execution = options.execution;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Starts from the frames stored (none: a new execution) and carries each on from where it stood. */
  resume(stored: readonly Held[], timeoutSeconds?: number): void {
    this.serial(async () => {
      for (const held of stored) this.frames.set(held.frame.id, { ...held });
      if (timeoutSeconds !== undefined) {
        this.options.timers.set(this.timerKey("execution"), this.execution.startDate + timeoutSeconds * 1000, () =>
          this.serial(() => this.end({ status: "TIMED_OUT", error: StatesErrors.timeout, cause: `The execution exceeded its TimeoutSeconds of ${timeoutSeconds}` })),
        );
      }
      if (this.frames.size === 0) {
        const root: FrameRecord = { id: ROOT, machinePath: [], index: 0, state: this.execution.machine.startAt, input: this.execution.input, enteredAt: this.now(), step: 0, retryCounts: [], phase: { kind: "enter" } };
        this.frames.set(ROOT, { frame: root, revision: 0 });
        await this.save(root, []);
      }
      // Children first: a finished child tells its parent before the parent looks for the children it lacks.
      const ordered = [...this.frames.values()].sort((a, b) => b.frame.id.length - a.frame.id.length);
      for (const held of ordered) if (this.frames.has(held.frame.id)) await this.carryOn(held.frame);
    });
  }

  /** Looks at the execution's task tokens again (one was answered). */
  tokensChanged(): void {
    this.serial(async () => {
      for (const { frame } of [...this.frames.values()]) {
        if (frame.phase.kind === "task" && frame.phase.token) await this.checkToken(frame);
      }
    });
  }

  /** Stops driving: the execution was stopped, or this scheduler no longer leads. Calls out are ignored. */
  stop(): void {
    this.finished = true;
    this.options.timers.clearPrefix(this.timerKey(""));
  }

  /** Frames and tokens are of no more use once the execution ended elsewhere (StopExecution). */
  async discard(): Promise<void> {
    this.stop();
    await this.serialDone();
    await this.cleanUp();
  }

  /** Resolves once the work queued so far has run. */
  serialDone(): Promise<void> {
    return this.queue;
  }

  private serial(work: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.finished) return;
      try {
        await work();
      } catch (error) {
        if (error instanceof Fenced) {
          this.options.logger.warn("execution taken over by another writer: this scheduler stops driving it", { execution: this.execution.arn });
          this.stop();
          this.options.onDone?.();
          return;
        }
        this.options.logger.error("execution step failed: it resumes from what NATS holds", { execution: this.execution.arn, err: error });
        this.stop();
        this.options.onFailed?.();
      }
    });
  }

  private timerKey(suffix: string): string {
    return `${this.execution.key}/${suffix}`;
  }

  private machineOf(frame: FrameRecord): StateMachine {
    const machine = machineAt(this.execution.machine, frame.machinePath);
    if (!machine) throw new StatesError(StatesErrors.runtime, `No state machine at ${JSON.stringify(frame.machinePath)}`);
    return machine;
  }

  private context(frame: FrameRecord, token?: string): ContextObject {
    return {
      Execution: { Id: this.execution.arn, Input: this.execution.input, Name: this.execution.name, RoleArn: this.execution.roleArn, StartTime: new Date(this.execution.startDate).toISOString(), RedriveCount: 0 },
      State: { EnteredTime: new Date(frame.enteredAt).toISOString(), Name: frame.state, RetryCount: frame.retryCounts.reduce((sum, count) => sum + count, 0) },
      StateMachine: { Id: this.execution.stateMachineArn, Name: this.execution.stateMachineName },
      ...(token ? { Task: { Token: token } } : {}),
    };
  }

  private event(frame: FrameRecord, type: string, details?: Record<string, Json>): StoredHistoryEvent {
    return { type, timestamp: this.now(), frame: frame.id, ...(frame.parent !== undefined ? { parentFrame: frame.parent } : {}), ...(details ? { details } : {}) };
  }

  /** Writes the step's events, then the frame (its step counted); a lost compare-and-set means another leader. */
  private async save(frame: FrameRecord, events: StoredHistoryEvent[]): Promise<void> {
    const held = this.frames.get(frame.id);
    if (!held) return;
    if (events.length > 0) await this.options.store.history(events, events.map((_, index) => `${frame.id}:${frame.step}:${index}`));
    frame.step += 1;
    const revision = await this.options.store.saveFrame(frame, held.revision);
    if (revision === undefined) throw new Fenced();
    held.frame = frame;
    held.revision = revision;
  }

  private stateType(frame: FrameRecord): string {
    return this.machineOf(frame).states[frame.state]?.type ?? "Pass";
  }

  /** Picks a frame up wherever it stands (after a resume, or a transition). */
  private async carryOn(frame: FrameRecord): Promise<void> {
    const phase = frame.phase;
    switch (phase.kind) {
      case "enter":
        return this.enter(frame);
      case "wait":
        this.dueAt(frame, phase.until, () => this.afterWait(frame.id));
        return;
      case "retry":
        this.dueAt(frame, phase.until, () => this.afterRetryDelay(frame.id));
        return;
      case "task":
        return this.resumeTask(frame, phase);
      case "children":
        return this.fillChildren(frame);
      case "done":
        return this.frameDone(frame);
    }
  }

  private dueAt(frame: FrameRecord, at: number, work: () => Promise<void>): void {
    const since = frame.step;
    this.options.timers.set(this.timerKey(frame.id), at, () =>
      this.serial(async () => {
        const held = this.frames.get(frame.id);
        if (held && held.frame.step === since) await work();
      }),
    );
  }

  private async enter(frame: FrameRecord): Promise<void> {
    const machine = this.machineOf(frame);
    const type = this.stateType(frame);
    const state = machine.states[frame.state];
    const firstTry = frame.retryCounts.every((count) => count === 0);
    const events: StoredHistoryEvent[] = [];
    if (firstTry) {
      events.push(this.event(frame, type === "Fail" ? "FailStateEntered" : `${STATE_EVENT_PREFIX[type]}Entered`, { name: frame.state, input: toJsonText(frame.input), inputDetails: { truncated: false } }));
      this.options.observer?.stateEntered?.(frame, type);
    }
    const token = state?.type === "Task" && state.resource.endsWith(".waitForTaskToken") ? randomBytes(48).toString("base64url") : undefined;
    const decision = enterState(machine, frame.state, frame.input, this.context(frame, token), this.now());
    await this.apply(frame, decision, events, token);
  }

  private async apply(frame: FrameRecord, decision: Decision, events: StoredHistoryEvent[], token?: string): Promise<void> {
    switch (decision.kind) {
      case "next":
      case "end":
        return this.transition(frame, decision, events);
      case "fail":
        return this.fail(frame, decision.error, decision.cause, events);
      case "wait": {
        const next: FrameRecord = { ...frame, phase: { kind: "wait", until: decision.untilMs, then: decision.then } };
        await this.save(next, events);
        this.dueAt(next, decision.untilMs, () => this.afterWait(next.id));
        return;
      }
      case "task":
        return this.startTask(frame, decision, events, token);
      case "parallel":
      case "map":
        return this.startChildren(frame, decision, events);
      case "readItems":
        return this.readItems(frame, decision, events);
    }
  }

  /** A Map with an ItemReader: its items are read (again, after a crash), then it runs over them. */
  private async readItems(frame: FrameRecord, decision: Extract<Decision, { kind: "readItems" }>, events: StoredHistoryEvent[]): Promise<void> {
    let items: Json[];
    try {
      if (!this.options.items) throw new StatesError(StatesErrors.itemReaderFailed, "No ItemReader source is configured");
      items = await this.options.items.read(decision.read);
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      events.push(this.event(frame, "MapStateFailed"));
      return this.complete(frame, { ok: false, error: error.error, cause: error.cause }, events);
    }
    return this.apply(frame, mapOverItems(this.machineOf(frame), frame.state, frame.input, this.context(frame), items), events);
  }

  private async transition(frame: FrameRecord, transition: Transition, events: StoredHistoryEvent[]): Promise<void> {
    const type = this.stateType(frame);
    if (type !== "Fail") events.push(this.event(frame, `${STATE_EVENT_PREFIX[type]}Exited`, { name: frame.state, output: toJsonText(transition.output), outputDetails: { truncated: false } }));
    this.options.observer?.stateExited?.(frame);
    if (transition.kind === "next") {
      const next: FrameRecord = { ...frame, state: transition.next, input: transition.output, enteredAt: this.now(), retryCounts: [], phase: { kind: "enter" } };
      await this.save(next, events);
      return this.enter(next);
    }
    const done: FrameRecord = { ...frame, phase: { kind: "done", outcome: { ok: true, result: transition.output } } };
    await this.save(done, events);
    return this.frameDone(done);
  }

  private async fail(frame: FrameRecord, error: string, cause: string, events: StoredHistoryEvent[]): Promise<void> {
    const type = this.stateType(frame);
    if (type === "Task" || type === "Parallel" || type === "Map") events.push(this.event(frame, `${type === "Task" ? "TaskState" : `${type}State`}Exited`, { name: frame.state, output: toJsonText({ Error: error, Cause: cause }), outputDetails: { truncated: false } }));
    this.options.observer?.stateExited?.(frame, { error, cause });
    const done: FrameRecord = { ...frame, phase: { kind: "done", outcome: { ok: false, error, cause } } };
    await this.save(done, events);
    return this.frameDone(done);
  }

  private async afterWait(frameId: string): Promise<void> {
    const held = this.frames.get(frameId);
    if (!held || held.frame.phase.kind !== "wait") return;
    return this.transition(held.frame, held.frame.phase.then, []);
  }

  private async afterRetryDelay(frameId: string): Promise<void> {
    const held = this.frames.get(frameId);
    if (!held || held.frame.phase.kind !== "retry") return;
    const next: FrameRecord = { ...held.frame, phase: { kind: "enter" } };
    await this.save(next, []);
    return this.enter(next);
  }

  /** What a Task, Parallel or Map state's outcome leads to: retry, catch, transition or failure. */
  private async complete(frame: FrameRecord, outcome: Outcome, events: StoredHistoryEvent[]): Promise<void> {
    const machine = this.machineOf(frame);
    const completion: CompletionDecision = completeState(machine, frame.state, frame.input, outcome, frame.retryCounts, this.context(frame));
    if (completion.kind === "retry") {
      const until = this.now() + completion.delayMs;
      const next: FrameRecord = { ...frame, retryCounts: completion.retryCounts, phase: { kind: "retry", until } };
      await this.save(next, events);
      this.dueAt(next, until, () => this.afterRetryDelay(next.id));
      return;
    }
    if (completion.kind === "fail") return this.fail(frame, completion.error, completion.cause, events);
    if (!outcome.ok && completion.kind === "next") this.options.observer?.stateExited?.(frame, { error: outcome.error, cause: outcome.cause });
    return this.transition(frame, completion, events);
  }

  // Tasks.

  private taskEvents(frame: FrameRecord, phase: Extract<FramePhase, { kind: "task" }>, kind: "scheduled" | "started"): StoredHistoryEvent {
    const resource = phase.decision.resource;
    if (resource.kind === "function") {
      return kind === "scheduled"
        ? this.event(frame, "LambdaFunctionScheduled", { resource: resource.functionArn, input: toJsonText(phase.decision.input), inputDetails: { truncated: false }, ...(phase.decision.timeoutSeconds !== undefined ? { timeoutInSeconds: phase.decision.timeoutSeconds } : {}) })
        : this.event(frame, "LambdaFunctionStarted");
    }
    const name = resource.waitForTaskToken ? "invoke.waitForTaskToken" : "invoke";
    return kind === "scheduled"
      ? this.event(frame, "TaskScheduled", {
          resourceType: "lambda",
          resource: name,
          region: this.execution.region,
          parameters: toJsonText(phase.decision.input),
          ...(phase.decision.timeoutSeconds !== undefined ? { timeoutInSeconds: phase.decision.timeoutSeconds } : {}),
          ...(phase.decision.heartbeatSeconds !== undefined ? { heartbeatInSeconds: phase.decision.heartbeatSeconds } : {}),
        })
      : this.event(frame, "TaskStarted", { resourceType: "lambda", resource: name });
  }

  private async startTask(frame: FrameRecord, decision: Extract<Decision, { kind: "task" }>, events: StoredHistoryEvent[], token?: string): Promise<void> {
    const now = this.now();
    const phase: Extract<FramePhase, { kind: "task" }> = {
      kind: "task",
      decision,
      runs: 1,
      ...(token ? { token } : {}),
      ...(decision.timeoutSeconds !== undefined ? { deadline: now + decision.timeoutSeconds * 1000 } : {}),
      ...(token && decision.heartbeatSeconds !== undefined ? { heartbeatDeadline: now + decision.heartbeatSeconds * 1000 } : {}),
    };
    if (token) await this.options.store.putToken({ token, executionKey: this.execution.key, frameId: frame.id, status: "WAITING", heartbeatAt: now });
    const next: FrameRecord = { ...frame, phase };
    events.push(this.taskEvents(next, phase, "scheduled"), this.taskEvents(next, phase, "started"));
    await this.save(next, events);
    this.runTask(next, phase);
  }

  /** A task found out after a crash: a token task waits on (its call done), any other starts again. */
  private async resumeTask(frame: FrameRecord, phase: Extract<FramePhase, { kind: "task" }>): Promise<void> {
    if (phase.token && phase.runs === 0) {
      this.watchTask(frame, phase);
      return this.checkToken(frame);
    }
    const again: Extract<FramePhase, { kind: "task" }> = { ...phase, runs: phase.runs + 1 };
    const next: FrameRecord = { ...frame, phase: again };
    await this.save(next, [this.taskEvents(next, again, "scheduled"), this.taskEvents(next, again, "started")]);
    this.runTask(next, again);
  }

  /** Due times of a task: its TimeoutSeconds, and a token task's heartbeat. */
  private watchTask(frame: FrameRecord, phase: Extract<FramePhase, { kind: "task" }>): void {
    const since = frame.step;
    const still = (): FrameRecord | undefined => {
      const held = this.frames.get(frame.id);
      return held && held.frame.phase.kind === "task" && held.frame.step >= since && held.frame.phase.decision === phase.decision ? held.frame : undefined;
    };
    if (phase.deadline !== undefined) {
      this.options.timers.set(this.timerKey(`${frame.id}/timeout`), phase.deadline, () =>
        this.serial(async () => {
          const current = still();
          if (current) await this.taskTimedOut(current, StatesErrors.timeout, "The task timed out");
        }),
      );
    }
    if (phase.heartbeatDeadline !== undefined && phase.token) {
      this.options.timers.set(this.timerKey(`${frame.id}/heartbeat`), phase.heartbeatDeadline, () =>
        this.serial(async () => {
          const current = still();
          if (!current || current.phase.kind !== "task") return;
          const record = await this.options.store.getToken(phase.token!);
          const beat = (record?.heartbeatAt ?? 0) + (phase.decision.heartbeatSeconds ?? 0) * 1000;
          if (record && record.status === "WAITING" && beat > this.now()) {
            this.watchTask(current, { ...current.phase, heartbeatDeadline: beat });
            return;
          }
          if (record && record.status !== "WAITING") return this.checkToken(current);
          await this.taskTimedOut(current, StatesErrors.heartbeatTimeout, "The task did not send a heartbeat in time");
        }),
      );
    }
  }

  private clearTaskTimers(frame: FrameRecord): void {
    this.options.timers.clear(this.timerKey(`${frame.id}/timeout`));
    this.options.timers.clear(this.timerKey(`${frame.id}/heartbeat`));
  }

  private runTask(frame: FrameRecord, phase: Extract<FramePhase, { kind: "task" }>): void {
    this.watchTask(frame, phase);
    let call: LambdaCall;
    try {
      call = lambdaCall(phase.decision.resource, phase.decision.input);
    } catch (error) {
      const failure = error instanceof StatesError ? error : new StatesError(StatesErrors.runtime, String(error));
      this.serial(() => this.taskFinished(frame.id, phase, { ok: false, error: failure.error, cause: failure.cause }));
      return;
    }
    const traceparent = this.options.observer?.traceparentOf?.(frame);
    const timeoutMs = phase.deadline !== undefined ? Math.max(phase.deadline - this.now(), 1) : undefined;
    void this.options.calls.call(call, { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(traceparent ? { traceparent } : {}) }).then((result) =>
      this.serial(() => this.taskFinished(frame.id, phase, result)),
    );
  }

  private async taskFinished(frameId: string, phase: Extract<FramePhase, { kind: "task" }>, result: TaskCallResult): Promise<void> {
    const held = this.frames.get(frameId);
    if (!held || held.frame.phase.kind !== "task" || held.frame.phase.decision !== phase.decision || held.frame.phase.runs !== phase.runs) return;
    const frame = held.frame;
    const resource = phase.decision.resource;
    const lambda = resource.kind === "function";
    let outcome: Outcome;
    if (!result.ok) outcome = { ok: false, error: result.error, cause: result.cause };
    else {
      try {
        outcome = { ok: true, result: lambdaResult(resource, result.answer) };
      } catch (error) {
        if (!(error instanceof StatesError)) throw error;
        outcome = { ok: false, error: error.error, cause: error.cause };
      }
    }
    const resourceName = resource.kind === "invoke" ? (resource.waitForTaskToken ? "invoke.waitForTaskToken" : "invoke") : "";
    if (phase.token) {
      if (!outcome.ok) {
        await this.options.store.deleteToken(phase.token);
        this.clearTaskTimers(frame);
        return this.complete(frame, outcome, [this.event(frame, "TaskFailed", { resourceType: "lambda", resource: resourceName, error: outcome.error, cause: outcome.cause })]);
      }
      // The function was called; the result comes with the token. runs 0 marks "called, waiting".
      const waiting: FrameRecord = { ...frame, phase: { ...phase, runs: 0 } };
      await this.save(waiting, [this.event(frame, "TaskSubmitted", { resourceType: "lambda", resource: resourceName, output: toJsonText(outcome.result), outputDetails: { truncated: false } })]);
      return this.checkToken(waiting);
    }
    this.clearTaskTimers(frame);
    const events = outcome.ok
      ? [lambda ? this.event(frame, "LambdaFunctionSucceeded", { output: toJsonText(outcome.result), outputDetails: { truncated: false } }) : this.event(frame, "TaskSucceeded", { resourceType: "lambda", resource: resourceName, output: toJsonText(outcome.result), outputDetails: { truncated: false } })]
      : [lambda ? this.event(frame, "LambdaFunctionFailed", { error: outcome.error, cause: outcome.cause }) : this.event(frame, "TaskFailed", { resourceType: "lambda", resource: resourceName, error: outcome.error, cause: outcome.cause })];
    return this.complete(frame, outcome, events);
  }

  private async taskTimedOut(frame: FrameRecord, error: string, cause: string): Promise<void> {
    if (frame.phase.kind !== "task") return;
    const resource = frame.phase.decision.resource;
    if (frame.phase.token) await this.options.store.deleteToken(frame.phase.token);
    this.clearTaskTimers(frame);
    const event = resource.kind === "function"
      ? this.event(frame, "LambdaFunctionTimedOut", { error, cause })
      : this.event(frame, "TaskTimedOut", { resourceType: "lambda", resource: resource.waitForTaskToken ? "invoke.waitForTaskToken" : "invoke", error, cause });
    return this.complete(frame, { ok: false, error, cause }, [event]);
  }

  private async checkToken(frame: FrameRecord): Promise<void> {
    if (frame.phase.kind !== "task" || !frame.phase.token || frame.phase.runs !== 0) return;
    const record = await this.options.store.getToken(frame.phase.token);
    if (!record || record.status === "WAITING") return;
    this.clearTaskTimers(frame);
    await this.options.store.deleteToken(frame.phase.token);
    if (record.status === "SUCCEEDED") {
      let result: Json = null;
      try {
        result = JSON.parse(record.output ?? "null") as Json;
      } catch {
        result = record.output ?? null;
      }
      return this.complete(frame, { ok: true, result }, [this.event(frame, "TaskSucceeded", { resourceType: "lambda", resource: "invoke.waitForTaskToken", output: record.output ?? "null", outputDetails: { truncated: false } })]);
    }
    const error = record.error ?? "";
    const cause = record.cause ?? "";
    return this.complete(frame, { ok: false, error, cause }, [this.event(frame, "TaskFailed", { resourceType: "lambda", resource: "invoke.waitForTaskToken", error, cause })]);
  }

  // Parallel branches and Map items.

  private async startChildren(frame: FrameRecord, decision: Extract<Decision, { kind: "parallel" | "map" }>, events: StoredHistoryEvent[]): Promise<void> {
    const total = decision.kind === "parallel" ? decision.branches : decision.items.length;
    const type = decision.kind === "parallel" ? "ParallelState" : "MapState";
    events.push(this.event(frame, `${type}Started`, decision.kind === "map" ? { length: total } : undefined));
    if (total === 0) {
      events.push(this.event(frame, `${type}Succeeded`));
      return this.complete(frame, { ok: true, result: [] }, events);
    }
    const next: FrameRecord = { ...frame, phase: { kind: "children", decision, prefix: `${frame.id}_${frame.step}`, total, nextIndex: 0, running: [], succeeded: 0, failed: 0 } };
    await this.save(next, events);
    return this.fillChildren(next);
  }

  /** Starts children up to the concurrency allowed, and any child a crash left unstarted. */
  private async fillChildren(frame: FrameRecord): Promise<void> {
    if (frame.phase.kind !== "children") return;
    const phase = { ...frame.phase, running: [...frame.phase.running] };
    const limit = phase.decision.kind === "map" && phase.decision.maxConcurrency > 0 ? phase.decision.maxConcurrency : Infinity;
    const toStart: number[] = phase.running.filter((index) => !this.frames.has(`${phase.prefix}_${index}`));
    while (phase.running.length < limit && phase.nextIndex < phase.total) {
      phase.running.push(phase.nextIndex);
      toStart.push(phase.nextIndex);
      phase.nextIndex += 1;
    }
    if (toStart.length === 0) return;
    const parent: FrameRecord = { ...frame, phase };
    await this.save(parent, []);
    const children = toStart.map((index): FrameRecord => {
      const machineStep = { state: frame.state, branch: phase.decision.kind === "parallel" ? index : 0 };
      const child: FrameRecord = {
        id: `${phase.prefix}_${index}`,
        parent: frame.id,
        machinePath: [...frame.machinePath, machineStep],
        index,
        state: "",
        input: phase.decision.kind === "parallel" ? phase.decision.input : phase.decision.items[index]!,
        enteredAt: this.now(),
        step: 0,
        retryCounts: [],
        phase: { kind: "enter" },
      };
      child.state = this.machineOf(child).startAt;
      this.frames.set(child.id, { frame: child, revision: 0 });
      return child;
    });
    for (const child of children) {
      const events = phase.decision.kind === "map" ? [this.event(child, "MapIterationStarted", { name: frame.state, index: child.index })] : [];
      await this.save(child, events);
    }
    for (const child of children) {
      const held = this.frames.get(child.id);
      if (held) await this.enter(held.frame);
    }
  }

  /** A frame reached its end: the execution's, or a child's that its parent counts. */
  private async frameDone(frame: FrameRecord): Promise<void> {
    if (frame.phase.kind !== "done") return;
    const outcome = frame.phase.outcome;
    if (frame.parent === undefined) {
      return this.end(outcome.ok ? { status: "SUCCEEDED", output: toJsonText(outcome.result) } : { status: "FAILED", error: outcome.error, cause: outcome.cause });
    }
    const parentHeld = this.frames.get(frame.parent);
    if (!parentHeld || parentHeld.frame.phase.kind !== "children" || !parentHeld.frame.phase.running.includes(frame.index) || !frame.id.startsWith(parentHeld.frame.phase.prefix)) return;
    const parent = parentHeld.frame;
    const phase = { ...parentHeld.frame.phase, running: parentHeld.frame.phase.running.filter((index) => index !== frame.index) };
    const isMap = phase.decision.kind === "map";
    const events: StoredHistoryEvent[] = [];
    if (outcome.ok) phase.succeeded += 1;
    else {
      phase.failed += 1;
      phase.firstError ??= { error: outcome.error, cause: outcome.cause };
    }
    if (isMap) events.push(this.event(frame, outcome.ok ? "MapIterationSucceeded" : "MapIterationFailed", { name: parent.state, index: frame.index }));
    const type = isMap ? "MapState" : "ParallelState";
    const failedNow = !outcome.ok && (phase.decision.kind === "parallel" || exceedsTolerance(phase.decision, phase.failed, phase.total));
    if (failedNow) {
      const tolerated = phase.decision.kind === "map" && (phase.decision.toleratedFailureCount !== undefined || phase.decision.toleratedFailurePercentage !== undefined);
      const error = tolerated ? { error: StatesErrors.exceedToleratedFailureThreshold, cause: "The specified tolerated failure threshold was exceeded" } : { error: outcome.error, cause: outcome.cause };
      for (const index of phase.running) events.push(...(isMap ? [this.event(parent, "MapIterationAborted", { name: parent.state, index })] : []));
      events.push(this.event(parent, `${type}Failed`));
      await this.dropChildren(phase.prefix);
      return this.complete({ ...parent, phase }, { ok: false, error: error.error, cause: error.cause }, events);
    }
    if (phase.running.length === 0 && phase.nextIndex >= phase.total) {
      const results: Json[] = [];
      for (let index = 0; index < phase.total; index += 1) {
        const child = this.frames.get(`${phase.prefix}_${index}`)?.frame;
        results.push(child?.phase.kind === "done" && child.phase.outcome.ok ? child.phase.outcome.result : null);
      }
      events.push(this.event(parent, `${type}Succeeded`));
      await this.dropChildren(phase.prefix);
      return this.complete({ ...parent, phase }, { ok: true, result: results }, events);
    }
    await this.save({ ...parent, phase }, events);
    return this.fillChildren({ ...parent, phase });
  }

  /** Forgets every frame below a finished (or failed) Parallel or Map, with their timers and tokens. */
  private async dropChildren(prefix: string): Promise<void> {
    const below = [...this.frames.values()].filter(({ frame }) => frame.id.startsWith(`${prefix}_`));
    for (const { frame } of below) {
      this.frames.delete(frame.id);
      this.options.timers.clearPrefix(this.timerKey(frame.id));
      if (frame.phase.kind === "task" && frame.phase.token) await this.options.store.deleteToken(frame.phase.token);
    }
    await Promise.all(below.map(({ frame }) => this.options.store.deleteFrame(frame.id)));
  }

  private async end(end: ExecutionEnd): Promise<void> {
    if (this.finished) return;
    const recorded = await this.options.store.finish(end);
    this.stop();
    if (recorded) this.options.observer?.ended?.(end);
    await this.cleanUp();
    this.options.onDone?.();
  }

  private async cleanUp(): Promise<void> {
    const all = [...this.frames.values()];
    this.frames.clear();
    for (const { frame } of all) if (frame.phase.kind === "task" && frame.phase.token) await this.options.store.deleteToken(frame.phase.token);
    await Promise.all(all.map(({ frame }) => this.options.store.deleteFrame(frame.id)));
  }
}
