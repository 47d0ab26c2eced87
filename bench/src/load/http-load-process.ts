// Load generator process: autocannon against one URL, printing a GeneratorRound as JSON.
import autocannon from "autocannon";
import type { HttpLoadOptions } from "./http-load-options.js";
import type { GeneratorRound } from "../stats.js";

const options = JSON.parse(process.argv[2] ?? "{}") as HttpLoadOptions;

const run = (durationSeconds: number) =>
  autocannon({
    url: options.url,
    method: "POST",
    body: options.body,
    headers: { "content-type": "application/json", ...options.headers },
    connections: options.connections,
    pipelining: 1,
    duration: durationSeconds,
  });

if (options.warmupSeconds > 0) await run(options.warmupSeconds);
const result = await run(options.durationSeconds);
const round: GeneratorRound = {
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p90: result.latency.p90,
  p99: result.latency.p99,
  max: result.latency.max,
  errors: result.errors + result.timeouts + result.non2xx,
};
console.log(JSON.stringify(round));
