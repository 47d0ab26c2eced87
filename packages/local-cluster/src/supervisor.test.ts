import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "@lambent/testkit";
import { onceExited, stopProcess } from "./process-control.js";
import { RestartBackoff, Supervisor, describeSupervisionEvent, type Launched, type SupervisionEvent } from "./supervisor.js";

describe("the restart back-off", () => {
  it("doubles from the first delay with each end in a row, up to the most", () => {
    const backoff = new RestartBackoff({ firstDelayMs: 250, maxDelayMs: 30_000, stableAfterMs: 60_000 });
    expect(Array.from({ length: 10 }, () => backoff.next(10))).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("starts over after a process ran long enough to count as stable", () => {
    const backoff = new RestartBackoff({ firstDelayMs: 250, maxDelayMs: 30_000, stableAfterMs: 60_000 });
    expect([backoff.next(0), backoff.next(59_999), backoff.next(60_000), backoff.next(5)]).toEqual([250, 500, 250, 500]);
  });
});

describe("describeSupervisionEvent", () => {
  it("says how a process ended and when it starts again", () => {
    expect(describeSupervisionEvent({ kind: "exited", code: null, signal: "SIGKILL", restartInMs: 500 })).toBe("exited (signal SIGKILL); restarting in 500 ms");
    expect(describeSupervisionEvent({ kind: "exited", code: 1, signal: null, restartInMs: 250 })).toBe("exited (code 1); restarting in 250 ms");
    expect(describeSupervisionEvent({ kind: "restarted" })).toBe("restarted");
    expect(describeSupervisionEvent({ kind: "restartFailed", error: new Error("port taken\nmore"), restartInMs: 1000 })).toBe(
      "did not start again (port taken); retrying in 1000 ms",
    );
  });
});

describe("a supervisor", () => {
  const policy = { firstDelayMs: 20, maxDelayMs: 80, stableAfterMs: 60_000 };
  const children: Launched[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
  });

  /** A process that runs until it is told to stop. */
  function sleeper(): Launched {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 60_000)"], { stdio: "ignore" });
    const launched = { process: child, stop: () => stopProcess(child, "SIGTERM") };
    children.push(launched);
    return launched;
  }

  it("starts a process that was killed again, after the back-off, and reports both", async () => {
    const events: SupervisionEvent[] = [];
    const supervisor = new Supervisor(sleeper(), async () => sleeper(), policy, (event) => events.push(event));
    const first = supervisor.running.process;
    first.kill("SIGKILL");
    await eventually(() => supervisor.running.process !== first, { deadline: 10_000, message: "the killed process was never replaced" });
    expect(events).toEqual([{ kind: "exited", code: null, signal: "SIGKILL", restartInMs: 20 }, { kind: "restarted" }]);
    const second = supervisor.running.process;
    second.kill("SIGKILL");
    await eventually(() => supervisor.running.process !== second, { deadline: 10_000, message: "the second process was never replaced" });
    expect(events[2]).toMatchObject({ kind: "exited", restartInMs: 40 });
    await supervisor.stop();
    expect(supervisor.running.process.exitCode ?? supervisor.running.process.signalCode).not.toBeNull();
  });

  it("tries a restart that fails again, with a growing wait", async () => {
    const events: SupervisionEvent[] = [];
    let attempts = 0;
    const supervisor = new Supervisor(
      sleeper(),
      async () => {
        attempts += 1;
        if (attempts < 3) throw new Error(`no luck ${attempts}`);
        return sleeper();
      },
      policy,
      (event) => events.push(event),
    );
    supervisor.running.process.kill("SIGKILL");
    await eventually(() => events.some((event) => event.kind === "restarted"), { deadline: 10_000, message: "the process never came back" });
    expect(events.map((event) => [event.kind, "restartInMs" in event ? event.restartInMs : undefined])).toEqual([
      ["exited", 20],
      ["restartFailed", 40],
      ["restartFailed", 80],
      ["restarted", undefined],
    ]);
    await supervisor.stop();
  });

  it("starts nothing again once halted, and aborts a start under way when stopped", async () => {
    const events: SupervisionEvent[] = [];
    const halted = new Supervisor(sleeper(), async () => sleeper(), policy, (event) => events.push(event));
    halted.halt();
    const process = halted.running.process;
    process.kill("SIGKILL");
    await onceExited(process);
    expect(events).toEqual([]);

    let launching = false;
    let aborted = false;
    const starting = new Supervisor(
      sleeper(),
      (signal) =>
        new Promise<Launched>((_resolve, reject) => {
          launching = true;
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          });
        }),
      policy,
      (event) => events.push(event),
    );
    starting.running.process.kill("SIGKILL");
    // Past the back-off, the restart is under way and would wait for ever; stopping gives it up.
    await eventually(() => launching, { deadline: 10_000, message: "no restart was started" });
    await starting.stop();
    expect(aborted).toBe(true);
    expect(events).toEqual([{ kind: "exited", code: null, signal: "SIGKILL", restartInMs: 20 }]);
  });
});
