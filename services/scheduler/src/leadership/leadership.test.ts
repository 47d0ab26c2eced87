import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { createLogger } from "@lambent/telemetry";
import { Leadership } from "./leadership.js";

let dir: string;
let server: RunningNatsServer;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lambent-leadership-"));
  server = await startNatsServer({ storeDir: dir });
});

afterAll(async () => {
  for (const nc of connections) if (!nc.isClosed()) await nc.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const logger = createLogger({ service: "scheduler", level: "error" });

async function bucket(name: string): Promise<{ nc: NatsConnection; kv: KV }> {
  const nc = await connect({ servers: server.url });
  connections.push(nc);
  return { nc, kv: await new Kvm(nc).create(name, { history: 1 }) };
}

/** A candidate whose elections and deposals are recorded in one shared timeline. */
function candidate(kv: KV, schedulerId: string, timeline: string[]) {
  let elected: (term: number) => void = () => {};
  const electedOnce = new Promise<number>((resolve) => (elected = resolve));
  let deposed: () => void = () => {};
  const deposedOnce = new Promise<void>((resolve) => (deposed = resolve));
  const leadership = new Leadership({
    kv,
    schedulerId,
    renewMs: 50,
    timeoutMs: 400,
    logger,
    onElected: (term) => {
      timeline.push(`${schedulerId} elected`);
      elected(term);
    },
    onDeposed: () => {
      timeline.push(`${schedulerId} deposed`);
      deposed();
    },
  });
  return { leadership, electedOnce, deposedOnce };
}

describe("scheduler leadership", () => {
  it("elects one leader, and a standby takes over at once when the leader hands back", async () => {
    const { kv } = await bucket("lead_a");
    const timeline: string[] = [];
    const first = candidate(kv, "one", timeline);
    first.leadership.start();
    const firstTerm = await first.electedOnce;
    const second = candidate(kv, "two", timeline);
    second.leadership.start();
    await first.leadership.stop();
    const secondTerm = await second.electedOnce;
    expect(secondTerm).toBeGreaterThan(firstTerm);
    expect(timeline).toEqual(["one elected", "one deposed", "two elected"]);
    await second.leadership.stop();
  });

  it("fences a leader that cannot renew before a standby takes over", async () => {
    const timeline: string[] = [];
    const cut = await bucket("lead_b");
    const other = await bucket("lead_b");
    const leader = candidate(cut.kv, "cut-off", timeline);
    leader.leadership.start();
    await leader.electedOnce;
    const standby = candidate(other.kv, "standby", timeline);
    standby.leadership.start();
    // The leader loses NATS: it can no longer renew, so it must step down before the standby claims.
    await cut.nc.close();
    await standby.electedOnce;
    await leader.deposedOnce;
    expect(timeline).toEqual(["cut-off elected", "cut-off deposed", "standby elected"]);
    await standby.leadership.stop();
    await leader.leadership.stop();
  });

  it("a leader that hands over stands back: a standby takes over at once", async () => {
    const { kv } = await bucket("lead_c");
    const timeline: string[] = [];
    const first = candidate(kv, "one", timeline);
    first.leadership.start();
    await first.electedOnce;
    const second = candidate(kv, "two", timeline);
    second.leadership.start();
    await first.leadership.handOver(60_000);
    await second.electedOnce;
    expect(timeline).toEqual(["one elected", "one deposed", "two elected"]);
    await second.leadership.stop();
    await first.leadership.stop();
  });

  it("claims again what nobody took after standing back, and then keeps the leadership rather than leave none", async () => {
    const { kv } = await bucket("lead_d");
    const timeline: string[] = [];
    const alone = candidate(kv, "alone", timeline);
    alone.leadership.start();
    await alone.electedOnce;
    await alone.leadership.handOver(100);
    await expect.poll(() => timeline, { timeout: 10_000 }).toEqual(["alone elected", "alone deposed", "alone elected"]);
    await alone.leadership.handOver(100);
    expect(alone.leadership.leading).toBe(true);
    expect(timeline).toEqual(["alone elected", "alone deposed", "alone elected"]);
    await alone.leadership.stop();
  });
});
