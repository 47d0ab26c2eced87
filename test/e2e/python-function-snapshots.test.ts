// A Python function's own snapshot (taken after its import): a later cold start of the same version is
// restored from it with its own environment's log stream, random numbers and empty /tmp; another function
// or another revision never gets it; a function Pyodide cannot snapshot still runs; what the import left
// in the module is there after a restore, what a call did after it is not.
import { afterAll, describe, expect, it } from "vitest";
import { functionRecord, testInvoker } from "../../services/worker/src/testing/fixtures.js";
import { FunctionSnapshots } from "../../services/worker/src/python/function-snapshots.js";
import { vendoredRequests } from "../fixtures/python-requests.js";

const t = testInvoker({ pythonSnapshots: { maxSnapshots: 2, maxBytes: 512 * 1024 * 1024, minImportMs: 100 } });
const snapshots = t.pythonSnapshots as FunctionSnapshots;
afterAll(() => t.close());

/** An import that takes long enough to be worth a snapshot, without a package. */
const SLOW_IMPORT = ["import time", "_started = time.time()", "while time.time() - _started < 0.2:", "    pass"];

const REQUESTS_PROBE = [
  "import os, random, requests",
  "imported_draw = random.random()",
  "def lambda_handler(event, context):",
  "    seen_tmp = sorted(os.listdir('/tmp'))",
  "    open('/tmp/written-by-call', 'w').write('x')",
  "    return {",
  "        'requests': requests.__version__, 'stream': context.log_stream_name, 'env_stream': os.environ['AWS_LAMBDA_LOG_STREAM_NAME'],",
  "        'name': context.function_name, 'own': os.environ.get('OWN'), 'tmp': seen_tmp, 'draw': random.random(), 'imported_draw': imported_draw,",
  "        'package': 'requests' in os.listdir('/var/task'), 'cwd': os.getcwd(),",
  "    }",
];

interface RequestsProbe {
  requests: string;
  stream: string;
  env_stream: string;
  name: string;
  own: string;
  tmp: string[];
  draw: number;
  imported_draw: number;
  package: boolean;
  cwd: string;
}

let counter = 0;
function deploy(source: string[], files: Record<string, string> = {}, revisionId = "rev-1", functionName = `py-snap-${++counter}`): string {
  t.deploy(
    functionRecord({ functionName, revisionId, runtime: "python3.12", handler: "lambda_function.lambda_handler", handlerFile: "lambda_function.py", timeout: 30, environment: { OWN: functionName } }),
    "# python\n",
    { "lambda_function.py": source.join("\n"), ...files },
  );
  return functionName;
}

async function answer<T>(functionName: string): Promise<T> {
  const reply = await t.invoke(functionName, {});
  expect(reply.header.functionError, reply.text + reply.log).toBeUndefined();
  return reply.json as T;
}

/** The next call of every function is a cold start. */
function dropWarm(): void {
  t.pool.reapIdle(Date.now() + 1e9);
}

describe("Python function snapshots", () => {
  it("serves a later cold start of a slow-importing function from its own snapshot, as its own environment", async () => {
    const requests = vendoredRequests();
    const name = deploy(REQUESTS_PROBE, requests);
    const first = await answer<RequestsProbe>(name);
    await snapshots.pending;
    expect(snapshots.made).toBe(1);
    expect(snapshots.served).toBe(0);

    dropWarm();
    const second = await answer<RequestsProbe>(name);
    expect(snapshots.served).toBe(1);
    dropWarm();
    const third = await answer<RequestsProbe>(name);
    expect(snapshots.served).toBe(2);
    for (const restored of [second, third]) {
      expect(restored).toMatchObject({ requests: first.requests, name, own: name, tmp: [], package: true, cwd: "/var/task" });
      expect(restored.env_stream).toBe(restored.stream);
    }
    expect(new Set([first.stream, second.stream, third.stream]).size).toBe(3);
    // The import's draw is the snapshot's; every environment draws its own after it.
    expect(second.imported_draw).toBe(third.imported_draw);
    expect(new Set([first.draw, second.draw, third.draw]).size).toBe(3);

    // Another function with the same code, and a new revision of this one, import for themselves.
    const other = deploy(REQUESTS_PROBE, requests);
    expect(await answer<RequestsProbe>(other)).toMatchObject({ name: other, own: other });
    await snapshots.pending;
    dropWarm();
    deploy(REQUESTS_PROBE, requests, "rev-2", name);
    const changed = await answer<RequestsProbe>(name);
    expect(snapshots.served).toBe(2);
    expect(changed).toMatchObject({ name, own: name, tmp: [] });
    expect(changed.imported_draw).not.toBe(second.imported_draw);
    await snapshots.pending;
  });

  it("runs a function Pyodide cannot snapshot the ordinary way, and never tries again", async () => {
    // A JavaScript object made at import is not reachable from the global object: Pyodide refuses.
    const name = deploy([...SLOW_IMPORT, "import js", "held = js.Object.new()", "def lambda_handler(event, context):", "    return 'ran'"]);
    const failuresBefore = snapshots.failures;
    const servedBefore = snapshots.served;
    expect(await answer<string>(name)).toBe("ran");
    await snapshots.pending;
    expect(snapshots.failures).toBe(failuresBefore + 1);
    expect(snapshots.lastError).toMatch(/serialize/i);
    dropWarm();
    expect(await answer<string>(name)).toBe("ran");
    await snapshots.pending;
    expect(snapshots.failures).toBe(failuresBefore + 1);
    expect(snapshots.served).toBe(servedBefore);
  });

  it("takes the ordinary path when the function's own snapshot cannot be restored, and never uses it again", async () => {
    const name = deploy([...SLOW_IMPORT, "def lambda_handler(event, context):", "    return 'ran'"]);
    const record = functionRecord({ functionName: name, revisionId: "rev-1", runtime: "python3.12", handler: "lambda_function.lambda_handler", handlerFile: "lambda_function.py", timeout: 30, environment: { OWN: name } });
    expect(await answer<string>(name)).toBe("ran");
    await snapshots.pending;
    expect(snapshots.has(record)).toBe(true);
    // The kept snapshot spoiled in place (take hands out the array the store keeps).
    snapshots.take(record)!.fill(0);
    const failuresBefore = snapshots.failures;
    dropWarm();
    expect(await answer<string>(name)).toBe("ran");
    expect(snapshots.failures).toBe(failuresBefore + 1);
    expect(snapshots.has(record)).toBe(false);
    const servedBefore = snapshots.served;
    dropWarm();
    expect(await answer<string>(name)).toBe("ran");
    await snapshots.pending;
    expect([snapshots.served, snapshots.has(record)]).toEqual([servedBefore, false]);
  });

  it("makes none for a function whose import made an HTTP request: its module would hold a refused one's outcome", async () => {
    const name = deploy([
      ...SLOW_IMPORT,
      "import urllib.request",
      "try:",
      "    urllib.request.urlopen('http://127.0.0.1:9/')",
      "except Exception:",
      "    pass",
      "def lambda_handler(event, context):",
      "    return 'ran'",
    ]);
    const failuresBefore = snapshots.failures;
    expect(await answer<string>(name)).toBe("ran");
    await snapshots.pending;
    expect(snapshots.failures).toBe(failuresBefore + 1);
    expect(snapshots.lastError).toMatch(/HTTP request/);
  });

  it("restores what the import left in the module, not the import's /tmp nor what an earlier call did", async () => {
    const name = deploy([
      ...SLOW_IMPORT,
      "import os",
      "calls = 0",
      "os.environ['PLANTED'] = 'at-import'",
      "open('/tmp/planted-at-import', 'w').write('x')",
      "def lambda_handler(event, context):",
      "    global calls",
      "    calls += 1",
      "    seen = {'calls': calls, 'planted': os.environ.get('PLANTED'), 'after': os.environ.get('AFTER'), 'tmp': sorted(os.listdir('/tmp'))}",
      "    os.environ['AFTER'] = 'call'",
      "    open('/tmp/written-by-call', 'w').write('x')",
      "    return seen",
    ]);
    const servedBefore = snapshots.served;
    expect(await answer<unknown>(name)).toEqual({ calls: 1, planted: "at-import", after: null, tmp: ["planted-at-import"] });
    expect(await answer<unknown>(name)).toEqual({ calls: 2, planted: "at-import", after: "call", tmp: ["planted-at-import", "written-by-call"] });
    await snapshots.pending;
    dropWarm();
    expect(await answer<unknown>(name)).toEqual({ calls: 1, planted: "at-import", after: null, tmp: [] });
    expect(snapshots.served).toBe(servedBefore + 1);
  });
});

describe("Python function snapshots' store", () => {
  const record = (functionName: string, revisionId = "rev-1") => functionRecord({ functionName, revisionId, runtime: "python3.12" });
  const made = (bytes: number) => () => Promise.resolve(new Uint8Array(bytes));

  it("keeps a few, drops the least recently used and an older revision's, and makes none for a quick import", async () => {
    const store = new FunctionSnapshots({ maxSnapshots: 2, maxBytes: 250, minImportMs: 100 });
    store.consider(record("quick"), 99, made(10));
    expect(store.pending).toBeUndefined();
    for (const name of ["a", "b"]) {
      store.consider(record(name), 150, made(100));
      await store.pending;
    }
    expect(store.take(record("a"))).toBeDefined();
    store.consider(record("c"), 150, made(100));
    await store.pending;
    expect([store.has(record("a")), store.has(record("b")), store.has(record("c"))]).toEqual([true, false, true]);
    expect(store.take(record("a", "rev-2"))).toBeUndefined();
    expect(store.has(record("a"))).toBe(false);
    store.consider(record("big"), 150, made(300));
    await store.pending;
    expect(store.has(record("big"))).toBe(false);
    expect(store.bytes).toBe(100);
    store.close();
    expect(store.take(record("c"))).toBeUndefined();
  });

  it("remembers a version it could not snapshot", async () => {
    const store = new FunctionSnapshots({ maxSnapshots: 2, maxBytes: 250, minImportMs: 100 });
    let attempts = 0;
    const failing = () => {
      attempts++;
      return Promise.reject(new Error("Can't serialize object at index 7"));
    };
    store.consider(record("a"), 150, failing);
    await store.pending;
    store.consider(record("a"), 150, failing);
    await store.pending;
    expect([attempts, store.failures, store.lastError]).toEqual([1, 1, "Can't serialize object at index 7"]);
  });
});
