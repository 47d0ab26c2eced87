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
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startGate, type Gate } from "../fixtures/gate.js";
import { growModule } from "../fixtures/wasm.js";

/** The worker's own files, as a trace or message would name them. */
const HOST_PATHS = /services\/|\/dist\/|node:internal|node_modules/;

const handler = (body: string): Uint8Array => zipFiles({ "index.js": `exports.handler = async function (event) { ${body} };` });

/** Each way to exhaust the heap; every one is given 128 MB. */
const attacks: Record<string, string> = {
  map: `const m = new Map(); for (let i = 0; ; i++) m.set(i, { i });`,
  keys: `const o = {}; for (let i = 0; ; i++) o["k" + i] = i;`,
  fill: `return new Array(200e6).fill(0).length;`,
  strings: `const keep = []; for (;;) keep.push("x".repeat(1 << 20) + Math.random());`,
  json: `globalThis.keep = JSON.parse("[" + "1,".repeat(40e6) + "1]"); return globalThis.keep.length;`,
  regex: `globalThis.keep = "ab".repeat(4e7).match(/a/g); return globalThis.keep.length;`,
};

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
  nc = await connect({ servers: cluster.natsUrl });
  await createTestFunction(lambda, "bystander", handler(`return { ok: true };`));
  for (const [name, body] of Object.entries(attacks)) await createTestFunction(lambda, `oom-${name}`, handler(body), { MemorySize: 128, Timeout: 60 });
  // Quick at first, so its environment goes inline (applySync on the sandbox's main thread), then fatal there.
  await createTestFunction(lambda, "oom-inline", handler(`if (event.boom) return new Array(200e6).fill(0).length; return "quick";`), { MemorySize: 128, Timeout: 60 });
  await createTestFunction(
    lambda,
    "wasm-grow",
    handler(`
      const { instance } = await WebAssembly.instantiate(new Uint8Array(event.wasm));
      if (instance.exports.grow(65535) !== -1) return "wasm's memory.grow passed the cap";
      new WebAssembly.Memory({ initial: 1, maximum: 65536 }).grow(65535);
      return "WebAssembly.Memory grew past the cap";`),
    { MemorySize: 128, Timeout: 30 },
  );
  // Each memory within the cap, and touched; together far past the process's wall.
  await createTestFunction(
    lambda,
    "wasm-many",
    handler(`
      const keep = [];
      for (let i = 0; i < 32; i++) { const memory = new WebAssembly.Memory({ initial: 2048 }); new Uint8Array(memory.buffer).fill(1); keep.push(memory); }
      return "held " + keep.length * 128 + " MB";`),
    { MemorySize: 128, Timeout: 60 },
  );
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

/** Both sandbox processes serve (a crashed one is back), so each attack meets a whole worker. */
async function bothSandboxesServing(): Promise<void> {
  const seen = new Map<string, number>();
  const subscription = nc.subscribe(Subjects.workerHeartbeat, {
    callback: (_error, message) => {
      const beat = decodeJson(message.data) as WorkerHeartbeat;
      if (!beat.draining) seen.set(beat.workerId, Date.now());
    },
  });
  try {
    await eventually(() => [...seen.values()].filter((at) => Date.now() - at < 1000).length >= 2, { deadline: 30_000, message: "two sandbox processes did not come back" });
  } finally {
    subscription.unsubscribe();
  }
}

describe("memory exhaustion", () => {
  for (const name of Object.keys(attacks)) {
    it(`${name}: the call fails with Runtime.OutOfMemory, and the worker serves the next call`, async () => {
      await bothSandboxesServing();
      const attack = await invoke(`oom-${name}`);
      expect(attack.error).toBe("Unhandled");
      expect(attack.payload).toMatchObject({ errorType: "Runtime.OutOfMemory" });
      expect(JSON.stringify(attack.payload)).not.toMatch(HOST_PATHS);
      expect(await invoke("bystander")).toEqual({ payload: { ok: true } });
    });
  }

  it("a fatal error on the sandbox's main thread (an inline call) still names the call and spares the worker", async () => {
    await bothSandboxesServing();
    for (let i = 0; i < 4; i++) expect((await invoke("oom-inline")).payload).toBe("quick");
    const attack = await invoke("oom-inline", { boom: true });
    expect(attack.payload).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    expect(JSON.stringify(attack.payload)).not.toMatch(HOST_PATHS);
    expect(await invoke("bystander")).toEqual({ payload: { ok: true } });
  });

  it("WebAssembly memory stops at the memory size: the call fails with a RangeError, and the worker serves the next call", async () => {
    await bothSandboxesServing();
    const attack = await invoke("wasm-grow", { wasm: growModule(1) });
    expect(attack.error).toBe("Unhandled");
    expect(attack.payload).toMatchObject({ errorType: "RangeError", errorMessage: "WebAssembly.Memory.grow(): this function's memory size (128 MB) allows at most 2048 pages" });
    expect(await invoke("bystander")).toEqual({ payload: { ok: true } });
  });

  it("many capped WebAssembly memories meet the sandbox process's memory wall: the call fails with Runtime.OutOfMemory", async () => {
    await bothSandboxesServing();
    const attack = await invoke("wasm-many");
    expect(attack.error).toBe("Unhandled");
    expect(attack.payload).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    expect(JSON.stringify(attack.payload)).not.toMatch(HOST_PATHS);
    expect(await invoke("bystander")).toEqual({ payload: { ok: true } });
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
      expect(await invoke("bystander")).toEqual({ payload: { ok: true } });
    } finally {
      subscription.unsubscribe();
    }
  });
});
