// The leading scheduler's Step Functions work (a LeaderTask): it resumes every running standard execution
// from KV when it starts leading, drives each with an ExecutionDriver, hears the frontend's news
// (`lambent.sfn.wake`: started, stopped, a task token answered), and runs express executions in memory
// for StartSyncExecution (`lambent.sfn.sync`). Deposed, it drops everything: the next leader resumes
// from what KV and the history stream hold.
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import type { JetStreamClient } from "@nats-io/jetstream";
import { QueueGroups, Subjects, encodeJson, parseJson } from "@lambent/protocol";
import { isObject, parseDefinition, type Json, type StateMachine } from "@lambent/states-language";
import { appendHistory, executionEndEvent, executionStartedEvent, hasHistory, type ExecutionRecord, type StoredHistoryEvent, type SyncExecutionRequest, type SyncExecutionResult, type WorkflowStore } from "@lambent/workflow-store";
import type { Logger } from "@lambent/telemetry";
import type { LeaderTask } from "../leader-task.js";
import { SerialByKey } from "../serial-by-key.js";
import { DueTimers } from "./due-timers.js";
import { ExecutionDriver, type DriverStore, type ExecutionEnd, type TaskCalls } from "./execution-driver.js";
import { workflowObserver, type WorkflowMetrics } from "./workflow-observer.js";
import type { ItemSource } from "./item-source.js";

/** How long a step that failed (NATS unreachable) waits before the execution is resumed from NATS. */
const RESUME_DELAY_MS = 1_000;

/**
 * How often the leader looks again at every running execution: one it does not drive is resumed, and
 * the ones it drives look at their task tokens. A wake is a core NATS message, so this catches a lost one.
 */
const SWEEP_INTERVAL_MS = 30_000;

/** The longest an express execution runs, as in AWS. */
export const EXPRESS_MAX_SECONDS = 300;

export interface WorkflowRunnerOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  store: WorkflowStore;
  calls: TaskCalls;
  /** Where Map states' ItemReaders read their items. */
  items: ItemSource;
  metrics: WorkflowMetrics;
  logger: Logger;
  region: string;
  now?: () => number;
}

export class WorkflowRunner implements LeaderTask {
  readonly name = "workflow runner";
  private readonly drivers = new Map<string, ExecutionDriver>();
  private readonly timers: DueTimers;
  private readonly serial: SerialByKey;
  private subscriptions: Subscription[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private leading = false;
  private readonly now: () => number;

  constructor(private readonly options: WorkflowRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.timers = new DueTimers(this.now);
    this.serial = new SerialByKey((key, error) => {
      options.logger.warn("workflow execution could not be resumed now: trying again", { execution: key, err: error });
      this.wakeLater(key);
    });
  }

  get running(): boolean {
    return this.leading;
  }

  /** Executions this scheduler drives now. */
  get active(): number {
    return this.drivers.size;
  }

  async start(): Promise<void> {
    this.leading = true;
    const { nc, logger } = this.options;
    this.subscriptions = [
      nc.subscribe(Subjects.workflowWake, {
        callback: (error, msg) => {
          if (error) return;
          const wake = parseJson(msg.data);
          if (isObject(wake) && typeof wake["executionKey"] === "string") this.wake(wake["executionKey"]);
        },
      }),
      nc.subscribe(Subjects.workflowSync, {
        queue: QueueGroups.schedulers,
        callback: (error, msg) => {
          if (!error) void this.runSync(msg).catch((failure: unknown) => logger.error("express execution failed to run", { err: failure }));
        },
      }),
    ];
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref?.();
  }

  /** Wakes every running execution; a listing that fails (NATS away) is tried again at the next sweep. */
  private async sweep(): Promise<void> {
    if (!this.leading) return;
    try {
      for (const key of await this.options.store.runningExecutions()) this.wake(key);
    } catch (error) {
      this.options.logger.warn("running workflow executions could not be listed: trying again", { err: error });
      setTimeout(() => void this.sweep(), RESUME_DELAY_MS).unref?.();
    }
  }

  async stop(): Promise<void> {
    this.leading = false;
    clearInterval(this.sweeper);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    for (const driver of this.drivers.values()) driver.stop();
    this.drivers.clear();
    this.timers.clearAll();
    await this.serial.settled();
  }

  /** Resumes an execution from NATS after a moment (a step or a read failed). */
  private wakeLater(key: string): void {
    setTimeout(() => {
      if (this.leading) this.wake(key);
    }, RESUME_DELAY_MS).unref?.();
  }

  /** Something happened to an execution (or this leader starts): drive it, stop it, or look at its tokens. */
  wake(key: string): void {
    void this.serial.run(key, async () => {
      if (!this.leading) return;
      const found = await this.options.store.getExecution(key);
      const driver = this.drivers.get(key);
      if (!found || found.record.status !== "RUNNING") {
        if (driver) {
          this.drivers.delete(key);
          await driver.discard();
          if (found?.record.status === "ABORTED") this.options.metrics.count("STANDARD", "aborted");
        } else if (found) {
          await this.recordEnd(key, found.record);
          for (const { frame } of await this.options.store.frames(key)) await this.options.store.deleteFrame(key, frame.id);
        }
        await this.options.store.clearRunning(key);
        return;
      }
      if (driver) {
        driver.tokensChanged();
        return;
      }
      await this.resume(key, found.record);
    });
  }

  private async resume(key: string, record: ExecutionRecord): Promise<void> {
    const parsed = parseDefinition(record.definition);
    const frames = await this.options.store.frames(key);
    if (frames.length === 0) {
      this.options.metrics.count("STANDARD", "started");
      // The frontend may have died between storing the execution and its first event, or its mark.
      await this.options.store.markRunning(key);
      if (!(await hasHistory(this.options.nc, key))) await appendHistory(this.options.js, key, [executionStartedEvent(record)], [`${key}:start`]);
    }
    const driver = this.driver(key, record, parsed.ok ? parsed.machine : undefined, new KvDriverStore(this.options, key), "STANDARD");
    if (!driver) return;
    this.drivers.set(key, driver);
    driver.resume(frames, parsed.ok ? parsed.machine.timeoutSeconds : undefined);
  }

  private driver(key: string, record: ExecutionRecord, machine: StateMachine | undefined, store: DriverStore, type: "STANDARD" | "EXPRESS", onDone?: () => void): ExecutionDriver | undefined {
    if (!machine) {
      void store.finish({ status: "FAILED", error: "States.Runtime", cause: "The execution's definition is not valid" });
      return undefined;
    }
    let input: Json;
    try {
      input = JSON.parse(record.input) as Json;
    } catch {
      input = {};
    }
    return new ExecutionDriver({
      execution: { key, arn: record.executionArn, name: record.name, stateMachineArn: record.stateMachineArn, stateMachineName: record.stateMachine, roleArn: record.roleArn, input, startDate: record.startDate, machine, region: this.options.region },
      store,
      calls: this.options.calls,
      items: this.options.items,
      timers: this.timers,
      logger: this.options.logger,
      observer: workflowObserver({ executionArn: record.executionArn, ...(record.traceparent ? { traceparent: record.traceparent } : {}), type, metrics: this.options.metrics }),
      now: this.now,
      onDone: () => {
        if (this.drivers.get(key)?.done) this.drivers.delete(key);
        onDone?.();
      },
      onFailed: () => {
        if (type === "EXPRESS") {
          void store.finish({ status: "FAILED", error: "States.Runtime", cause: "The express execution could not go on" });
          return;
        }
        this.drivers.delete(key);
        this.wakeLater(key);
      },
    });
  }

  /** An execution that ended before its end event was stored (a crash in between): store it now. */
  private async recordEnd(key: string, record: ExecutionRecord): Promise<void> {
    const event = executionEndEvent(record);
    if (event) await appendHistory(this.options.js, key, [event], [`${key}:end`]);
  }

  /** StartSyncExecution: the whole execution in memory, answered on the request's reply subject. */
  private async runSync(msg: Msg): Promise<void> {
    const request = parseJson(msg.data) as SyncExecutionRequest;
    const parsed = parseDefinition(request.stateMachine.definition);
    const startDate = this.now();
    const answer = (result: SyncExecutionResult): void => {
      msg.respond(encodeJson(result));
    };
    if (!parsed.ok) {
      answer({ status: "FAILED", error: "States.Runtime", cause: "The state machine's definition is not valid", startDate, stopDate: this.now() });
      return;
    }
    this.options.metrics.count("EXPRESS", "started");
    const record: ExecutionRecord = {
      executionArn: request.executionArn,
      stateMachineArn: request.stateMachine.arn,
      stateMachine: request.stateMachine.name,
      name: request.name,
      status: "RUNNING",
      input: request.input,
      startDate,
      definition: request.stateMachine.definition,
      roleArn: request.stateMachine.roleArn,
      revisionId: request.stateMachine.revisionId,
      ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    };
    const ended = new Promise<ExecutionEnd>((resolve) => {
      const store = new MemoryDriverStore(resolve);
      const key = `express/${request.executionArn}`;
      const driver = this.driver(key, record, parsed.machine, store, "EXPRESS");
      const limit = Math.min(parsed.machine.timeoutSeconds ?? EXPRESS_MAX_SECONDS, EXPRESS_MAX_SECONDS);
      driver?.resume([], limit);
    });
    const end = await ended;
    answer({ ...end, startDate, stopDate: this.now() } as SyncExecutionResult);
  }
}

/** A standard execution's frames, tokens and history in NATS. */
class KvDriverStore implements DriverStore {
  constructor(
    private readonly options: WorkflowRunnerOptions,
    private readonly key: string,
  ) {}

  saveFrame(frame: Parameters<DriverStore["saveFrame"]>[0], revision: number) {
    return this.options.store.saveFrame(this.key, frame, revision);
  }
  deleteFrame(frameId: string) {
    return this.options.store.deleteFrame(this.key, frameId);
  }
  history(events: StoredHistoryEvent[], ids: string[]) {
    return appendHistory(this.options.js, this.key, events, ids.map((id) => `${this.key}:${id}`));
  }
  putToken(record: Parameters<DriverStore["putToken"]>[0]) {
    return this.options.store.putToken(record);
  }
  getToken(token: string) {
    return this.options.store.getToken(token);
  }
  deleteToken(token: string) {
    return this.options.store.deleteToken(token);
  }
  async finish(end: ExecutionEnd): Promise<boolean> {
    const stopDate = (this.options.now ?? Date.now)();
    const { written } = await this.options.store.updateExecution(this.key, (current) =>
      current && current.status === "RUNNING"
        ? { ...current, status: end.status, stopDate, ...(end.status === "SUCCEEDED" ? { output: end.output } : { error: end.error, cause: end.cause }) }
        : undefined,
    );
    if (written) {
      const event = executionEndEvent(written, stopDate);
      if (event) await appendHistory(this.options.js, this.key, [event], [`${this.key}:end`]);
    }
    await this.options.store.clearRunning(this.key);
    return written !== undefined;
  }
}

/** An express execution keeps nothing: its frames live in the driver and its tokens here. */
class MemoryDriverStore implements DriverStore {
  private readonly tokens = new Map<string, Parameters<DriverStore["putToken"]>[0]>();
  private revision = 0;
  constructor(private readonly ended: (end: ExecutionEnd) => void) {}

  async saveFrame(): Promise<number> {
    this.revision += 1;
    return this.revision;
  }
  async deleteFrame(): Promise<void> {}
  async history(): Promise<void> {}
  async putToken(record: Parameters<DriverStore["putToken"]>[0]): Promise<void> {
    this.tokens.set(record.token, record);
  }
  async getToken(token: string) {
    return this.tokens.get(token);
  }
  async deleteToken(token: string): Promise<void> {
    this.tokens.delete(token);
  }
  async finish(end: ExecutionEnd): Promise<boolean> {
    this.ended(end);
    return true;
  }
}

