// `npm run bench:leader [-- --quick]`: how far one leading scheduler goes. A real scheduler on a real
// nats-server; the cluster around it is simulated in this process: hundreds of workers that send
// heartbeats every second, answer every call placed on them at once and give its lease back (batched
// per turn, as workers do), and callers that ask the leader to admit calls of thousands of functions at
// a fixed rate (open loop, so a slow leader shows as latency and a shortfall, not as a slower client).
// For each cluster size and call rate: admission latency (ask → the placed worker's answer, two NATS
// hops and the leader), calls admitted per second, refusals, and the leader's CPU from /proc. The
// simulated cluster's own CPU is reported too: when it nears a core, it, not the leader, is the limit.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, startService } from "@lambent/local-cluster";
import {
  Subjects,
  decodeInvocation,
  decodeInvocationResult,
  encodeInvocation,
  encodeInvocationResult,
  encodeJson,
  environmentKey,
  type LeaseRelease,
  type WorkerHeartbeat,
} from "@lambent/protocol";
import { machineCpuSeconds, processCpuSeconds } from "./machine-load.js";
import { machineFacts } from "./report.js";
import { percentile } from "./stats.js";

export interface LeaderPoint {
  workers: number;
  functions: number;
  /** Calls asked for per second. */
  offeredPerSecond: number;
  /** Calls answered by their worker per second. */
  admittedPerSecond: number;
  refused: number;
  /** Asked but not answered when the step ended. */
  unanswered: number;
  p50Ms: number;
  p99Ms: number;
  /** The leader's CPU over the step, in cores. */
  leaderCores: number;
  /** This process's CPU (the simulated workers and callers), in cores. */
  simulatorCores: number;
  /** nats-server's CPU, in cores. */
  natsCores: number;
  /** The machine's CPU outside these three processes, in cores (other work on a shared machine). */
  otherCores: number;
}

const TICK_MS = 10;
const HEARTBEAT_MS = 1_000;
const MEMORY_PER_WORKER_MB = 1_000_000;

/** Workers that take every call placed on them, answer at once and give the lease back in one batch per turn. */
class SimulatedWorkers {
  private readonly releases = new Map<string, LeaseRelease[]>();
  private flushScheduled = false;
  private readonly heartbeats: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    readonly ids: string[],
    functionNames: string[],
  ) {
    const answer = new TextEncoder().encode("null");
    for (const workerId of ids) {
      nc.subscribe(Subjects.workerInvoke(workerId), {
        callback: (_error, msg) => {
          const { header } = decodeInvocation(msg.data);
          if (msg.reply) msg.respond(encodeInvocationResult({ header: { requestId: header.requestId, executedVersion: header.version, workerId }, payload: answer }));
          if (header.lease) this.release(workerId, { term: header.lease.term, leaseId: header.lease.leaseId, idleEnvironment: environmentKey(header.functionName, header.version, header.revisionId) });
        },
      });
    }
    // Each worker holds a warm environment of its share of the functions.
    const idleOf = (index: number): Record<string, number> => {
      const idle: Record<string, number> = {};
      for (let f = index; f < functionNames.length; f += ids.length) idle[environmentKey(functionNames[f]!, "$LATEST", "rev")] = 1;
      return idle;
    };
    const beat = (): void => {
      ids.forEach((workerId, index) => {
        const heartbeat: WorkerHeartbeat = {
          workerId,
          memoryMb: MEMORY_PER_WORKER_MB,
          maxEnvironments: 100_000,
          environments: 0,
          busy: 0,
          busyMemoryMb: 0,
          idle: idleOf(index),
          provisioned: {},
          running: [],
          draining: false,
          node: "simulated",
        };
        nc.publish(Subjects.workerHeartbeat, encodeJson(heartbeat));
      });
    };
    beat();
    this.heartbeats = setInterval(beat, HEARTBEAT_MS);
  }

  stop(): void {
    clearInterval(this.heartbeats);
  }

  private release(workerId: string, release: LeaseRelease): void {
    let pending = this.releases.get(workerId);
    if (!pending) this.releases.set(workerId, (pending = []));
    pending.push(release);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const [id, releases] of this.releases) this.nc.publish(Subjects.schedulerRelease, encodeJson({ workerId: id, releases }));
      this.releases.clear();
    });
  }
}

/** Asks the leader for `rate` calls a second for `seconds`, spread over `functionNames`. */
async function offer(nc: NatsConnection, functionNames: string[], rate: number, seconds: number): Promise<{ latencies: number[]; refused: number; unanswered: number; elapsed: number }> {
  const latencies: number[] = [];
  let refused = 0;
  let outstanding = 0;
  let sequence = 0;
  const payload = new TextEncoder().encode("{}");
  const perTick = rate / (1000 / TICK_MS);
  let owed = 0;
  const started = performance.now();
  const ask = (): void => {
    const functionName = functionNames[sequence % functionNames.length]!;
    const frame = encodeInvocation({
      header: { requestId: `leader-${sequence++}`, functionName, qualifier: "$LATEST", version: "$LATEST", revisionId: "rev", invocationType: "RequestResponse", logType: "None" },
      payload,
    });
    const sent = performance.now();
    outstanding++;
    nc.request(Subjects.schedulerInvoke(functionName), frame, { timeout: 10_000 }).then(
      (reply) => {
        outstanding--;
        if (decodeInvocationResult(reply.data).header.failure) refused++;
        else latencies.push(performance.now() - sent);
      },
      () => {
        outstanding--;
        refused++;
      },
    );
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Open loop: what is due by now is sent now, whether or not earlier calls were answered.
      owed += perTick;
      for (; owed >= 1; owed--) ask();
      if (performance.now() - started >= seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const elapsed = (performance.now() - started) / 1000;
  // Answers still on their way are waited for briefly; what is still out then counts as unanswered.
  const drainUntil = performance.now() + 2_000;
  while (outstanding > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 20));
  return { latencies, refused, unanswered: outstanding, elapsed };
}

async function waitForLeader(nc: NatsConnection, functionName: string): Promise<void> {
  const frame = encodeInvocation({
    header: { requestId: "leader-probe", functionName, qualifier: "$LATEST", version: "$LATEST", revisionId: "rev", invocationType: "RequestResponse", logType: "None" },
    payload: new TextEncoder().encode("{}"),
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    const answered = await nc.request(Subjects.schedulerInvoke(functionName), frame, { timeout: 1_000 }).then(
      (reply) => !decodeInvocationResult(reply.data).header.failure,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("no scheduler led, or no simulated worker was placed on, within 30 s");
}

export interface LeaderPlan {
  clusters: { workers: number; functions: number }[];
  rates: number[];
  seconds: number;
  /** Node.js flags for the scheduler, e.g. `--cpu-prof` to profile the leader. */
  schedulerFlags?: string[];
}

export async function leaderScale(plan: LeaderPlan, log: (message: string) => void): Promise<LeaderPoint[]> {
  const storeDir = await mkdtemp(join(tmpdir(), "lambent-leader-bench-"));
  const nats = await startNatsServer({ storeDir });
  const points: LeaderPoint[] = [];
  try {
    for (const cluster of plan.clusters) {
      const scheduler = await startService({ name: "scheduler", env: { NATS_URL: nats.url, LAMBENT_SCHEDULER_ID: `leader-bench-${cluster.workers}`, LAMBENT_LOG_LEVEL: "warn" }, nodeFlags: plan.schedulerFlags ?? [] });
      const nc = await connect({ servers: nats.url });
      const functionNames = Array.from({ length: cluster.functions }, (_, i) => `fn-${i}`);
      const workers = new SimulatedWorkers(
        nc,
        Array.from({ length: cluster.workers }, (_, i) => `sim-${cluster.workers}-${i}`),
        functionNames,
      );
      try {
        await waitForLeader(nc, functionNames[0]!);
        for (const rate of plan.rates) {
          const pid = scheduler.process.pid!;
          const natsPid = nats.process.pid!;
          const leaderBefore = processCpuSeconds(pid);
          const natsBefore = processCpuSeconds(natsPid);
          const machineBefore = machineCpuSeconds();
          const selfBefore = process.cpuUsage();
          const result = await offer(nc, functionNames, rate, plan.seconds);
          const self = process.cpuUsage(selfBefore);
          const leaderSeconds = processCpuSeconds(pid) - leaderBefore;
          const natsSeconds = processCpuSeconds(natsPid) - natsBefore;
          const selfSeconds = (self.user + self.system) / 1e6;
          const machineSeconds = machineCpuSeconds() - machineBefore;
          const sorted = result.latencies.sort((a, b) => a - b);
          const point: LeaderPoint = {
            workers: cluster.workers,
            functions: cluster.functions,
            offeredPerSecond: rate,
            admittedPerSecond: Math.round(sorted.length / result.elapsed),
            refused: result.refused,
            unanswered: result.unanswered,
            p50Ms: percentile(sorted, 0.5),
            p99Ms: percentile(sorted, 0.99),
            leaderCores: leaderSeconds / result.elapsed,
            simulatorCores: selfSeconds / result.elapsed,
            natsCores: natsSeconds / result.elapsed,
            otherCores: Math.max(0, machineSeconds - leaderSeconds - natsSeconds - selfSeconds) / result.elapsed,
          };
          points.push(point);
          log(`${cluster.workers} workers, ${cluster.functions} functions, ${rate}/s offered: ${point.admittedPerSecond}/s admitted, p50 ${point.p50Ms.toFixed(2)} ms, p99 ${point.p99Ms.toFixed(2)} ms, leader ${point.leaderCores.toFixed(2)} cores, other work ${point.otherCores.toFixed(2)} cores`);
        }
      } finally {
        workers.stop();
        await nc.close();
        await scheduler.stop();
      }
    }
  } finally {
    await nats.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
  return points;
}

/** The leader's CPU per admitted call, in µs (refusals cost it CPU too, so this is an upper bound). */
function leaderMicros(point: LeaderPoint): string {
  return point.admittedPerSecond > 0 ? ((point.leaderCores / point.admittedPerSecond) * 1e6).toFixed(0) : "–";
}

export function leaderMarkdown(points: readonly LeaderPoint[]): string {
  const rows = points.map(
    (p) =>
      `| ${p.workers} | ${p.functions.toLocaleString("en-US")} | ${p.offeredPerSecond.toLocaleString("en-US")} | ${p.admittedPerSecond.toLocaleString("en-US")} | ${p.refused} | ${p.unanswered} | ${p.p50Ms.toFixed(2)} | ${p.p99Ms.toFixed(2)} | ${p.leaderCores.toFixed(2)} | ${leaderMicros(p)} | ${p.natsCores.toFixed(2)} | ${p.simulatorCores.toFixed(2)} | ${p.otherCores.toFixed(2)} |`,
  );
  return [
    "| workers | functions | offered /s | admitted /s | refused | unanswered | p50 ms | p99 ms | leader cores | leader µs per admitted call | nats-server cores | simulator cores | other work, cores |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

// Run as a script (not when imported by a test).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // --profile DIR writes a V8 CPU profile of each scheduler there (one per cluster size), to open in a browser's devtools.
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, out: { type: "string" }, profile: { type: "string" } } });
  const base: LeaderPlan = values.quick
    ? { clusters: [{ workers: 10, functions: 100 }], rates: [500], seconds: 1 }
    : {
        clusters: [
          { workers: 10, functions: 100 },
          { workers: 100, functions: 1_000 },
          { workers: 500, functions: 5_000 },
        ],
        rates: [1_000, 2_500, 5_000, 10_000, 20_000],
        seconds: 5,
      };
  const plan: LeaderPlan = values.profile ? { ...base, schedulerFlags: ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] } : base;
  const log = (message: string): void => console.error(`[bench:leader] ${message}`);
  const points = await leaderScale(plan, log);
  const machine = machineFacts();
  const markdown = `Run ${new Date().toISOString()} (${values.quick ? "quick" : "full"}) on ${machine.cores} cores (${machine.cpu}), commit ${machine.commit}.\n\n${leaderMarkdown(points)}\n`;
  const outDir = values.out ?? join(fileURLToPath(new URL("../../", import.meta.url)), "bench", "results");
  await mkdir(outDir, { recursive: true });
  const stem = `leader-${new Date().toISOString().replace(/[:.]/g, "-")}-${machine.commit}-${values.quick ? "quick" : "full"}`;
  await writeFile(join(outDir, `${stem}.md`), markdown);
  await writeFile(join(outDir, `${stem}.json`), JSON.stringify({ machine, plan, points }, null, 2) + "\n");
  console.log(markdown);
}
