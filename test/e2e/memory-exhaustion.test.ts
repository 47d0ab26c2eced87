// Memory exhaustion in every form a function can reach, on a real cluster whose worker runs two sandbox
// processes. Each heap attack ends in the function's own Runtime.OutOfMemory error — a fatal V8 error ends
// one sandbox process, named as the culprit by the worker's supervisor — while the worker keeps serving
// other functions. An event that does the same with MaximumRetryAttempts 0 runs exactly once and goes
// to its dead-letter target. WebAssembly memory, which V8 counts in no heap statistic, is capped at the
// memory size by the runtime (a RangeError in the function); many capped memories together meet the
// sandbox process's memory wall, which ends the process as out of memory and names the function.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, PutFunctionEventInvokeConfigCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Subjects, decodeJson, type WorkerHeartbeat } from "@lambent/protocol";
import { eventually, lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startGate, type Gate } from "../fixtures/gate.js";
import { growModule } from "../fixtures/wasm.js";
import { handler, heapAttacks, memoryProbes } from "../fixtures/hostile-probes.js";

/** The worker's own files, as a trace or message would name them. */
const HOST_PATHS = /services\/|\/dist\/|node:internal|node_modules/;

let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;
let gate: Gate;

beforeAll(async () => {
  gate = await startGate();
  gate.open();
  cluster = await startTestCluster({
    env: {
      LAMBENT_SANDBOXES: "2",
      LAMBENT_HEARTBEAT_MS: "200",
      LAMBENT_WORKER_TIMEOUT_MS: "5000",
      LAMBENT_FETCH_ALLOW: "127.0.0.1",
      LAMBENT_ASYNC_RETRY_BASE_MS: "50",
      // Each sandbox process: 512 MB for environments and 512 MB of margin, so its wall is at 1 GB.
      LAMBENT_WORKER_MEMORY_MB: "1024",
      LAMBENT_SANDBOX_MEMORY_MARGIN_MB: "512",
    },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect({ ...cluster.natsOptions() });
  await createTestFunction(lambda, "bystander", handler(`return { ok: true };`));
  for (const probe of memoryProbes) await createTestFunction(lambda, probe.name, probe.code, probe.config);
  await createTestFunction(
    lambda,
    "oom-event",
    handler(`await (await fetch(process.env.GATE_URL + "/enter?key=poison")).text(); return new Array(200e6).fill(0).length;`),
    { MemorySize: 128, Timeout: 60, Environment: { Variables: { GATE_URL: gate.url } } },
  );
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
  await gate?.close();
});

async function invoke(name: string, event: unknown = {}): Promise<{ error?: string; payload: unknown }> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  return { ...(answer.FunctionError ? { error: answer.FunctionError } : {}), payload: JSON.parse(new TextDecoder().decode(answer.Payload)) };
}

/**
 * The bystander's call, retried as the AWS SDK retries a ServiceException: a call that shared a sandbox
 * process with an attack can be lost with it (a heap attack's isolate may still take its process down
 * after its own call was answered), and that is a platform failure its client retries.
 */
async function bystanderServed(): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await invoke("bystander");
    } catch (error) {
      if (attempt >= 3 || (error as { name?: string }).name !== "ServiceException") throw error;
    }
  }
}

/** Both sandbox processes serve (a crashed one is back), so each attack meets a whole worker. */
async function bothSandboxesServing(): Promise<void> {
  const seen = new Map<string, number>();
  const subscription = nc.subscribe(Subjects.workerHeartbeat, {
    callback: (_error, message) => {
      const beat = decodeJson(message.data) as WorkerHeartbeat;
      // A sandbox about to end (after a fatal error) says it is draining: it no longer counts.
      if (beat.draining) seen.delete(beat.workerId);
      else seen.set(beat.workerId, Date.now());
    },
  });
  try {
    await eventually(() => [...seen.values()].filter((at) => Date.now() - at < 1000).length >= 2, { deadline: 30_000, message: "two sandbox processes did not come back" });
  } finally {
    subscription.unsubscribe();
  }
}

describe("memory exhaustion", () => {
  for (const name of Object.keys(heapAttacks)) {
    it(`${name}: the call fails with Runtime.OutOfMemory, and the worker serves the next call`, async () => {
      await bothSandboxesServing();
      const attack = await invoke(`oom-${name}`);
      expect(attack.error).toBe("Unhandled");
      expect(attack.payload).toMatchObject({ errorType: "Runtime.OutOfMemory" });
      expect(JSON.stringify(attack.payload)).not.toMatch(HOST_PATHS);
      expect(await bystanderServed()).toEqual({ payload: { ok: true } });
    });
  }

  it("a fatal error on the sandbox's main thread (an inline call) still names the call and spares the worker", async () => {
    await bothSandboxesServing();
    for (let i = 0; i < 4; i++) expect((await invoke("oom-inline")).payload).toBe("quick");
    const attack = await invoke("oom-inline", { boom: true });
    expect(attack.payload).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    expect(JSON.stringify(attack.payload)).not.toMatch(HOST_PATHS);
    expect(await bystanderServed()).toEqual({ payload: { ok: true } });
  });

  it("WebAssembly memory stops at the memory size: the call fails with a RangeError, and the worker serves the next call", async () => {
    await bothSandboxesServing();
    const attack = await invoke("wasm-grow", { wasm: growModule(1) });
    expect(attack.error).toBe("Unhandled");
    expect(attack.payload).toMatchObject({ errorType: "RangeError", errorMessage: "WebAssembly.Memory.grow(): this function's memory size (128 MB) allows at most 2048 pages" });
    expect(await bystanderServed()).toEqual({ payload: { ok: true } });
  });

  it("many capped WebAssembly memories meet the sandbox process's memory wall: the call fails with Runtime.OutOfMemory", async () => {
    await bothSandboxesServing();
    const attack = await invoke("wasm-many");
    expect(attack.error).toBe("Unhandled");
    expect(attack.payload).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    expect(JSON.stringify(attack.payload)).not.toMatch(HOST_PATHS);
    expect(await bystanderServed()).toEqual({ payload: { ok: true } });
  });

  it("a poison event with MaximumRetryAttempts 0 runs once, then goes to its dead-letter target", async () => {
    await bothSandboxesServing();
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "oom-event", MaximumRetryAttempts: 0 }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "oom-event", DeadLetterConfig: { TargetArn: "arn:aws:sns:us-east-1:000000000000:test.poison.dlq" } }));
    const dlq: { payload: unknown; headers: Record<string, string> }[] = [];
    const subscription = nc.subscribe("test.poison.dlq", {
      callback: (_error, message) => {
        const headers: Record<string, string> = {};
        for (const [key, values] of message.headers ?? []) headers[key] = values[0] ?? "";
        dlq.push({ payload: decodeJson(message.data), headers });
      },
    });
    try {
      const answer = await lambda.send(new InvokeCommand({ FunctionName: "oom-event", InvocationType: "Event", Payload: new TextEncoder().encode('{"poison":1}') }));
      expect(answer.StatusCode).toBe(202);
      await eventually(() => dlq.length === 1, { deadline: 60_000, message: "the poison event never reached its dead-letter target" });
      expect(dlq[0]!.payload).toEqual({ poison: 1 });
      expect(dlq[0]!.headers["ErrorCode"]).toBe("Runtime.OutOfMemory");
      expect(gate.entries("poison")).toBe(1);
      expect(await bystanderServed()).toEqual({ payload: { ok: true } });
    } finally {
      subscription.unsubscribe();
    }
  });
});
