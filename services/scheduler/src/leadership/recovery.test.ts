import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "@lambent/telemetry";
import { LeaderRecovery } from "./recovery.js";

/** A recovery whose hooks write to one timeline, with the log lines it writes kept by message. */
function recovery(knownWorkers: string[], workerTimeoutMs = 10_000) {
  const timeline: string[] = [];
  const logged: { msg: string; [field: string]: unknown }[] = [];
  let adopted = 0;
  const subject = new LeaderRecovery({
    knownWorkers: () => knownWorkers,
    requestReports: (term) => timeline.push(`report ${term}`),
    forgetCalls: () => timeline.push("forget"),
    lead: () => timeline.push("lead"),
    standDown: () => timeline.push("stand down"),
    adoptedCalls: () => adopted,
    workerTimeoutMs,
    logger: createLogger({ service: "scheduler", level: "info", write: (line) => logged.push(JSON.parse(line) as { msg: string }) }),
  });
  return { recovery: subject, timeline, logged, adopt: (calls: number) => (adopted = calls) };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("leader recovery", () => {
  it("stands by until elected", () => {
    const { recovery: subject } = recovery(["a"]);
    expect(subject.role).toBe("standby");
    expect(subject.term).toBe(0);
  });

  it("leads at once when it knows no worker", () => {
    const { recovery: subject, timeline } = recovery([]);
    subject.elected(3);
    expect(subject.role).toBe("leader");
    expect(subject.term).toBe(3);
    expect(timeline).toEqual(["forget", "lead"]);
  });

  it("asks the workers to report and leads once every worker it knows has", () => {
    const { recovery: subject, timeline, logged, adopt } = recovery(["a", "b"]);
    subject.elected(3);
    expect(subject.role).toBe("recovering");
    expect(subject.term).toBe(3);
    expect(timeline).toEqual(["forget", "report 3"]);
    subject.reported("a");
    // A worker it did not know of when elected is not waited for.
    subject.reported("newcomer");
    expect(subject.role).toBe("recovering");
    adopt(4);
    subject.reported("b");
    expect(subject.role).toBe("leader");
    expect(timeline).toEqual(["forget", "report 3", "lead"]);
    expect(logged.find(({ msg }) => msg === "scheduler leading")).toMatchObject({ term: 3, workers: 2, adoptedCalls: 4 });
    // Later heartbeats are not reports: it leads once.
    subject.reported("a");
    vi.runAllTimers();
    expect(timeline).toEqual(["forget", "report 3", "lead"]);
  });

  it("leads without the silent workers' reports after at most 2 s", () => {
    const { recovery: subject, timeline, logged } = recovery(["a", "silent"]);
    subject.elected(3);
    subject.reported("a");
    vi.advanceTimersByTime(1_999);
    expect(subject.role).toBe("recovering");
    vi.advanceTimersByTime(1);
    expect(subject.role).toBe("leader");
    expect(timeline).toEqual(["forget", "report 3", "lead"]);
    expect(logged.find(({ msg }) => msg === "workers did not report before admitting calls")).toMatchObject({ workers: ["silent"] });
  });

  it("waits no longer than the worker timeout when that is shorter", () => {
    const { recovery: subject } = recovery(["silent"], 500);
    subject.elected(3);
    vi.advanceTimersByTime(499);
    expect(subject.role).toBe("recovering");
    vi.advanceTimersByTime(1);
    expect(subject.role).toBe("leader");
  });

  it("stands down and forgets when deposed, and a recovery cut short never leads", () => {
    const { recovery: subject, timeline } = recovery(["a"]);
    subject.elected(3);
    subject.deposed();
    expect(subject.role).toBe("standby");
    expect(subject.term).toBe(0);
    subject.reported("a");
    vi.runAllTimers();
    expect(timeline).toEqual(["forget", "report 3", "stand down", "forget"]);
  });

  it("recovers again when elected anew after being deposed", () => {
    const { recovery: subject, timeline } = recovery(["a"]);
    subject.elected(3);
    subject.reported("a");
    subject.deposed();
    subject.elected(5);
    expect(subject.role).toBe("recovering");
    subject.reported("a");
    expect(subject.role).toBe("leader");
    expect(subject.term).toBe(5);
    expect(timeline).toEqual(["forget", "report 3", "lead", "stand down", "forget", "forget", "report 5", "lead"]);
  });
});
