// Tracing overhead: warm sync invokes over HTTP on a cluster with tracing off (no endpoint) and on one
// that samples every call and exports OTLP/HTTP to a sink in this process that reads and discards it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { httpLoad } from "../load/http-load.js";
import type { LoadResult } from "../stats.js";
import { HELLO_FOLDER, deployFunction, startLambent, zipFolder, type LambentTarget } from "../targets/lambent.js";

export interface TracingOverheadResult {
  concurrency: number;
  off: LoadResult;
  sampledAll: LoadResult;
  /** OTLP export requests the sink received during the traced run (0 would mean nothing was traced). */
  exportRequests: number;
  /** Throughput lost to tracing at 100% sampling, in percent of the untraced median. */
  throughputCostPercent: number;
}

export interface TracingOverheadOptions {
  concurrency: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
}

const BODY = '{"name":"bench"}';

/** `untraced` is the benchmark's main cluster (no OTLP endpoint); a traced one is started here. */
export async function tracingOverhead(untraced: LambentTarget, functionName: string, options: TracingOverheadOptions): Promise<TracingOverheadResult> {
  const load = { body: BODY, connections: options.concurrency, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds };
  const off = await httpLoad({ ...load, url: invokeUrl(untraced, functionName) }, options.rounds);

  const sink = await startDiscardingSink();
  const traced = await startLambent({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_TRACES_SAMPLER: "always_on", OTEL_BSP_SCHEDULE_DELAY: "200" });
  try {
    const fn = await deployFunction(traced.httpUrl, "bench-traced", zipFolder(HELLO_FOLDER));
    const sampledAll = await httpLoad({ ...load, url: invokeUrl(traced, fn.name) }, options.rounds);
    const off50 = off.requestsPerSecond.median;
    return {
      concurrency: options.concurrency,
      off,
      sampledAll,
      exportRequests: sink.requests(),
      throughputCostPercent: off50 > 0 ? (1 - sampledAll.requestsPerSecond.median / off50) * 100 : 0,
    };
  } finally {
    await traced.stop();
    await sink.close();
  }
}

function invokeUrl(target: LambentTarget, functionName: string): string {
  return `${target.httpUrl}/2015-03-31/functions/${functionName}/invocations`;
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
