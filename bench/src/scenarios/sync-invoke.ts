// Sync invoke of a hello-world function: Lambent over HTTP and gRPC next to a bare Node.js server and
// workerd serving the same handler, at several concurrencies.
import { grpcLoad } from "../load/grpc-load.js";
import { httpLoad } from "../load/http-load.js";
import type { LoadResult } from "../stats.js";
import type { RunningTarget } from "../targets/baselines.js";
import type { LambentTarget } from "../targets/lambent.js";

export interface SyncInvokeRow {
  target: "bare-node" | "workerd" | "lambent-http" | "lambent-grpc";
  concurrency: number;
  result: LoadResult;
}

export interface SyncInvokeOptions {
  concurrencies: number[];
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
}

const BODY = '{"name":"bench"}';

export async function syncInvoke(
  targets: { bare: RunningTarget; workerd: RunningTarget | undefined; lambent: LambentTarget; functionName: string },
  options: SyncInvokeOptions,
): Promise<SyncInvokeRow[]> {
  const rows: SyncInvokeRow[] = [];
  const load = { body: BODY, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds };
  for (const concurrency of options.concurrencies) {
    rows.push({ target: "bare-node", concurrency, result: await httpLoad({ ...load, url: targets.bare.url, connections: concurrency }, options.rounds) });
    if (targets.workerd) {
      rows.push({ target: "workerd", concurrency, result: await httpLoad({ ...load, url: targets.workerd.url, connections: concurrency }, options.rounds) });
    }
    const invokeUrl = `${targets.lambent.httpUrl}/2015-03-31/functions/${targets.functionName}/invocations`;
    rows.push({ target: "lambent-http", concurrency, result: await httpLoad({ ...load, url: invokeUrl, connections: concurrency }, options.rounds) });
    const grpc = { address: targets.lambent.grpcAddress, functionName: targets.functionName, payload: BODY, connections: concurrency, ...options };
    rows.push({ target: "lambent-grpc", concurrency, result: await grpcLoad(grpc) });
  }
  return rows;
}
