// The schedule runner on a real nats-server, with a stand-in for the event queue: on takeover it fires
// only the latest missed tick, and its compare-and-set keeps a deposed leader from recording over the
// tick a newer leader recorded.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { readTriggerState, triggerStateKey, writeTriggerState, type ScheduleSource, type TriggerRecord } from "@lambent/registry/triggers";
import { createLogger } from "@lambent/telemetry";
import { ScheduleRunner } from "./schedule-runner.js";
import type { FiringOptions } from "./trigger-firing.js";

let server: RunningNatsServer;
let dir: string;
let nc: NatsConnection;
let kv: KV;

const scope = { region: "us-east-1", accountId: "000000000000" };
const logger = createLogger({ service: "test", level: "error" });
const START = Date.parse("2024-01-01T00:00:00Z");
const MINUTE = 60_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "schedule-runner-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
  kv = await new Kvm(nc).create("schedule_runner_test", { history: 1 });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function trigger(name: string): TriggerRecord & { source: ScheduleSource } {
  return {
    name,
    functionName: "fn",
    qualifier: "$LATEST",
    enabled: true,
    description: "",
    createdAt: START,
    lastModified: START,
    source: { type: "schedule", expression: "rate(1 minute)", timezone: "UTC", start: START },
  };
}

/** Records each firing's dedup key; `gate` (when set) holds a firing until it resolves. */
function recordingFirer(gate?: Promise<void>) {
  const fired: string[] = [];
  let firstFired: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (firstFired = resolve));
  return {
    fired,
    first,
    async fire(_trigger: TriggerRecord, _payload: Uint8Array, options: FiringOptions = {}) {
      fired.push(options.dedupKey ?? "");
      firstFired();
      await gate;
      return "enqueued" as const;
    },
  };
}

/** Resolves once the trigger's state records `tick`. */
async function recorded(name: string, tick: number): Promise<void> {
  for await (const entry of await kv.watch({ key: triggerStateKey(name) })) {
    if (entry.operation === "PUT" && (JSON.parse(entry.string()) as { lastTick: number }).lastTick === tick) return;
  }
}

describe("schedule runner", () => {
  it("fires only the latest tick missed while no leader ran, once, then waits for the next", async () => {
    await writeTriggerState(kv, "missed", { lastTick: START + MINUTE, firedAt: START + MINUTE }, 0);
    const firer = recordingFirer();
    const runner = new ScheduleRunner({ trigger: trigger("missed"), kv, firer, scope, logger, now: () => START + 10 * MINUTE + 30_000 });
    const done = recorded("missed", START + 10 * MINUTE);
    runner.start();
    await done;
    await runner.stop();
    expect(firer.fired).toEqual([`trigger:missed:${START + 10 * MINUTE}`]);
  });

  it("lets a deposed leader's record fail: the newer leader's tick stays", async () => {
    let release: () => void = () => undefined;
    const deposed = recordingFirer(new Promise<void>((resolve) => (release = resolve)));
    const leader = recordingFirer();
    // The deposed leader reads the empty state and starts firing 00:05, held in its enqueue.
    const old = new ScheduleRunner({ trigger: trigger("race"), kv, firer: deposed, scope, logger, now: () => START + 5 * MINUTE + 1_000 });
    old.start();
    await deposed.first;
    // The new leader, later, fires and records 00:06.
    const fresh = new ScheduleRunner({ trigger: trigger("race"), kv, firer: leader, scope, logger, now: () => START + 6 * MINUTE + 1_000 });
    const newer = recorded("race", START + 6 * MINUTE);
    fresh.start();
    await newer;
    await fresh.stop();
    // The deposed leader's enqueue completes; its compare-and-set fails and it finds 00:06 recorded.
    release();
    await old.stop();
    expect(deposed.fired).toEqual([`trigger:race:${START + 5 * MINUTE}`]);
    expect(leader.fired).toEqual([`trigger:race:${START + 6 * MINUTE}`]);
    expect((await readTriggerState(kv, "race")).state?.lastTick).toBe(START + 6 * MINUTE);
  });
});
