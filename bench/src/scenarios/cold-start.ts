// Cold start: the first call of freshly deployed functions, end to end and inside the worker
// (Init Duration from the REPORT line), for a small function, a ~1 MB bundle, and a small Python function
// (Pyodide restored from the worker's snapshot), with what each environment holds (Max Memory Used). Python
// is measured twice: cold starts back to back, where the worker's spare interpreter (made after each cold
// start) is rarely ready in time, and cold starts a little apart, as traffic spaces them, which find it.
import { randomBytes } from "node:crypto";
import { strToU8, zipSync } from "fflate";
import { summarize, type LatencySummary } from "../stats.js";
import { deployFunction, invokeWithReport, type LambentTarget } from "../targets/lambent.js";

interface SmallColdStart {
  endToEnd: LatencySummary;
  init: LatencySummary;
  warmEndToEnd: LatencySummary;
  maxMemoryUsedMb: LatencySummary;
}

export interface ColdStartResult {
  functions: number;
  small: SmallColdStart;
  python?: SmallColdStart;
  /** Python cold starts SPACED_MS apart, so the worker's spare interpreter is ready for each. */
  pythonSpaced?: SmallColdStart;
  large: { bundleBytes: number; endToEnd: LatencySummary; init: LatencySummary };
}

/** About 1 MB of code: a large table the module builds at init, as real dependencies do. */
function largeSource(index: number): string {
  const entries = Array.from({ length: 6000 }, (_, i) => `  k${i}: ${JSON.stringify(randomBytes(120).toString("base64"))},`);
  return `const table = {\n${entries.join("\n")}\n};\nexport const handler = async () => ({ id: ${index}, keys: Object.keys(table).length });`;
}

const smallSource = (index: number): string => `export const handler = async (event) => ({ ok: ${index}, name: event.name });`;

const pythonSource = (index: number): string => `def lambda_handler(event, context):\n    return {"ok": ${index}, "name": event.get("name")}\n`;
const PYTHON = { Runtime: "python3.12", Handler: "lambda_function.lambda_handler" };
/** Time between spaced cold starts: more than a spare interpreter takes to start on a loaded machine. */
const SPACED_MS = 3_000;

export async function coldStart(lambent: LambentTarget, count: number): Promise<ColdStartResult> {
  const run = `${Date.now().toString(36)}`;
  const measure = async (label: string, makeSource: (index: number) => string, python = false, pauseMs = 0) => {
    const endToEnd: number[] = [];
    const init: number[] = [];
    const warm: number[] = [];
    const memory: number[] = [];
    let bundleBytes = 0;
    for (let index = 0; index < count; index++) {
      const name = `cold-${label}-${run}-${index}`;
      const source = makeSource(index);
      bundleBytes = source.length;
      await deployFunction(lambent.httpUrl, name, python ? zipSync({ "lambda_function.py": strToU8(source) }) : zipSync({ "index.mjs": strToU8(source) }), 128, python ? PYTHON : undefined);
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const first = await invokeWithReport(lambent.httpUrl, name);
      if (first.status !== 200) throw new Error(`cold call of ${name} answered ${first.status}`);
      endToEnd.push(first.totalMs);
      if (first.initDurationMs !== undefined) init.push(first.initDurationMs);
      if (first.maxMemoryUsedMb !== undefined) memory.push(first.maxMemoryUsedMb);
      warm.push((await invokeWithReport(lambent.httpUrl, name)).totalMs);
    }
    return { endToEnd: summarize(endToEnd), init: summarize(init), warmEndToEnd: summarize(warm), maxMemoryUsedMb: summarize(memory), bundleBytes };
  };
  const small = await measure("small", smallSource);
  const large = await measure("large", largeSource);
  const python = await measure("python", pythonSource, true);
  const pythonSpaced = await measure("python-spaced", pythonSource, true, SPACED_MS);
  return {
    functions: count,
    small: { endToEnd: small.endToEnd, init: small.init, warmEndToEnd: small.warmEndToEnd, maxMemoryUsedMb: small.maxMemoryUsedMb },
    python: { endToEnd: python.endToEnd, init: python.init, warmEndToEnd: python.warmEndToEnd, maxMemoryUsedMb: python.maxMemoryUsedMb },
    pythonSpaced: { endToEnd: pythonSpaced.endToEnd, init: pythonSpaced.init, warmEndToEnd: pythonSpaced.warmEndToEnd, maxMemoryUsedMb: pythonSpaced.maxMemoryUsedMb },
    large: { bundleBytes: large.bundleBytes, endToEnd: large.endToEnd, init: large.init },
  };
}
