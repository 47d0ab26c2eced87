// Hostile Python functions: what Pyodide hands to Python (`import js`, `pyodide_js`, the emscripten file
// system) reaches the isolate's own objects and nothing of the host's, the globals a Node.js function
// sees and a synchronous XMLHttpRequest; no file of the worker's machine is readable; every environment
// starts from the same clean snapshot, so what one function leaves in its interpreter (modules changed,
// /tmp, variables) never reaches another, nor the interpreter started ahead for the next cold start; and no error names the worker's files. Outbound HTTP (urllib,
// http.client, XMLHttpRequest, and the host's fetch called straight) reaches only what the egress policy
// allows (here one loopback address, 127.0.0.2, where this test's server listens; the cluster is on
// 127.0.0.1), and a function that blocks in urlopen or floods with it is ended at its timeout, the host
// dropping its request, while the worker goes on answering.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";

/** The worker's own files, as a trace or message would name them. */
const HOST_PATHS = /services\/|\/dist\/|node:internal|node_modules|\/work\//;

const SERVER_ADDRESS = "127.0.0.2";

let cluster: TestCluster;
let lambda: LambdaClient;
let server: Server;
let serverUrl: string;
/** Requests to /hang, held unanswered; each is told when the host closes its connection. */
const hanging: { closed: Promise<void> }[] = [];
let hangArrived: (() => void) | undefined;
/** Requests to /count so far, and the most the server had open at once. */
const counted = { total: 0, open: 0, mostOpen: 0 };

function serve(request: IncomingMessage, response: ServerResponse): void {
  if (request.url === "/hang") {
    hanging.push({ closed: new Promise((resolve) => response.on("close", () => resolve())) });
    hangArrived?.();
    return;
  }
  counted.total++;
  counted.open++;
  counted.mostOpen = Math.max(counted.mostOpen, counted.open);
  response.on("close", () => counted.open--);
  response.end("counted");
}

beforeAll(async () => {
  server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, SERVER_ADDRESS, resolve));
  serverUrl = `http://${SERVER_ADDRESS}:${(server.address() as AddressInfo).port}`;
  cluster = await startTestCluster({ env: { LAMBENT_FETCH_ALLOW: SERVER_ADDRESS } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  server?.closeAllConnections();
  server?.close();
});

async function deploy(name: string, source: string, variables: Record<string, string> = {}, timeout = 30): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "python3.12",
      Handler: "lambda_function.lambda_handler",
      Role: "arn:aws:iam::000000000000:role/test",
      Code: { ZipFile: zipFiles({ "lambda_function.py": source }) },
      Timeout: timeout,
      Environment: { Variables: variables },
    }),
  );
}

async function invoke(name: string, event: unknown = {}): Promise<{ error?: string; payload: unknown; text: string }> {
  const result = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  const text = Buffer.from(result.Payload ?? new Uint8Array()).toString("utf8");
  return { ...(result.FunctionError ? { error: result.FunctionError } : {}), payload: JSON.parse(text), text };
}

describe("hostile Python", () => {
  it("reaches through `js` and `pyodide_js` only the isolate's own globals, never the worker's", async () => {
    await deploy(
      "py-js-probe",
      [
        "import js, os, sys, platform",
        "import pyodide_js",
        "def attempt(call):",
        "    try:",
        "        return call()",
        "    except Exception as error:",
        "        return type(error).__name__",
        "def lambda_handler(event, context):",
        "    return {",
        "        'boot': js.eval('typeof __lambentBoot'),",
        "        'glue': js.eval('typeof __lambentPyodide'),",
        "        'require': js.eval('typeof require'),",
        "        'env': sorted(js.Object.keys(js.process.env).to_py()) == sorted(os.environ.keys()),",
        "        'worker_path': js.eval('String(process.env.PATH)'),",
        "        'system': platform.system(),",
        "        'passwd': attempt(lambda: open('/etc/passwd').read()),",
        "        'proc': attempt(lambda: os.listdir('/proc/self/fd')),",
        "        'root': sorted(os.listdir('/')),",
        "        'fs_root': sorted(pyodide_js.FS.readdir('/').to_py()),",
        "        'js_error': attempt(lambda: js.eval('(() => { throw new Error(\"thrown in js\") })()')),",
        "        'paths': ' '.join(sys.path),",
        "    }",
      ].join("\n"),
      { OWN: "1" },
    );
    const result = await invoke("py-js-probe");
    expect(result.error, result.text).toBeUndefined();
    const probe = result.payload as Record<string, unknown> & { root: string[]; fs_root: string[] };
    expect(probe).toMatchObject({ boot: "undefined", glue: "undefined", require: "undefined", env: true, worker_path: "undefined", system: "Emscripten", passwd: "FileNotFoundError", js_error: "JsException" });
    // The interpreter's in-memory file system, and nothing of the machine's.
    expect(probe.root).toEqual(probe.fs_root.filter((name) => name !== "." && name !== ".."));
    expect(probe.root).not.toContain("etc");
    expect(String(probe["paths"])).not.toMatch(HOST_PATHS);
    expect(result.text).not.toMatch(HOST_PATHS);
  });

  it("starts every environment from the clean snapshot: what one function changes in its interpreter reaches no other", async () => {
    const source = [
      "import json, os, sys",
      "def lambda_handler(event, context):",
      "    seen = {'json_patched': hasattr(json, 'planted'), 'tmp': os.path.exists('/tmp/planted'), 'env': os.environ.get('PLANTED'), 'module': 'planted_module' in sys.modules}",
      "    json.planted = True",
      "    open('/tmp/planted', 'w').write('x')",
      "    os.environ['PLANTED'] = 'yes'",
      "    sys.modules['planted_module'] = json",
      "    return seen",
    ].join("\n");
    await deploy("py-planter", source);
    await deploy("py-finder", source);
    const clean = { json_patched: false, tmp: false, env: null, module: false };
    expect((await invoke("py-planter")).payload).toEqual(clean);
    // The planter's own warm environment keeps its state, as a warm Lambda environment does.
    expect((await invoke("py-planter")).payload).toEqual({ json_patched: true, tmp: true, env: "yes", module: true });
    expect((await invoke("py-finder")).payload).toEqual(clean);
  });

  it("leaves nothing of its own in the interpreter started ahead for the next cold start: not its variables, files, globals or random numbers", async () => {
    // Cold starts after the first on a sandbox process bind an interpreter started ahead of them (a
    // spare); this one plants what it can at import and in its handler, and the next function looks.
    const source = [
      "import builtins, js, os, random, sys",
      "draws = [random.random() for _ in range(4)]",
      "found = {",
      "    'secrets': sorted(value for value in list(os.environ.values()) + list(js.Object.values(js.process.env).to_py()) if value.startswith('secret-of-')),",
      "    'tmp': sorted(os.listdir('/tmp')), 'task': sorted(os.listdir('/var/task')),",
      "    'js': js.eval('typeof globalThis.plantedByOther'), 'builtin': hasattr(builtins, 'planted_by_other'),",
      "    'name': os.environ['AWS_LAMBDA_FUNCTION_NAME'], 'js_name': js.eval('process.env.AWS_LAMBDA_FUNCTION_NAME'),",
      "}",
      "open('/tmp/left-by-' + os.environ['AWS_LAMBDA_FUNCTION_NAME'], 'w').write(os.environ['SECRET'])",
      "js.eval('globalThis.plantedByOther = process.env.SECRET')",
      "builtins.planted_by_other = os.environ['SECRET']",
      "def lambda_handler(event, context):",
      "    js.eval('globalThis.plantedByOther = process.env.SECRET')",
      "    return {**found, 'draws': draws}",
    ].join("\n");
    const names = ["py-spare-a", "py-spare-b", "py-spare-c"];
    const results: { secrets: string[]; tmp: string[]; task: string[]; js: string; builtin: boolean; name: string; js_name: string; draws: number[] }[] = [];
    for (const name of names) {
      await deploy(name, source, { SECRET: `secret-of-${name}` });
      const result = await invoke(name);
      expect(result.error, result.text).toBeUndefined();
      results.push(result.payload as (typeof results)[number]);
    }
    names.forEach((name, index) => {
      expect(results[index]).toMatchObject({ secrets: [`secret-of-${name}`, `secret-of-${name}`], tmp: [], task: ["lambda_function.py"], js: "undefined", builtin: false, name, js_name: name });
    });
    expect(new Set(results.map((result) => JSON.stringify(result.draws))).size).toBe(names.length);
  });

  it("names no worker file in an error, however it fails", async () => {
    await deploy("py-broken", "import js\ndef lambda_handler(event, context):\n    js.eval('null.x')\n");
    const result = await invoke("py-broken");
    expect(result.error).toBe("Unhandled");
    expect(result.payload).toMatchObject({ errorType: "JsException" });
    expect(result.text).not.toMatch(HOST_PATHS);
  });

  it("reaches through urllib, XMLHttpRequest or the host's fetch called straight only what the egress policy allows", async () => {
    await deploy(
      "py-http-probe",
      [
        "import js, lambent_http, urllib.request, urllib.error",
        "def attempt(call):",
        "    try:",
        "        return f'answered {call()}'",
        "    except Exception as error:",
        "        return f'{type(error).__name__}: {getattr(error, \"reason\", error)}'",
        "def xhr(url):",
        "    request = js.XMLHttpRequest.new()",
        "    request.open('GET', url, False)",
        "    request.send()",
        "    return request.status",
        "def straight(url):",
        "    result = lambent_http._fetch(url, 'GET', [], None, 'manual', 0)",
        "    return result.status if result.ok else f'{result.code} {result.message}'",
        "def lambda_handler(event, context):",
        "    return {",
        "        'frontend': attempt(lambda: urllib.request.urlopen(event['frontend']).status),",
        "        'nats': attempt(lambda: xhr(event['nats'])),",
        "        'file': straight('file:///etc/passwd'),",
        "        'frontend_straight': straight(event['frontend']),",
        "        'async_xhr': attempt(lambda: js.XMLHttpRequest.new().open('GET', event['allowed'], True)),",
        "        'allowed': attempt(lambda: urllib.request.urlopen(event['allowed']).read().decode()),",
        "    }",
      ].join("\n"),
    );
    const nats = cluster.natsUrl.replace(/^nats:/, "http:");
    const result = await invoke("py-http-probe", { frontend: `${cluster.httpUrl}/2015-03-31/functions`, nats, allowed: `${serverUrl}/probe` });
    expect(result.error, result.text).toBeUndefined();
    expect(result.payload).toEqual({
      frontend: expect.stringMatching(/^URLError: .*refused: .*loopback/),
      nats: expect.stringMatching(/^JsException: NetworkError: .*refused: .*loopback/),
      file: expect.stringMatching(/scheme file: is not supported/),
      frontend_straight: expect.stringMatching(/^EACCES .*refused/),
      async_xhr: expect.stringMatching(/^JsException: NotSupportedError/),
      allowed: "answered counted",
    });
    expect(result.text).not.toMatch(HOST_PATHS);
  });

  it("a function blocked in urlopen past its deadline is ended at its timeout, its request dropped by the host, and the worker answers on", async () => {
    const source = [
      "import urllib.request",
      "def lambda_handler(event, context):",
      "    if event.get('hang'):",
      "        urllib.request.urlopen(event['url'] + '/hang').read()",
      "    return 'free'",
    ].join("\n");
    await deploy("py-http-hang", source, {}, 3);
    await deploy("py-http-bystander", source);
    expect((await invoke("py-http-hang")).payload).toBe("free");
    expect((await invoke("py-http-bystander")).payload).toBe("free");
    const arrived = new Promise<void>((resolve) => (hangArrived = resolve));
    const blocked = invoke("py-http-hang", { hang: true, url: serverUrl });
    await arrived;
    // While it waits for its answer, another function on the same worker answers.
    expect((await invoke("py-http-bystander")).payload).toBe("free");
    const result = await blocked;
    expect(result.error).toBe("Unhandled");
    expect(result.text).toMatch(/timed out after 3\.00 seconds/);
    // The host dropped the request when the call ended.
    await hanging.at(-1)?.closed;
    expect((await invoke("py-http-hang")).payload).toBe("free");
  }, 120_000);

  it("a function flooding with urlopen has one request out at a time and is ended at its timeout; the worker answers on", async () => {
    await deploy(
      "py-http-flood",
      ["import urllib.request", "def lambda_handler(event, context):", "    while True:", "        urllib.request.urlopen(event['url'] + '/count').read()"].join("\n"),
      {},
      3,
    );
    const before = counted.total;
    const result = await invoke("py-http-flood", { url: serverUrl });
    expect(result.error).toBe("Unhandled");
    expect(result.text).toMatch(/timed out after 3\.00 seconds/);
    expect(counted.total - before).toBeGreaterThan(1);
    expect(counted.mostOpen).toBe(1);
    await deploy("py-http-after-flood", "def lambda_handler(event, context):\n    return 'still here'\n");
    expect((await invoke("py-http-after-flood")).payload).toBe("still here");
  }, 120_000);
});
