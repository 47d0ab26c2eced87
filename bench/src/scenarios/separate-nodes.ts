// Services as separate nodes on one NATS (the multi-node shape on one machine): a frontend and a worker
// given different LAMBENT_NODE_IDs, so warm calls cross NATS instead of the local Unix socket. Hello world
// over HTTP with the same load as the one-node rows.
import { httpLoad } from "../load/http-load.js";
import type { LoadResult } from "../stats.js";
import { HELLO_FOLDER, deployFunction, startLambentSeparateNodes, zipFolder } from "../targets/lambent.js";

export interface SeparateNodesRow {
  concurrency: number;
  result: LoadResult;
}

export interface SeparateNodesOptions {
  concurrencies: number[];
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
}

const BODY = '{"name":"bench"}';

export async function separateNodes(options: SeparateNodesOptions): Promise<SeparateNodesRow[]> {
  const lambent = await startLambentSeparateNodes();
  try {
    const fn = await deployFunction(lambent.httpUrl, "bench-hello-nodes", zipFolder(HELLO_FOLDER));
    const url = `${lambent.httpUrl}/2015-03-31/functions/${fn.name}/invocations`;
    const rows: SeparateNodesRow[] = [];
    for (const concurrency of options.concurrencies) {
      const result = await httpLoad({ url, body: BODY, connections: concurrency, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds }, options.rounds);
      rows.push({ concurrency, result });
    }
    return rows;
  } finally {
    await lambent.stop();
  }
}
