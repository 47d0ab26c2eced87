// Real-world deployment packages on a real cluster: npm dependencies installed from the registry at test
// time, TypeScript, a template read from the package, source maps for traces, and the packages that must
// fail at CreateFunction/UpdateFunctionCode rather than at the first invoke.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { connect } from "@nats-io/transport-node";
import { CodeStore, openRegistryBuckets } from "@lambent/registry/functions";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { mapStackTrace } from "../../services/worker/src/stack-trace-mapper.js";
import { createTestFunction } from "../fixtures/deploy.js";


let cluster: TestCluster;
let lambda: LambdaClient;
let npmFolder: string;

const run = promisify(execFile);

beforeAll(async () => {
  npmFolder = await mkdtemp(join(tmpdir(), "lambent-npm-"));
  const [started] = await Promise.all([startTestCluster(), installFromRegistry(npmFolder, ["uuid@11", "mustache@4"])]);
  cluster = started;
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  if (npmFolder) await rm(npmFolder, { recursive: true, force: true });
});

async function installFromRegistry(folder: string, packages: string[]): Promise<void> {
  await writeFile(join(folder, "package.json"), JSON.stringify({ name: "lambent-npm-deps", private: true }));
  await run("npm", ["install", ...packages, "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", folder], { timeout: 120_000 });
}

/** A zip of a folder on disk (with its node_modules) plus the given files. */
async function zipFolder(folder: string, extra: Record<string, string>): Promise<Uint8Array> {
  const files: Record<string, string | Uint8Array> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path.slice(folder.length + 1).split("\\").join("/")] = new Uint8Array(await readFile(path));
  }
  return zipFiles({ ...files, ...extra });
}

async function invoke(functionName: string, payload: unknown): Promise<{ functionError?: string; body: unknown }> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }));
  return { functionError: answer.FunctionError, body: JSON.parse(Buffer.from(answer.Payload ?? []).toString() || "null") };
}

async function deployError(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  return promise.then(
    () => {
      throw new Error("expected the deploy to fail");
    },
    (error: { name: string; message: string }) => error,
  );
}

describe("npm dependencies installed from the registry", () => {
  const usesBoth = [
    "const { v4: uuidv4, v5: uuidv5, validate } = require('uuid');",
    "const Mustache = require('mustache');",
    "exports.handler = async (event) => {",
    "  const id = uuidv4();",
    "  return { id, valid: validate(id), named: uuidv5('hello.example.com', uuidv5.DNS), text: Mustache.render('Hi {{name}}!', event) };",
    "};",
  ].join("\n");

  it("runs a package that renders with mustache from node_modules", async () => {
    const zip = await zipFolder(npmFolder, {
      "index.mjs": "import Mustache from 'mustache';\nexport const handler = async (event) => Mustache.render('<p>{{greeting}}, {{name}}</p>', event);",
    });
    await createTestFunction(lambda, "pkg-mustache", zip);
    expect(await invoke("pkg-mustache", { greeting: "Hello", name: "<Ada>" })).toEqual({ body: "<p>Hello, &lt;Ada&gt;</p>" });
  });

  it("runs a package using uuid and mustache", async () => {
    await createTestFunction(lambda, "pkg-uuid", await zipFolder(npmFolder, { "index.js": usesBoth }));
    const { functionError, body } = await invoke("pkg-uuid", { name: "Ada" });
    expect(functionError).toBeUndefined();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      valid: true,
      named: "fdda765f-fc57-5604-a269-52a7df8164ec",
      text: "Hi Ada!",
    });
  });

});

describe("TypeScript", () => {
  it("compiles index.ts at deploy, with type-only imports of packages it does not ship", async () => {
    const zip = zipFiles({
      "index.ts": [
        "import type { Context } from 'aws-lambda';",
        "import { greet, Mood } from './lib/greet';",
        "",
        "interface GreetEvent { name?: string }",
        "",
        "export const handler = async (event: GreetEvent, context: Context): Promise<Record<string, string>> => ({",
        "  text: greet(event.name ?? 'world', Mood.Glad),",
        "  functionName: context.functionName,",
        "});",
      ].join("\n"),
      "lib/greet.ts": "export enum Mood { Glad = 'glad' }\nexport function greet(name: string, mood: Mood): string {\n  return `${name} is ${mood} (${__dirname})`;\n}\n",
      "tsconfig.json": '{ "compilerOptions": { "strict": true, "target": "es2022" } }',
    });
    const created = await createTestFunction(lambda, "pkg-typescript", zip);
    expect(created.Handler).toBe("index.handler");
    expect(await invoke("pkg-typescript", { name: "Ada" })).toEqual({ body: { text: "Ada is glad (/var/task/lib)", functionName: "pkg-typescript" } });
  });
});

describe("files of the package", () => {
  const template = zipFiles({
    "index.js": [
      "const fs = require('fs');",
      "const path = require('path');",
      "const page = fs.readFileSync(path.join(__dirname, 'templates', 'page.html'), 'utf8');",
      "exports.handler = async (event) => ({",
      "  statusCode: 200,",
      "  headers: { 'content-type': 'text/html' },",
      "  body: page.replace('{{name}}', event.name),",
      "  asyncRead: (await fs.promises.readFile(path.join(__dirname, 'templates', 'page.html'), 'utf8')) === page,",
      "  missing: fs.existsSync(path.join(__dirname, 'templates', 'missing.html')),",
      "});",
    ].join("\n"),
    "templates/page.html": "<h1>Hello {{name}}</h1>\n",
  });

  it("renders an HTML template read from the package with fs", async () => {
    await createTestFunction(lambda, "pkg-template", template);
    expect(await invoke("pkg-template", { name: "Ada" })).toEqual({
      body: { statusCode: 200, headers: { "content-type": "text/html" }, body: "<h1>Hello Ada</h1>\n", asyncRead: true, missing: false },
    });
  });

});

describe("stack traces", () => {
  const thrower = zipFiles({
    "index.ts": "import { fail } from './lib/fail';\n\nexport const handler = async (): Promise<void> => {\n  fail('boom');\n};\n",
    "lib/fail.ts": "// The throw sits on line 4, column 9.\ntype Reason = string;\nexport function fail(reason: Reason): never {\n  throw new Error(reason);\n}\n",
  });

  beforeAll(async () => {
    await createTestFunction(lambda, "pkg-trace", thrower);
  });

  async function trace(): Promise<string[]> {
    const { functionError, body } = await invoke("pkg-trace", {});
    expect(functionError).toBe("Unhandled");
    expect(body).toMatchObject({ errorType: "Error", errorMessage: "boom" });
    return (body as { trace: string[] }).trace;
  }

  it("stores the bundle's source map beside it, which maps the trace to the user's files", async () => {
    const nc = await connect({ ...cluster.natsOptions() });
    try {
      const { code } = await openRegistryBuckets(nc);
      const codeStore = new CodeStore(code);
      // Find this function's bundle by its map, which names the package's files.
      let found: { bundle: string; sourceMap: string } | undefined;
      for (const info of await code.list()) {
        if (!info.name.startsWith("bundle/")) continue;
        const sourceMap = await codeStore.getSourceMap(info.name);
        if (sourceMap?.includes('"lib/fail.ts"')) found = { bundle: (await codeStore.getBundle(info.name))!, sourceMap };
      }
      expect(found, "a bundle whose source map names lib/fail.ts").toBeDefined();
      const map = JSON.parse(found!.sourceMap) as { version: number; sources: string[]; debugId: string };
      expect(map).toMatchObject({ version: 3, sources: expect.arrayContaining(["index.ts", "lib/fail.ts"]) });
      expect(found!.bundle).toContain(`//# debugId=${map.debugId}`);
      // Mapping a trace the worker has mapped already changes nothing, so this holds before and after the wiring.
      const mapped = mapStackTrace(found!.sourceMap, "index.ts", await trace());
      expect(mapped[1]).toBe("    at fail (/var/task/lib/fail.ts:4:9)");
      expect(mapped[2]).toMatch(/^ {4}at (?:Object\.)?handler \(\/var\/task\/index\.ts:4:3\)$/);
    } finally {
      await nc.close();
    }
  });

  it("reports the original file, line and column in an error's trace", async () => {
    const lines = await trace();
    expect(lines[0]).toBe("Error: boom");
    expect(lines[1]).toBe("    at fail (/var/task/lib/fail.ts:4:9)");
    expect(lines[2]).toMatch(/^ {4}at (?:Object\.)?handler \(\/var\/task\/index\.ts:4:3\)$/);
  });
});

describe("packages refused at deploy", () => {
  const cases: [string, string, Record<string, string>, RegExp][] = [
    [
      "a native addon",
      "pkg-native",
      {
        "index.js": "const fast = require('fast');\nexports.handler = async () => fast();",
        "node_modules/fast/package.json": '{"name":"fast","main":"index.js"}',
        "node_modules/fast/index.js": "module.exports = require('./build/Release/fast.node');",
        "node_modules/fast/build/Release/fast.node": "\u007fELF",
      },
      /node_modules\/fast\/index\.js:1:26: Cannot use native addon node_modules\/fast\/build\/Release\/fast\.node: Lambent runs JavaScript and WebAssembly, not native addons$/,
    ],
    ["a static import of a built-in the isolate does not offer", "pkg-repl", { "index.mjs": "import repl from 'repl';\nexport const handler = () => repl;" }, /index\.mjs:1:18: module 'repl' is a Node\.js built-in that the isolate runtime does not offer$/],
    ["a syntax error", "pkg-syntax", { "index.ts": "import { f } from './lib/f';\nexport const handler = f;", "lib/f.ts": "export const f = () => {\n  return 1 +;\n};" }, /lib\/f\.ts:2:\d+: Unexpected ";"$/],
    ["a missing dependency", "pkg-missing-dep", { "index.mjs": "import left from 'left-pad';\nexport const handler = () => left('x', 3);" }, /index\.mjs:1:18: Could not resolve "left-pad"/],
  ];

  it.each(cases)("refuses %s at CreateFunction, naming the file and the reason", async (_what, functionName, files, reason) => {
    const error = await deployError(createTestFunction(lambda, functionName, zipFiles(files)));
    expect(error.name).toBe("InvalidParameterValueException");
    expect(error.message).toMatch(/^Could not build the deployment package: /);
    expect(error.message).toMatch(reason);
  });

  it("refuses a package that unzips past 250 MB", async () => {
    const zip = zipFiles({ "index.js": "exports.handler = async () => 1;", "data.bin": new Uint8Array(16) });
    // The central directory claims 200 MB for each entry: sizes are checked as declared, before inflating.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let offset = 0; offset + 4 <= zip.length; offset++) {
      if (view.getUint32(offset, true) === 0x02014b50) view.setUint32(offset + 24, 200 * 1024 * 1024, true);
    }
    const error = await deployError(createTestFunction(lambda, "pkg-too-big", zip));
    expect(error.name).toBe("InvalidParameterValueException");
    expect(error.message).toBe("Unzipped size must be smaller than 262144000 bytes");
  });

  it("refuses a broken package at UpdateFunctionCode and keeps running the old code", async () => {
    await createTestFunction(lambda, "pkg-update", zipFiles({ "index.js": "exports.handler = async () => 'v1';" }));
    const error = await deployError(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "pkg-update", ZipFile: zipFiles({ "index.js": "require('./addon.node');", "addon.node": "x" }) })),
    );
    expect(error.name).toBe("InvalidParameterValueException");
    expect(error.message).toMatch(/index\.js:1:9: Cannot use native addon addon\.node: Lambent runs JavaScript and WebAssembly, not native addons$/);
    expect(await invoke("pkg-update", {})).toEqual({ body: "v1" });
  });

  it("deploys a dynamic require it cannot resolve, which fails as Node's require does when it runs", async () => {
    await createTestFunction(lambda, "pkg-dynamic", zipFiles({ "index.js": "exports.handler = async (event) => require(event.module);" }));
    const { functionError, body } = await invoke("pkg-dynamic", { module: "./plugins/a" });
    expect(functionError).toBe("Unhandled");
    expect(body).toMatchObject({ errorType: "Error", errorMessage: "Cannot find module './plugins/a'\nRequire stack:\n- /var/task/index.js" });
  });
});
