// A leader's tasks through NATS failing over: a start that fails is undone and tried again for as long as
// the term lasts, and nothing started for an ended term keeps running.
import { describe, expect, it } from "vitest";
import { createLogger } from "@lambent/telemetry";
import { LeaderTasks, type LeaderTask } from "./leader-task.js";

const quickRetry = { firstDelayMs: 1, maxDelayMs: 4 };

/** A task whose first `failures` starts fail; it records what was done to it. */
function flakyTask(failures: number) {
  const log: string[] = [];
  let running = false;
  let attempts = 0;
  let started!: () => void;
  const startedOnce = new Promise<void>((resolve) => (started = resolve));
  const task: LeaderTask = {
    name: "flaky",
    async start() {
      attempts++;
      log.push(`start ${attempts}`);
      if (attempts <= failures) throw new Error("TimeoutError");
      running = true;
      started();
    },
    async stop() {
      log.push("stop");
      running = false;
    },
  };
  return { task, log, startedOnce, isRunning: () => running, attempts: () => attempts };
}

function logged() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ service: "test", write: (line) => lines.push(line) }) };
}

describe("leader tasks", () => {
  it("stops a task that failed to start and starts it again until it runs", async () => {
    const { lines, logger } = logged();
    const flaky = flakyTask(2);
    const steady = flakyTask(0);
    const tasks = new LeaderTasks([flaky.task, steady.task], logger, quickRetry);
    tasks.start();
    await Promise.all([flaky.startedOnce, steady.startedOnce]);
    expect(flaky.log).toEqual(["start 1", "stop", "start 2", "stop", "start 3"]);
    expect(steady.log).toEqual(["start 1"]);
    expect(flaky.isRunning()).toBe(true);
    expect(lines.filter((line) => line.includes("leader task did not start"))).toHaveLength(2);
    await tasks.stop();
    expect(flaky.isRunning()).toBe(false);
  });

  it("gives up retrying when the term ends", async () => {
    const { logger } = logged();
    const flaky = flakyTask(Number.POSITIVE_INFINITY);
    const tasks = new LeaderTasks([flaky.task], logger, { firstDelayMs: 60_000, maxDelayMs: 60_000 });
    tasks.start();
    await expect.poll(() => flaky.log).toEqual(["start 1", "stop"]);
    await tasks.stop();
    // The retry that was waiting is gone: a new term starts from its first attempt's delay again.
    expect(flaky.attempts()).toBe(1);
  });

  it("stops a task whose start finished after its term ended", async () => {
    const { logger } = logged();
    let finishStart!: () => void;
    const log: string[] = [];
    const slow: LeaderTask = {
      name: "slow",
      start: () => new Promise<void>((resolve) => (finishStart = () => (log.push("started"), resolve()))),
      stop: async () => void log.push("stop"),
    };
    const tasks = new LeaderTasks([slow], logger, quickRetry);
    tasks.start();
    await tasks.stop();
    finishStart();
    await expect.poll(() => log).toEqual(["stop", "started", "stop"]);
  });

  it("reports an essential task that has failed to start for too long, once per term, and never another task", async () => {
    const { logger } = logged();
    let clock = 0;
    const failing = (name: string, essential: boolean): LeaderTask => ({
      name,
      essential,
      async start() {
        clock += 10_000;
        throw new Error("JetStream system temporarily unavailable");
      },
      async stop() {},
    });
    const stuck: string[] = [];
    const tasks = new LeaderTasks([failing("event runner", true), failing("triggers", false)], logger, quickRetry, { afterMs: 25_000, onStuck: (task) => stuck.push(task), now: () => clock });
    tasks.start();
    await expect.poll(() => stuck).toEqual(["event runner"]);
    const reportedAt = clock;
    await expect.poll(() => clock).toBeGreaterThan(reportedAt + 100_000);
    expect(stuck).toEqual(["event runner"]);
    await tasks.stop();
  });
});
