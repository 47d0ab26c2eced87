// Asynchronous events: how many `Event` invocations per second the frontend accepts durably (each 202
// answered only after JetStream stored it), and how fast the scheduler drains the queue through a no-op
// function. Accepting and draining are measured apart: the function is held at reserved concurrency 0
// while events are accepted, then released and the queue timed until it is empty.
import { httpLoad } from "../load/http-load.js";
import type { LoadResult } from "../stats.js";
import type { LambentTarget } from "../targets/lambent.js";

export interface AsyncEventsResult {
  concurrency: number;
  accepted: LoadResult;
  /** Events queued when draining began. */
  queued: number;
  drainSeconds: number;
  drainedPerSecond: number;
}

export interface AsyncEventsPlan {
  durationSeconds: number;
  rounds: number;
}

const DRAIN_POLL_MS = 100;
const DRAIN_LIMIT_MS = 600_000;

export async function asyncEvents(lambent: LambentTarget, functionName: string, plan: AsyncEventsPlan, concurrency = 50): Promise<AsyncEventsResult> {
  const api = `${lambent.httpUrl}/2017-10-31/functions/${functionName}/concurrency`;
  await expectOk(await fetch(api, { method: "PUT", body: JSON.stringify({ ReservedConcurrentExecutions: 0 }) }));
  await untilThrottled(lambent.httpUrl, functionName);
  const accepted = await httpLoad(
    {
      url: `${lambent.httpUrl}/2015-03-31/functions/${functionName}/invocations`,
      body: '{"name":"event"}',
      headers: { "X-Amz-Invocation-Type": "Event" },
      connections: concurrency,
      durationSeconds: plan.durationSeconds,
      warmupSeconds: 0,
    },
    plan.rounds,
  );
  const queued = await queueDepth(lambent.httpUrl, functionName);
  const started = performance.now();
  await expectOk(await fetch(api, { method: "DELETE" }));
  // Polling is how a user watches a queue drain; the bench measures, it does not synchronise a test.
  while ((await queueDepth(lambent.httpUrl, functionName)) > 0) {
    if (performance.now() - started > DRAIN_LIMIT_MS) throw new Error("the event queue did not drain in time");
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
  const drainSeconds = (performance.now() - started) / 1000;
  return { concurrency, accepted, queued, drainSeconds, drainedPerSecond: queued / drainSeconds };
}

async function queueDepth(httpUrl: string, functionName: string): Promise<number> {
  const response = await fetch(`${httpUrl}/lambent/2024-01-01/functions/${functionName}/queue`);
  await expectOk(response);
  return ((await response.json()) as { Depth: number }).Depth;
}

/** The reservation reached the scheduler once a synchronous call is throttled. */
async function untilThrottled(httpUrl: string, functionName: string): Promise<void> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const response = await fetch(`${httpUrl}/2015-03-31/functions/${functionName}/invocations`, { method: "POST", body: "{}" });
    await response.arrayBuffer();
    if (response.status === 429) return;
  }
  throw new Error("the reservation never took effect");
}

async function expectOk(response: Response): Promise<void> {
  if (response.status >= 300) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
}
