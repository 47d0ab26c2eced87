// Prometheus /metrics on every service, on a real cluster: the counters move by exactly the calls made.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { eventually, lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import * as fixtures from "../fixtures/functions.js";

let cluster: TestCluster;
let nc: NatsConnection;
const endpoints: Record<"frontend" | "scheduler" | "worker", string> = { frontend: "", scheduler: "", worker: "" };

/** Samples by series (`name{labels}` exactly as exposed); every line checked against the text format. */
type Samples = Map<string, number>;

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/;

async function scrape(service: keyof typeof endpoints): Promise<Samples> {
  const response = await fetch(`${endpoints[service]}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const samples: Samples = new Map();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.set(match[1]!, Number(match[2]!));
  }
  return samples;
}

const value = (samples: Samples, series: string): number => samples.get(series) ?? 0;
const delta = (before: Samples, after: Samples, series: string): number => value(after, series) - value(before, series);

async function invoke(name: string, invocationType = "RequestResponse"): Promise<number> {
  const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/${name}/invocations`, {
    method: "POST",
    body: "{}",
    headers: { "X-Amz-Invocation-Type": invocationType },
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  // Retries follow at once, so an event's whole life fits in the test.
  cluster = await startTestCluster({ env: { LAMBENT_ASYNC_RETRY_BASE_MS: "0" } });
  nc = await connect({ ...cluster.natsOptions() });
  endpoints.frontend = `http://127.0.0.1:${String(cluster.frontends[0]!.ready["metricsPort"])}`;
  endpoints.scheduler = `http://127.0.0.1:${String(cluster.schedulers[0]!.ready["metricsPort"])}`;
  endpoints.worker = `http://127.0.0.1:${String(cluster.workers[0]!.ready["metricsPort"])}`;
  const lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "m-echo", fixtures.echo);
  await createTestFunction(lambda, "m-thrower", fixtures.thrower);
  await createTestFunction(lambda, "m-blocked", fixtures.echo);
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "m-blocked", ReservedConcurrentExecutions: 0 }));
  await createTestFunction(lambda, "m-async-fails", fixtures.thrower);
  await lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "m-async-fails",
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:sns:us-east-1:000000000000:test.metrics.failure" } },
    }),
  );
  lambda.destroy();
  // The scheduler applies the reservation when its registry view hears of it: wait for the first throttle.
  await eventually(async () => (await invoke("m-blocked")) === 429, { deadline: 30_000, message: "the scheduler never applied the reservation" });
}, 120_000);

afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

describe("Prometheus metrics", () => {
  it("every service reports its ready metricsPort and a connected NATS", async () => {
    for (const service of ["frontend", "scheduler", "worker"] as const) {
      expect(value(await scrape(service), "lambent_nats_connected"), service).toBe(1);
    }
    expect(cluster.frontends[0]!.ready["metricsPort"]).toBe(cluster.frontends[0]!.ready["httpPort"]);
    expect((await fetch(`${endpoints.worker}/other`)).status).toBe(404);
  });

  it("every service reports its process: CPU, memory, heap, GC and event-loop lag", async () => {
    for (const service of ["frontend", "scheduler", "worker"] as const) {
      const samples = await scrape(service);
      for (const series of ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_seconds"]) {
        expect(samples.has(series), `${service}: ${series}`).toBe(true);
      }
      expect(value(samples, "process_start_time_seconds"), service).toBeGreaterThan(0);
    }
  });

  it("counts invocations, errors, throttles, durations and cold starts exactly", async () => {
    const N = 5;
    const before = { frontend: await scrape("frontend"), scheduler: await scrape("scheduler"), worker: await scrape("worker") };

    for (let i = 0; i < N; i++) expect(await invoke("m-echo")).toBe(200);
    expect(await invoke("m-thrower")).toBe(200);
    expect(await invoke("m-blocked")).toBe(429);

    const after = { frontend: await scrape("frontend"), scheduler: await scrape("scheduler"), worker: await scrape("worker") };
    const frontend = (series: string): number => delta(before.frontend, after.frontend, series);
    const scheduler = (series: string): number => delta(before.scheduler, after.scheduler, series);
    const worker = (series: string): number => delta(before.worker, after.worker, series);

    expect(frontend('lambent_invocations_total{function="m-echo",version="$LATEST",type="sync"}')).toBe(N);
    expect(frontend('lambent_invocations_total{function="m-thrower",version="$LATEST",type="sync"}')).toBe(1);
    expect(frontend('lambent_invocations_total{function="m-blocked",version="$LATEST",type="sync"}')).toBe(1);
    expect(frontend('lambent_invocation_errors_total{function="m-thrower",version="$LATEST",kind="function"}')).toBe(1);
    expect(frontend('lambent_invocation_errors_total{function="m-echo",version="$LATEST",kind="function"}')).toBe(0);
    // A throttle is not a platform failure.
    expect(frontend('lambent_invocation_errors_total{function="m-blocked",version="$LATEST",kind="platform"}')).toBe(0);

    expect(scheduler('lambent_throttles_total{function="m-blocked",reason="ReservedFunctionConcurrentInvocationLimitExceeded",type="sync"}')).toBe(1);
    expect(scheduler('lambent_throttles_total{function="m-echo",reason="ReservedFunctionConcurrentInvocationLimitExceeded",type="sync"}')).toBe(0);
    // Every call has ended by the time its answer arrived (the worker counts calls running; the scheduler
    // counts slots, which workers keep between calls).
    expect(value(after.worker, 'lambent_concurrent_executions{function="m-echo"}')).toBe(0);

    expect(worker('lambent_function_duration_seconds_count{function="m-echo",version="$LATEST"}')).toBe(N);
    expect(worker('lambent_function_duration_seconds_bucket{function="m-echo",version="$LATEST",le="+Inf"}')).toBe(N);
    expect(worker('lambent_function_duration_seconds_count{function="m-thrower",version="$LATEST"}')).toBe(1);
    // Sequential calls share one environment: one cold start each.
    expect(worker('lambent_init_duration_seconds_count{function="m-echo",version="$LATEST"}')).toBe(1);
    expect(worker('lambent_init_duration_seconds_count{function="m-thrower",version="$LATEST"}')).toBe(1);
    expect(value(after.worker, 'lambent_warm_environments{function="m-echo",version="$LATEST"}')).toBeGreaterThan(0);
  });

  it("counts an event's acceptance, its retry and its dead letter", async () => {
    const before = { frontend: await scrape("frontend"), scheduler: await scrape("scheduler"), worker: await scrape("worker") };
    // The on-failure record is sent after the dead letter is counted: its arrival means every count is in.
    const failure = nc.subscribe("test.metrics.failure", { max: 1 });
    await nc.flush();
    expect(await invoke("m-async-fails", "Event")).toBe(202);
    for await (const _record of failure) break;

    const after = { frontend: await scrape("frontend"), scheduler: await scrape("scheduler"), worker: await scrape("worker") };
    expect(delta(before.frontend, after.frontend, 'lambent_invocations_total{function="m-async-fails",version="$LATEST",type="event"}')).toBe(1);
    expect(delta(before.scheduler, after.scheduler, 'lambent_async_retries_total{function="m-async-fails"}')).toBe(1);
    expect(delta(before.scheduler, after.scheduler, 'lambent_async_dead_letters_total{function="m-async-fails",condition="RetriesExhausted"}')).toBe(1);
    expect(delta(before.scheduler, after.scheduler, 'lambent_async_events_succeeded_total{function="m-async-fails"}')).toBe(0);
    // The first run and one retry.
    expect(delta(before.worker, after.worker, 'lambent_function_duration_seconds_count{function="m-async-fails",version="$LATEST"}')).toBe(2);
  });
});
