// Tracing overhead: warm sync invokes over HTTP on two fresh clusters started side by side, one untraced
// (no endpoint) and one that samples every call and exports OTLP/HTTP to a sink in this process that reads
// and discards it. Rounds alternate between them, so both are as warm and see the same machine. Besides
// throughput, each round reads from /proc the CPU every service spent per call: on a shared machine the
// rate moves with other work, the CPU per call much less.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { httpRound } from "../load/http-load.js";
import { processCpuSeconds, treeCpuSeconds } from "../machine-load.js";
import { combineRounds, spread, type LoadResult, type LoadRound, type Spread } from "../stats.js";
import { HELLO_FOLDER, deployFunction, startLambent, zipFolder, type LambentTarget } from "../targets/lambent.js";

/** The services whose CPU per call is read: the worker counts with its sandbox processes. */
export const TRACED_SERVICES = ["frontend", "worker", "scheduler", "nats"] as const;
export type TracedService = (typeof TRACED_SERVICES)[number];

/** Microseconds of CPU per call, by service, median over rounds. */
export type CpuPerCall = Record<TracedService, Spread>;

export interface TracingOverheadResult {
  concurrency: number;
  off: LoadResult;
  sampledAll: LoadResult;
  offCpu?: CpuPerCall;
  sampledAllCpu?: CpuPerCall;
  /** OTLP export requests the sink received during the traced run (0 would mean nothing was traced). */
  exportRequests: number;
  /** Throughput lost to tracing at 100% sampling, in percent of the untraced median. */
  throughputCostPercent: number;
  /** CPU per call added by tracing, all services together, in percent of the untraced calls'. */
  cpuCostPercent?: number;
}

export interface TracingOverheadOptions {
  concurrency: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
}

const BODY = '{"name":"bench"}';

interface Side {
  target: LambentTarget;
  url: string;
  rounds: LoadRound[];
  cpu: Record<TracedService, number>[];
}

export async function tracingOverhead(options: TracingOverheadOptions): Promise<TracingOverheadResult> {
  const sink = await startDiscardingSink();
  const started: LambentTarget[] = [];
  try {
    const side = async (env: Record<string, string>): Promise<Side> => {
      const target = await startLambent(env);
      started.push(target);
      const fn = await deployFunction(target.httpUrl, "bench-traced", zipFolder(HELLO_FOLDER));
      return { target, url: `${target.httpUrl}/2015-03-31/functions/${fn.name}/invocations`, rounds: [], cpu: [] };
    };
    const off = await side({});
    const traced = await side({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_TRACES_SAMPLER: "always_on", OTEL_BSP_SCHEDULE_DELAY: "200" });
    const load = { body: BODY, connections: options.concurrency, durationSeconds: options.durationSeconds, warmupSeconds: 0 };
    for (const { url } of [off, traced]) await httpRound({ ...load, url, durationSeconds: options.warmupSeconds });
    for (let round = 0; round < options.rounds; round++) {
      for (const measured of [off, traced]) {
        const before = serviceCpuSeconds(measured.target);
        const result = await httpRound({ ...load, url: measured.url });
        const after = serviceCpuSeconds(measured.target);
        const calls = result.requestsPerSecond * options.durationSeconds;
        measured.rounds.push(result);
        measured.cpu.push(perCall(before, after, calls));
      }
    }
    const offCpu = medians(off.cpu);
    const sampledAllCpu = medians(traced.cpu);
    const total = (cpu: CpuPerCall): number => TRACED_SERVICES.reduce((sum, service) => sum + cpu[service].median, 0);
    const offLoad = combineRounds(off.rounds);
    const sampledAll = combineRounds(traced.rounds);
    const off50 = offLoad.requestsPerSecond.median;
    return {
      concurrency: options.concurrency,
      off: offLoad,
      sampledAll,
      offCpu,
      sampledAllCpu,
      exportRequests: sink.requests(),
      throughputCostPercent: off50 > 0 ? (1 - sampledAll.requestsPerSecond.median / off50) * 100 : 0,
      cpuCostPercent: (total(sampledAllCpu) / total(offCpu) - 1) * 100,
    };
  } finally {
    for (const target of started) await target.stop();
    await sink.close();
  }
}

function serviceCpuSeconds(target: LambentTarget): Record<TracedService, number> {
  const { cluster } = target;
  const sum = (pids: (number | undefined)[], read: (pid: number) => number): number => pids.reduce<number>((total, pid) => total + (pid ? read(pid) || 0 : 0), 0);
  return {
    frontend: sum(cluster.frontends.map((service) => service.process.pid), processCpuSeconds),
    worker: sum(cluster.workers.map((service) => service.process.pid), treeCpuSeconds),
    scheduler: sum(cluster.schedulers.map((service) => service.process.pid), processCpuSeconds),
    nats: sum([cluster.nats?.process.pid], processCpuSeconds),
  };
}

function perCall(before: Record<TracedService, number>, after: Record<TracedService, number>, calls: number): Record<TracedService, number> {
  const micros = (service: TracedService): number => (calls > 0 ? ((after[service] - before[service]) / calls) * 1e6 : Number.NaN);
  return { frontend: micros("frontend"), worker: micros("worker"), scheduler: micros("scheduler"), nats: micros("nats") };
}

function medians(rounds: Record<TracedService, number>[]): CpuPerCall {
  const of = (service: TracedService): Spread => spread(rounds.map((round) => round[service]));
  return { frontend: of("frontend"), worker: of("worker"), scheduler: of("scheduler"), nats: of("nats") };
}

/** An OTLP/HTTP endpoint that reads each export in full and answers success. */
async function startDiscardingSink(): Promise<{ endpoint: string; requests(): number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      requests++;
      response.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
