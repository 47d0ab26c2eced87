// Cold start: the first call of freshly deployed functions, end to end and inside the worker
// (Init Duration from the REPORT line), for a small function and a ~1 MB bundle.
import { randomBytes } from "node:crypto";
import { strToU8, zipSync } from "fflate";
import { summarize, type LatencySummary } from "../stats.js";
import { deployFunction, invokeWithReport, type LambentTarget } from "../targets/lambent.js";

export interface ColdStartResult {
  functions: number;
  small: { endToEnd: LatencySummary; init: LatencySummary; warmEndToEnd: LatencySummary };
  large: { bundleBytes: number; endToEnd: LatencySummary; init: LatencySummary };
}

/** About 1 MB of code: a large table the module builds at init, as real dependencies do. */
function largeSource(index: number): string {
  const entries = Array.from({ length: 6000 }, (_, i) => `  k${i}: ${JSON.stringify(randomBytes(120).toString("base64"))},`);
  return `const table = {\n${entries.join("\n")}\n};\nexport const handler = async () => ({ id: ${index}, keys: Object.keys(table).length });`;
}

const smallSource = (index: number): string => `export const handler = async (event) => ({ ok: ${index}, name: event.name });`;

export async function coldStart(lambent: LambentTarget, count: number): Promise<ColdStartResult> {
  const run = `${Date.now().toString(36)}`;
  const measure = async (label: string, makeSource: (index: number) => string) => {
    const endToEnd: number[] = [];
    const init: number[] = [];
    const warm: number[] = [];
    let bundleBytes = 0;
    for (let index = 0; index < count; index++) {
      const name = `cold-${label}-${run}-${index}`;
      const source = makeSource(index);
      bundleBytes = source.length;
      await deployFunction(lambent.httpUrl, name, zipSync({ "index.mjs": strToU8(source) }));
      const first = await invokeWithReport(lambent.httpUrl, name);
      if (first.status !== 200) throw new Error(`cold call of ${name} answered ${first.status}`);
      endToEnd.push(first.totalMs);
      if (first.initDurationMs !== undefined) init.push(first.initDurationMs);
      warm.push((await invokeWithReport(lambent.httpUrl, name)).totalMs);
    }
    return { endToEnd: summarize(endToEnd), init: summarize(init), warmEndToEnd: summarize(warm), bundleBytes };
  };
  const small = await measure("small", smallSource);
  const large = await measure("large", largeSource);
  return {
    functions: count,
    small: { endToEnd: small.endToEnd, init: small.init, warmEndToEnd: small.warmEndToEnd },
    large: { bundleBytes: large.bundleBytes, endToEnd: large.endToEnd, init: large.init },
  };
}
