// Python spares: a cold start served by an interpreter started ahead of it is the function's own (its
// names, variables, package, random numbers, an empty /tmp), nothing another function left reaches it,
// one spare serves one cold start, and spares count in the pool's memory and give it back first.
import { afterAll, describe, expect, it } from "vitest";
import { functionRecord, testInvoker } from "../testing/fixtures.js";
import { WarmPool, type PooledEnvironment } from "../pool/warm-pool.js";
import { PythonSpares, type PythonSpare } from "./python-spares.js";

const t = testInvoker({ pythonSpares: true });
afterAll(() => t.close());

/** Reports what the function sees of itself and of anything another function may have left, and plants its own. */
const PROBE = [
  "import js, os, random, sys, builtins",
  "seen_at_import = {",
  "    'tmp': sorted(os.listdir('/tmp')),",
  "    'js_planted': js.eval('typeof globalThis.planted'),",
  "    'builtin_planted': hasattr(builtins, 'planted'),",
  "    'module_planted': 'planted_module' in sys.modules,",
  "}",
  "draws = [random.random() for _ in range(3)]",
  "open('/tmp/' + os.environ['AWS_LAMBDA_FUNCTION_NAME'], 'w').write('mine')",
  "js.eval('globalThis.planted = 1')",
  "builtins.planted = True",
  "sys.modules['planted_module'] = random",
  "def lambda_handler(event, context):",
  "    return {",
  "        'name': context.function_name, 'env_name': os.environ['AWS_LAMBDA_FUNCTION_NAME'], 'own': os.environ.get('OWN'),",
  "        'js_own': js.eval('String(process.env.OWN)'), 'stream': context.log_stream_name == os.environ['AWS_LAMBDA_LOG_STREAM_NAME'],",
  "        'package': sorted(os.listdir('/var/task')), 'seen': seen_at_import, 'draws': draws,",
  "    }",
].join("\n");

let counter = 0;
function deployProbe(extraFiles: Record<string, string> = {}): string {
  const functionName = `py-spare-${++counter}`;
  t.deploy(
    functionRecord({ functionName, runtime: "python3.12", handler: "lambda_function.lambda_handler", handlerFile: "lambda_function.py", environment: { OWN: functionName } }),
    "# python\n",
    { "lambda_function.py": PROBE, ...extraFiles },
  );
  return functionName;
}

interface Probe {
  name: string;
  env_name: string;
  own: string;
  js_own: string;
  stream: boolean;
  package: string[];
  seen: Record<string, unknown>;
  draws: number[];
}

async function probe(functionName: string): Promise<Probe> {
  const reply = await t.invoke(functionName, {});
  expect(reply.header.functionError, reply.text + reply.log).toBeUndefined();
  return reply.json as Probe;
}

const CLEAN = { tmp: [], js_planted: "undefined", builtin_planted: false, module_planted: false };

describe("Python spares", () => {
  it("serves a cold start with the function's own facts, variables, package and random numbers, and nothing another function left", async () => {
    const spares = t.pythonSpares as PythonSpares;
    const first = deployProbe({ "first_only.py": "" });
    // No spare yet: the first Python cold start starts its own interpreter, then one is made.
    const firstProbe = await probe(first);
    expect(spares.served).toBe(0);
    expect(firstProbe).toMatchObject({ name: first, env_name: first, own: first, js_own: first, stream: true, seen: CLEAN });
    expect(firstProbe.package).toEqual(["first_only.py", "lambda_function.py"]);

    await spares.whenReady(128);
    const second = deployProbe();
    const secondProbe = await probe(second);
    expect(spares.served).toBe(1);
    expect(secondProbe).toMatchObject({ name: second, env_name: second, own: second, js_own: second, stream: true, seen: CLEAN, package: ["lambda_function.py"] });

    await spares.whenReady(128);
    const third = deployProbe();
    const thirdProbe = await probe(third);
    expect(spares.served).toBe(2);
    expect(thirdProbe).toMatchObject({ name: third, own: third, js_own: third, seen: CLEAN });
    // Every spare is restored from the same snapshot: `random` is seeded again for each function.
    expect(thirdProbe.draws).not.toEqual(secondProbe.draws);
    expect(secondProbe.draws).not.toEqual(firstProbe.draws);
  });

  it("gives one spare to one cold start: of two at once, the other starts its own", async () => {
    const spares = t.pythonSpares as PythonSpares;
    await spares.whenReady(128);
    const before = spares.served;
    const [left, right] = [deployProbe(), deployProbe()];
    const [leftProbe, rightProbe] = await Promise.all([probe(left), probe(right)]);
    expect(spares.served).toBe(before + 1);
    expect(leftProbe).toMatchObject({ name: left, own: left, seen: CLEAN });
    expect(rightProbe).toMatchObject({ name: right, own: right, seen: CLEAN });
  });

  it("binds a spare to a new version of the code as to any function: the old code is not what runs", async () => {
    const spares = t.pythonSpares as PythonSpares;
    const name = `py-spare-update-${++counter}`;
    const record = functionRecord({ functionName: name, runtime: "python3.12", handler: "lambda_function.lambda_handler", handlerFile: "lambda_function.py" });
    t.deploy(record, "# python\n", { "lambda_function.py": "def lambda_handler(event, context):\n    return 'old'\n" });
    expect((await t.invoke(name, {})).json).toBe("old");
    await spares.whenReady(128);
    t.deploy({ ...record, revisionId: "updated" }, "# python\n", { "lambda_function.py": "def lambda_handler(event, context):\n    return 'new'\n" });
    const before = spares.served;
    expect((await t.invoke(name, {})).json).toBe("new");
    expect(spares.served).toBe(before + 1);
  });
});

/** A stand-in spare: no isolate, only what the pool and PythonSpares see of one. */
function standInSpare(memoryMb: number, disposed: number[]): PythonSpare {
  return {
    memoryMb,
    blank: { catastrophe: { handler: undefined } } as unknown as PythonSpare["blank"],
    runtime: undefined as unknown as PythonSpare["runtime"],
    wasmReservedBytes: 0,
    route: () => undefined,
    dispose: () => void disposed.push(memoryMb),
  };
}

function standInEnvironment(key: string, memoryMb: number): PooledEnvironment {
  return { key, memoryMb, idleMemoryMb: memoryMb, lastUsed: 0, dispose: () => undefined };
}

describe("Python spares in the pool's memory", () => {
  it("counts a spare beside the environments and drops it before a new environment would not fit", async () => {
    const disposed: number[] = [];
    const spares: PythonSpares = new PythonSpares({ roomFor: (memoryMb: number): boolean => pool.hasRoomFor(memoryMb), make: async (memoryMb) => standInSpare(memoryMb, disposed) });
    const pool = new WarmPool<PooledEnvironment>({ maxEnvironments: 10, memoryMb: 512, idleTimeoutMs: 60_000, spareMemory: spares });
    spares.replenish(128);
    await spares.whenReady(128);
    expect(spares.heldMb()).toBe(128);
    expect(pool.hasRoomFor(384)).toBe(true);
    expect(pool.hasRoomFor(385)).toBe(false);
    // 448 MB fits only without the spare: it is dropped, and no idle environment is evicted for it.
    const { environment } = await pool.acquire("big", 448, async () => standInEnvironment("big", 448));
    expect(disposed).toEqual([128]);
    expect(spares.heldMb()).toBe(0);
    expect(spares.has(128)).toBe(false);
    expect(pool.hasRoomFor(128)).toBe(false);
    pool.release(environment, false);
    spares.close();
    pool.close();
  });

  it("makes no spare when the memory has no room, and takes one only of the size asked for", async () => {
    const disposed: number[] = [];
    let room = false;
    let consulted: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => (consulted = resolve));
    const made: number[] = [];
    const spares = new PythonSpares({
      roomFor: () => {
        consulted();
        return room;
      },
      make: async (memoryMb) => (made.push(memoryMb), standInSpare(memoryMb, disposed)),
    });
    spares.replenish(256);
    await asked;
    expect(made).toEqual([]);
    expect(spares.heldMb()).toBe(0);
    room = true;
    spares.replenish(256);
    await spares.whenReady(256);
    expect(made).toEqual([256]);
    expect(spares.take(128)).toBeUndefined();
    const taken = spares.take(256);
    expect(taken?.memoryMb).toBe(256);
    expect(spares.take(256)).toBeUndefined();
    expect(spares.served).toBe(1);
    spares.close();
  });

});

/** PythonSpares whose spares are made only when the test says so, on a clock the test moves. */
function heldBackSpares(): { spares: PythonSpares; made: number[]; finish: () => void; started: () => Promise<void>; disposed: Promise<number>; advance: (ms: number) => void } {
  const made: number[] = [];
  let clock = 0;
  let disposedOne: (memoryMb: number) => void = () => undefined;
  const disposed = new Promise<number>((resolve) => (disposedOne = resolve));
  let finish: () => void = () => undefined;
  let begun: () => void = () => undefined;
  let next = new Promise<void>((resolve) => (begun = resolve));
  const spares = new PythonSpares({
    now: () => clock,
    make: (memoryMb) => {
      made.push(memoryMb);
      begun();
      return new Promise((resolve) => (finish = () => resolve({ ...standInSpare(memoryMb, []), dispose: () => disposedOne(memoryMb) })));
    },
  });
  /** Resolves once the next spare's making has begun. */
  const started = async (): Promise<void> => {
    await next;
    next = new Promise<void>((resolve) => (begun = resolve));
  };
  return { spares, made, finish: () => finish(), started, disposed, advance: (ms) => (clock += ms) };
}

/** Spares whose first one took 400 ms to make (so the typical making is known), now taken. */
async function afterOneSpare() {
  const held = heldBackSpares();
  held.spares.replenish(128);
  await held.started();
  held.advance(400);
  held.finish();
  await held.spares.whenReady(128);
  expect(held.spares.take(128)?.memoryMb).toBe(128);
  // Taking it began the next one.
  await held.started();
  return held;
}

describe("Python spares claimed by back-to-back cold starts", () => {
  it("gives the spare past half its making to the cold start that comes then; one at the same time starts its own", async () => {
    const { spares, made, finish, advance } = await afterOneSpare();
    advance(250);
    const first = spares.claim(128);
    expect(await spares.claim(128)).toBeUndefined();
    expect(await spares.claim(256)).toBeUndefined();
    finish();
    expect((await first)?.memoryMb).toBe(128);
    expect(made).toEqual([128, 128]);
    expect(spares.served).toBe(2);
    expect(spares.has(128)).toBe(false);
    spares.close();
  });

  it("does not wait for a spare only begun: the cold start starts its own, and the next finds the spare", async () => {
    const { spares, finish, advance } = await afterOneSpare();
    advance(50);
    expect(await spares.claim(128)).toBeUndefined();
    advance(350);
    finish();
    await spares.whenReady(128);
    expect((await spares.claim(128))?.memoryMb).toBe(128);
    spares.close();
  });

  it("lets a waiting cold start go when the spare is dropped for memory, and disposes the spare once it is made", async () => {
    const { spares, disposed, finish, advance } = await afterOneSpare();
    advance(300);
    const claimed = spares.claim(128);
    spares.drop();
    expect(await claimed).toBeUndefined();
    finish();
    expect(await disposed).toBe(128);
    expect(spares.served).toBe(1);
    expect(spares.has(128)).toBe(false);
    spares.close();
  });
});
