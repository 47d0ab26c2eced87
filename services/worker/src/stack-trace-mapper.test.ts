// Traces of a real bundle, run in an isolate as the worker runs it, mapped back to the package's files.
import { describe, expect, it } from "vitest";
import ivm from "isolated-vm";
import { zipSync, strToU8 } from "fflate";
import { buildBundle, unpackZip } from "@lambent/bundler";
import { mapStackTrace, StackTraceMapper } from "./stack-trace-mapper.js";

const pkg = (files: Record<string, string>) =>
  unpackZip(zipSync(Object.fromEntries(Object.entries(files).map(([path, text]) => [path, strToU8(text)]))));

/** Compiles the bundle as the worker does and returns the stack of the error the handler catches. */
function stackOf(code: string, handlerFile: string): string[] {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    const context = isolate.createContextSync();
    const module = isolate.compileModuleSync(code, { filename: `file:///var/task/${handlerFile}` });
    module.instantiateSync(context, (specifier) => {
      throw new Error(`unexpected import ${specifier}`);
    });
    module.evaluateSync();
    const stack = context.evalClosureSync("const handler = $0.userModule.handler; return handler();", [module.namespace.derefInto()], { result: { copy: true } });
    return String(stack).split("\n");
  } finally {
    isolate.dispose();
  }
}

const files = {
  "index.ts": [
    "import { explode } from './lib/explode';",
    "import helper from 'helper';",
    "",
    "interface Event { name?: string }",
    "",
    "export const handler = (_event?: Event): string => {",
    "  try {",
    "    helper(explode);",
    "    return 'no error';",
    "  } catch (error) {",
    "    return (error as Error).stack ?? '';",
    "  }",
    "};",
  ].join("\n"),
  "lib/explode.ts": [
    "// Lines before the throw, so a wrong mapping shows; __dirname has the bundler rewrite this file.",
    "type Reason = string; const here: string = __dirname;",
    "",
    "export function explode(reason: Reason = 'boom'): never {",
    "  throw new Error(`${reason} in ${here}`);",
    "}",
  ].join("\n"),
  "node_modules/helper/package.json": '{"name":"helper","main":"main.js"}',
  "node_modules/helper/main.js": "'use strict';\n\nmodule.exports = function helper(fn) {\n  return fn();\n};\n",
};

describe("StackTraceMapper", () => {
  it("maps frames of a real bundle to the package's files, lines and columns", async () => {
    const bundle = await buildBundle(pkg(files), "index.handler");
    const trace = stackOf(bundle.code, bundle.handlerFile);
    expect(trace[0]).toBe("Error: boom in /var/task/lib");
    expect(trace[1]).toMatch(/file:\/\/\/var\/task\/index\.ts:\d+:\d+/);

    const mapped = mapStackTrace(bundle.sourceMap, bundle.handlerFile, trace);
    expect(mapped[0]).toBe("Error: boom in /var/task/lib");
    expect(mapped[1]).toBe("    at explode (/var/task/lib/explode.ts:5:9)");
    expect(mapped[2]).toMatch(/^ {4}at helper \(\/var\/task\/node_modules\/helper\/main\.js:4:10\)$/);
    expect(mapped[3]).toBe("    at handler (/var/task/index.ts:8:5)");
    expect(mapped.join("\n")).not.toContain("file:///var/task/index.ts");
  });

  it("leaves lines that are not frames of the bundle alone", async () => {
    const bundle = await buildBundle(pkg(files), "index.handler");
    const mapper = new StackTraceMapper(bundle.sourceMap, bundle.handlerFile);
    const lines = ["TypeError: x is not a function", "    at Array.map (<anonymous>)", "    at lambent-runtime.js:10:5", "    at other (file:///var/task/other.js:1:1)"];
    expect(mapper.mapTrace(lines)).toEqual(lines);
  });

  it("keeps a frame whose position has no original (code esbuild wrote)", () => {
    const map = JSON.stringify({ version: 3, sources: ["index.js"], names: [], mappings: ";AAAA" });
    const trace = ["    at __require (file:///var/task/index.js:1:5)", "    at handler (file:///var/task/index.js:2:1)"];
    expect(mapStackTrace(map, "index.js", trace)).toEqual(["    at __require (file:///var/task/index.js:1:5)", "    at handler (/var/task/index.js:1:1)"]);
  });
});
