import { describe, expect, it } from "vitest";
import { zipSync, strToU8 } from "fflate";
import { buildBundle, findHandlerFile, type BuiltBundle } from "./build.js";
import { parseHandler } from "./handler.js";
import { PackageLimits } from "./limits.js";
import { unpackZip } from "./unpack.js";

const zip = (files: Record<string, string | Uint8Array>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === "string" ? strToU8(v) : v])));
const pkg = (files: Record<string, string>) => unpackZip(zip(files));

/**
 * Runs a bundle in this process and returns its `userModule`. The bundle has no imports and ends in
 * `export { userModule }`, so it runs as a function body that returns it instead.
 */
function evaluate(bundle: BuiltBundle): Record<string, unknown> {
  const body = bundle.code.replace(/export\s*{\s*(?:(\w+)\s+as\s+)?userModule\s*};?/, (_, local?: string) => `return ${local ?? "userModule"};`);
  return (new Function(body) as () => Record<string, unknown>)();
}

async function handlerOf(files: Record<string, string>, handler = "index.handler"): Promise<(...args: unknown[]) => unknown> {
  const userModule = evaluate(await buildBundle(pkg(files), handler));
  const found = userModule["handler"] ?? (userModule["default"] as Record<string, unknown> | undefined)?.["handler"];
  expect(typeof found).toBe("function");
  return found as (...args: unknown[]) => unknown;
}

async function buildError(files: Record<string, string>, handler = "index.handler"): Promise<{ name: string; type: string; message: string }> {
  return buildBundle(pkg(files), handler).then(
    () => {
      throw new Error("expected the build to fail");
    },
    (error: { name: string; type: string; message: string }) => error,
  );
}

describe("handler strings", () => {
  it("splits module and export path", () => {
    expect(parseHandler("index.handler")).toEqual({ modulePath: "index", exportPath: "handler" });
    expect(parseHandler("src/app.routes.get")).toEqual({ modulePath: "src/app", exportPath: "routes.get" });
  });
  it("rejects malformed handlers", () => {
    expect(() => parseHandler("index")).toThrow(/file.function/);
    expect(() => parseHandler("has space.handler")).toThrow(/handler/);
    expect(() => parseHandler("../up.handler")).toThrow(/inside/);
  });
});

describe("bundles", () => {
  it("bundles CommonJS with its relative requires and node_modules", async () => {
    const files = pkg({
      "index.js": "const greet = require('./lib/greet'); const pad = require('left'); exports.handler = async () => pad(greet('x'));",
      "lib/greet.js": "module.exports = (n) => 'hi ' + n;",
      "node_modules/left/package.json": '{"name":"left","main":"main.js"}',
      "node_modules/left/main.js": "module.exports = (s) => '>' + s;",
    });
    const bundle = await buildBundle(files, "index.handler");
    expect(bundle.handlerFile).toBe("index.js");
    expect(bundle.code).toMatch(/export\s*{\s*userModule\s*}/);
    expect(bundle.code).not.toMatch(/\bimport\s/);
    const handler = evaluate(bundle)["handler"] as () => Promise<string>;
    expect(await handler()).toBe(">hi x");
  });

  it("finds .mjs handlers", () => {
    expect(findHandlerFile(pkg({ "index.mjs": "export const handler = 1" }), "index.handler")).toBe("index.mjs");
  });

  it("names the missing handler file", () => {
    expect(() => findHandlerFile(pkg({ "other.js": "" }), "index.handler")).toThrow(/index\.js/);
  });

  it("names file and line of a syntax error", async () => {
    const error = await buildError({ "index.js": "exports.handler = (;" });
    expect(error.type).toBe("InvalidParameterValueException");
    expect(error.message).toMatch(/^Could not build the deployment package: index\.js:1:20: /);
  });

  it("refuses a static import of a built-in the isolate does not offer", async () => {
    const error = await buildError({ "index.mjs": "\nimport repl from 'repl'; export const handler = () => repl;" });
    expect(error.message).toMatch(/index\.mjs:2:18: module 'repl' is a Node\.js built-in that the isolate runtime does not offer/);
  });

  it("resolves built-ins whose names have digits (http2, v8) to the runtime's, not to a require at run time", async () => {
    const bundle = await buildBundle(pkg({ "index.js": "require('node:http2'); require('v8');\nexports.handler = () => 1;" }), "index.handler");
    expect(bundle.code).toContain('__lambentRequire("http2")');
    expect(bundle.code).toContain('__lambentRequire("v8")');
  });

  it("deploys a require of a missing built-in, which throws where it runs so try/catch can probe for it", async () => {
    const userModule = evaluate(await buildBundle(pkg({
      "index.js": "let found; try { require('repl'); found = 'yes'; } catch (error) { found = error.code + ': ' + error.message; }\nexports.found = found;",
    }), "index.found"));
    expect(userModule["found"]).toBe("MODULE_NOT_FOUND: Cannot find module 'repl': a Node.js built-in that the isolate runtime does not offer");
  });

  it("refuses zips that are not zips or that escape the package", () => {
    expect(() => unpackZip(new Uint8Array([1, 2, 3]))).toThrow(/unzip/);
    expect(() => unpackZip(zipSync({ "../evil.js": strToU8("x") }))).toThrow(/outside/);
  });
});

describe("Lambent's own modules", () => {
  it("resolves lambent:functions to the runtime, from TypeScript imports and CommonJS requires alike", async () => {
    const runtime = globalThis as unknown as { __lambentRequire?: (name: string) => unknown };
    const asked: string[] = [];
    runtime.__lambentRequire = (name) => {
      asked.push(name);
      return { invoke: async (functionName: string, payload: unknown) => ({ StatusCode: 200, called: functionName, payload }) };
    };
    try {
      const ts = await handlerOf({
        "index.ts": [
          "import { invoke } from 'lambent:functions';",
          "import * as functions from 'lambent:functions';",
          "export const handler = async (event: { n: number }) => [await invoke('callee', event), functions.invoke === invoke];",
        ].join("\n"),
      });
      expect(await ts({ n: 1 })).toEqual([{ StatusCode: 200, called: "callee", payload: { n: 1 } }, true]);
      const cjs = await handlerOf({
        "index.js": "const { invoke } = require('lambent:functions');\nexports.handler = (event) => invoke('other:prod', event);",
        // A package in node_modules cannot take the name's place.
        "node_modules/lambent:functions/index.js": "module.exports = { invoke: () => 'shadowed' };",
      });
      expect(await cjs({ n: 2 })).toEqual({ StatusCode: 200, called: "other:prod", payload: { n: 2 } });
      expect(asked.every((name) => name === "lambent:functions")).toBe(true);
      expect(asked.length).toBeGreaterThan(0);
    } finally {
      delete runtime.__lambentRequire;
    }
  });

  it("refuses other lambent: names as unresolved imports", async () => {
    const error = await buildError({ "index.js": "require('lambent:nope')" });
    expect(error.message).toMatch(/Could not resolve "lambent:nope"/);
  });
});

describe("TypeScript handlers", () => {
  it("compiles index.ts with `export const handler`, dropping type-only imports", async () => {
    const handler = await handlerOf({
      "index.ts": [
        "import { APIGatewayProxyHandler } from 'aws-lambda';",
        "import type { Greeting } from './types';",
        "import { shout } from './lib/shout';",
        "enum Mood { Happy = 'happy' }",
        "export const handler: APIGatewayProxyHandler = async (event: { name: string }) => {",
        "  const greeting: Greeting = { text: shout(event.name), mood: Mood.Happy };",
        "  return greeting as never;",
        "};",
      ].join("\n"),
      "types.ts": "export interface Greeting { text: string; mood: string }",
      "lib/shout.ts": "export const shout = (text: string): string => text.toUpperCase() + '!';",
    });
    expect(await handler({ name: "ada" })).toEqual({ text: "ADA!", mood: "happy" });
  });

  it("compiles .mts and .cts handlers, ESM and CommonJS, and nested handler paths", async () => {
    const mts = await handlerOf({ "src/app.mts": "import dep from 'dep';\nexport const handler = (): string => dep('mts');", "node_modules/dep/index.js": "module.exports = (s) => s + '!';" }, "src/app.handler");
    expect(mts()).toBe("mts!");
    const cts = await handlerOf({ "index.cts": "const { shout } = require('./shout.cjs');\nexports.handler = (): string => shout('cts');", "shout.cjs": "exports.shout = (s) => s.toUpperCase();" });
    expect(cts()).toBe("CTS");
    const exportEquals = await handlerOf({ "index.ts": "const handler = (): number => 42;\nexport = { handler };" });
    expect(exportEquals()).toBe(42);
  });

  it("applies the package's tsconfig.json, also to files that ask for their location", async () => {
    const setterSees = "class Base { seen: unknown; set value(v: unknown) { this.seen = v; } }\n";
    const handler = await handlerOf({
      "tsconfig.json": '{ "compilerOptions": { "useDefineForClassFields": false } }',
      "index.ts": `import { here } from './lib/here';\n${setterSees}class Child extends Base { value = 1; }\nexport const handler = () => [new Child().seen, here()];`,
      "lib/here.ts": `${setterSees}class Child extends Base { value = 2; }\nexport const here = () => [new Child().seen, __dirname];`,
    });
    expect(handler()).toEqual([1, [2, "/var/task/lib"]]);
  });

  it("names a TypeScript file and line of a syntax error", async () => {
    const error = await buildError({ "index.ts": "import { f } from './lib/bad';\nexport const handler = f;", "lib/bad.ts": "export const f = () => {\n  let x: number = ;\n};" });
    expect(error.message).toMatch(/lib\/bad\.ts:2:\d+: /);
  });
});

describe("file locations", () => {
  it("gives each file its own __dirname, __filename and import.meta under /var/task", async () => {
    const handler = await handlerOf({
      "index.js": [
        "const cjs = require('./lib/where.cjs');",
        "const esm = require('./views/where.mjs');",
        "exports.handler = () => ({ root: [__dirname, __filename], cjs, esm: { ...esm } });",
      ].join("\n"),
      "lib/where.cjs": "module.exports = { dir: __dirname, file: __filename };",
      "views/where.mjs": "export const url = import.meta.url; export const dir = import.meta.dirname; export const file = import.meta.filename;",
    });
    expect(handler()).toEqual({
      root: ["/var/task", "/var/task/index.js"],
      cjs: { dir: "/var/task/lib", file: "/var/task/lib/where.cjs" },
      esm: { url: "file:///var/task/views/where.mjs", dir: "/var/task/views", file: "/var/task/views/where.mjs" },
    });
  });

  it("leaves a file's own __dirname declaration alone", async () => {
    const handler = await handlerOf({
      "index.mjs": "const __dirname = 'mine';\nexport const handler = () => [__dirname, typeof __filename];",
    });
    expect(handler()).toEqual(["mine", "string"]);
  });

  it("names the file of a syntax error in a file that asks for its location", async () => {
    const error = await buildError({ "index.js": "require('./lib/x');", "lib/x.js": "const here = __dirname;\nconst = 1;" });
    expect(error.message).toMatch(/lib\/x\.js:2:\d+: /);
  });
});

describe("source maps", () => {
  it("maps the bundle to package paths and ties code and map with one debug id", async () => {
    const bundle = await buildBundle(
      pkg({ "index.ts": "import { x } from './lib/x';\nexport const handler = () => x + __dirname;", "lib/x.js": "export const x = 1;" }),
      "index.handler",
    );
    const map = JSON.parse(bundle.sourceMap) as { version: number; sources: string[]; mappings: string; debugId: string; sourcesContent?: unknown };
    expect(map.version).toBe(3);
    expect(map.sources).toEqual(expect.arrayContaining(["index.ts", "lib/x.js"]));
    expect(map.sources.filter((source) => source.startsWith("/") || source.includes("lambent-build-"))).toEqual([]);
    expect(map.sourcesContent).toBeUndefined();
    expect(map.mappings.length).toBeGreaterThan(0);
    expect(bundle.code).toMatch(new RegExp(`//# debugId=${map.debugId}\\n$`));
    expect(bundle.code).not.toContain("sourceMappingURL");
  });

  it("gives equal code from differently laid-out sources different debug ids", async () => {
    const one = await buildBundle(pkg({ "index.js": "exports.handler = () => 1;" }), "index.handler");
    const two = await buildBundle(pkg({ "index.js": "\n\nexports.handler   =   () => 1;" }), "index.handler");
    expect(one.code.replace(/debugId=.*/, "")).toBe(two.code.replace(/debugId=.*/, ""));
    expect(one.code).not.toBe(two.code);
  });
});

describe("packages the isolate cannot run", () => {
  it("refuses a native addon, naming it and the file that requires it", async () => {
    const error = await buildError({
      "index.js": "exports.handler = () => require('fast');",
      "node_modules/fast/package.json": '{"name":"fast","main":"index.js"}',
      "node_modules/fast/index.js": "module.exports = require('./build/Release/fast.node');",
      "node_modules/fast/build/Release/fast.node": "\u007fELF",
    });
    expect(error.type).toBe("InvalidParameterValueException");
    expect(error.message).toBe(
      "Could not build the deployment package: node_modules/fast/index.js:1:26: Cannot use native addon node_modules/fast/build/Release/fast.node: Lambent runs JavaScript and WebAssembly, not native addons",
    );
  });

  it("refuses a package whose main is a native addon", async () => {
    const error = await buildError({
      "index.js": "exports.handler = () => require('addon');",
      "node_modules/addon/package.json": '{"name":"addon","main":"addon.node"}',
      "node_modules/addon/addon.node": "\u007fELF",
    });
    expect(error.message).toMatch(/Cannot use native addon node_modules\/addon\/addon\.node: Lambent runs JavaScript and WebAssembly, not native addons/);
  });

  // sharp 0.34's way: the addon is a dependency of its own, found by a name built when the code runs.
  const sharpLike = {
    "index.js": "const img = require('img'); exports.handler = () => img();",
    "node_modules/img/package.json": '{"name":"img","main":"lib/index.js","optionalDependencies":{"@img/img-linux-x64":"1.0.0"}}',
    "node_modules/img/lib/index.js": "const platform = 'linux-x64';\nmodule.exports = () => require(`@img/img-${platform}/img.node`);",
    "node_modules/@img/img-linux-x64/package.json": '{"name":"@img/img-linux-x64","exports":{"./img.node":"./lib/img-linux-x64.node"}}',
    "node_modules/@img/img-linux-x64/lib/img-linux-x64.node": "\u007fELF",
  };

  it("refuses a package that loads its dependency's native addon by a computed name, naming the package", async () => {
    const error = await buildError(sharpLike);
    expect(error.type).toBe("InvalidParameterValueException");
    expect(error.message).toBe(
      "Could not build the deployment package: img: native addon (node_modules/@img/img-linux-x64/lib/img-linux-x64.node); Lambent runs JavaScript and WebAssembly, not native addons",
    );
  });

  it("refuses a package that loads its own native addon by a computed name", async () => {
    const error = await buildError({
      "index.js": "exports.handler = () => require('hash')();",
      "node_modules/hash/package.json": '{"name":"hash","main":"index.js","gypfile":true}',
      "node_modules/hash/index.js": "const dir = __dirname + '/build/Release/';\nmodule.exports = () => require(dir + 'hash.node');",
      "node_modules/hash/build/Release/hash.node": "\u007fELF",
    });
    expect(error.message).toBe("Could not build the deployment package: hash: native addon (node_modules/hash/build/Release/hash.node); Lambent runs JavaScript and WebAssembly, not native addons");
  });

  it("deploys a package whose native addon the handler does not import", async () => {
    const handler = await handlerOf({ ...sharpLike, "index.js": "exports.handler = () => 'no images';" });
    expect(handler()).toBe("no images");
  });

  it("deploys an optional native accelerator its importer works without (ws and bufferutil, msgpackr and msgpackr-extract)", async () => {
    const accelerator = (name: string) => ({
      [`node_modules/${name}/package.json`]: `{"name":"${name}","main":"index.js","gypfile":true}`,
      [`node_modules/${name}/index.js`]: "const dir = __dirname + '/prebuilds/';\ntry { module.exports = require(dir + 'native.node'); } catch { module.exports = { fast: false }; }",
      [`node_modules/${name}/prebuilds/native.node`]: "\u007fELF",
    });
    const handler = await handlerOf({
      "index.js": "const ws = require('ws'); const pack = require('pack'); exports.handler = () => [ws.fast, pack.fast];",
      "node_modules/ws/package.json": '{"name":"ws","main":"index.js","peerDependencies":{"bufferutil":"^4"},"peerDependenciesMeta":{"bufferutil":{"optional":true}}}',
      "node_modules/ws/index.js": "let fast = false;\ntry { fast = require('bufferutil').fast; } catch { fast = false; }\nmodule.exports = { fast };",
      "node_modules/pack/package.json": '{"name":"pack","main":"index.js","optionalDependencies":{"pack-extract":"1.0.0"}}',
      "node_modules/pack/index.js": "let fast = false;\ntry { fast = require('pack-extract').fast; } catch { fast = false; }\nmodule.exports = { fast };",
      ...accelerator("bufferutil"),
      ...accelerator("pack-extract"),
    });
    const runtime = globalThis as { __lambentRequireFrom?: unknown };
    runtime.__lambentRequireFrom = () => (name: string) => {
      throw new Error(`Cannot find module '${name}'`);
    };
    try {
      expect(handler()).toEqual([false, false]);
    } finally {
      delete runtime.__lambentRequireFrom;
    }
  });

  it("points a require it cannot resolve at the runtime's require for that file, with the bundle's CommonJS modules", async () => {
    const asked: unknown[] = [];
    const runtime = globalThis as { __lambentRequireFrom?: unknown };
    // The runtime's require, as the isolate defines it before the bundle runs.
    runtime.__lambentRequireFrom = (file: string, bundled: () => Record<string, () => unknown>) => (name: string) => {
      asked.push([file, name, Object.keys(bundled()).sort()]);
      return bundled()["node_modules/lib/index.js"]!();
    };
    try {
      const handler = await handlerOf({
        "index.js": "const lib = require('lib'); exports.handler = (name) => lib.load(name);",
        "node_modules/lib/index.js": "'use strict';\nconst aliased = require;\nmodule.exports = { load: (name) => aliased('./data/' + name), label: 'require(x) in a string stays' };",
      });
      expect(handler("fr")).toMatchObject({ label: "require(x) in a string stays" });
    } finally {
      delete runtime.__lambentRequireFrom;
    }
    expect(asked).toEqual([["node_modules/lib/index.js", "./data/fr", ["index.js", "node_modules/lib/index.js"]]]);
  });

  it("leaves a file that binds its own require (a browserify bundle) as it is", async () => {
    const handler = await handlerOf({ "index.js": "exports.handler = () => (function (require) { return require('x' + 1); })((name) => name.toUpperCase());" });
    expect(handler()).toBe("X1");
  });

  it("bundles every file a require with a path pattern can reach", async () => {
    const handler = await handlerOf({ "index.js": "exports.handler = (name) => require(`./plugins/${name}.js`);", "plugins/a.js": "module.exports = 'a';" });
    expect(handler("a")).toBe("a");
  });

  it("names an import that does not resolve", async () => {
    const error = await buildError({ "index.js": "const m = require('missing-dep');" });
    expect(error.message).toMatch(/index\.js:1:19: Could not resolve "missing-dep"/);
  });
});

describe("package limits", () => {
  it("refuses a zip over 50 MB", () => {
    const tooBig = new Uint8Array(PackageLimits.zippedBytes + 1);
    expect(() => unpackZip(tooBig)).toThrow(expect.objectContaining({ type: "RequestTooLargeException", message: expect.stringMatching(/smaller than 52428800 bytes/) }));
  });

  it("refuses a package over 250 MB unzipped, before inflating it", () => {
    const small = zip({ "index.js": "exports.handler = () => 1;", "data.bin": new Uint8Array(16) });
    // Claim 200 MB for each entry in the central directory: the sizes are checked as declared.
    const view = new DataView(small.buffer, small.byteOffset, small.byteLength);
    for (let offset = 0; offset + 4 <= small.length; offset++) {
      if (view.getUint32(offset, true) === 0x02014b50) view.setUint32(offset + 24, 200 * 1024 * 1024, true);
    }
    expect(() => unpackZip(small)).toThrow(expect.objectContaining({ type: "InvalidParameterValueException", message: "Unzipped size must be smaller than 262144000 bytes" }));
  });
});
