// Outbound HTTP from Python: pyodide.http.pyfetch (async), and urllib.request and http.client, which block
// until the host's fetch answers; all of it under the egress policy and the host's limits (a refused
// destination, a timeout, a response larger than allowed). Also what the standard library leaves out,
// as docs/runtime.md lists it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createSecureServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionRecord, testInvoker } from "../testing/fixtures.js";
import { vendoredRequests } from "../../../../test/fixtures/python-requests.js";

const MAX_RESPONSE_BYTES = 256 * 1024;
const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"], maxResponseBytes: MAX_RESPONSE_BYTES } });
let server: Server;
let url: string;
/** Requests the server holds without answering (the timeout tests'), answered when the tests end. */
const held = new Set<ServerResponse>();

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = request.url ?? "/";
  const body = await readBody(request);
  if (path === "/missing") {
    response.writeHead(404, "Not Found", { "content-type": "text/plain", "x-reason": "absent" });
    response.end("no such thing");
  } else if (path === "/hang") {
    held.add(response);
  } else if (path.startsWith("/big/")) {
    response.end(Buffer.alloc(Number(path.slice(5)), 120));
  } else if (path === "/gzip") {
    response.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" });
    response.end(gzipSync("squeezed text"));
  } else if (path === "/length") {
    response.end(JSON.stringify({ length: request.headers["content-length"] ?? null, chunked: request.headers["transfer-encoding"] ?? null }));
  } else if (path === "/moved") {
    response.writeHead(302, { location: "/echo?from=moved" });
    response.end();
  } else {
    response.writeHead(201, "Made", { "content-type": "application/json", "set-cookie": ["a=1", "b=2"], "x-served-by": "test" });
    response.end(JSON.stringify({ method: request.method, path, body, type: request.headers["content-type"] ?? null, agent: request.headers["x-agent"] ?? null }));
  }
}

beforeAll(async () => {
  server = createServer((request, response) => void answer(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(async () => {
  t.close();
  for (const response of held) response.end();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let counter = 0;
function deployPython(source: string[], files: Record<string, string> = {}, environment: Record<string, string> = {}): string {
  const functionName = `py-http-${++counter}`;
  t.deploy(
    functionRecord({ functionName, runtime: "python3.12", handler: "lambda_function.lambda_handler", handlerFile: "lambda_function.py", timeout: 30, environment }),
    "# python\n",
    { "lambda_function.py": source.join("\n"), ...files },
  );
  return functionName;
}

async function answerOf(functionName: string, event: unknown): Promise<Record<string, unknown>> {
  const reply = await t.invoke(functionName, event);
  expect(reply.header.functionError, reply.text).toBeUndefined();
  return reply.json as Record<string, unknown>;
}

describe("Python HTTP", () => {
  it("fetches with pyfetch under the egress policy; ssl and sqlite3 are not there", async () => {
    const name = deployPython([
      "import json, importlib",
      "from pyodide.http import pyfetch",
      "def attempt(call):",
      "    try:",
      "        call()",
      "        return 'ran'",
      "    except Exception as error:",
      "        return type(error).__name__",
      "async def lambda_handler(event, context):",
      "    response = await pyfetch(event['url'] + '/hello', method='POST')",
      "    return {",
      "        'status': response.status, 'body': json.loads(await response.string()),",
      "        'ssl': attempt(lambda: importlib.import_module('ssl')), 'sqlite3': attempt(lambda: importlib.import_module('sqlite3')),",
      "    }",
    ]);
    expect(await answerOf(name, { url })).toEqual({
      status: 201,
      body: { method: "POST", path: "/hello", body: "", type: null, agent: null },
      ssl: "ModuleNotFoundError",
      sqlite3: "ModuleNotFoundError",
    });
  });

  it("GETs and POSTs with urllib.request: status, reason, headers, body, redirects followed", async () => {
    const name = deployPython([
      "import json, urllib.request",
        "def lambda_handler(event, context):",
      "    with urllib.request.urlopen(event['url'] + '/things?x=1') as response:",
      "        got = {'status': response.status, 'reason': response.reason, 'type': response.headers['Content-Type'],",
      "               'cookies': response.headers.get_all('Set-Cookie'), 'body': json.loads(response.read()), 'url': response.geturl()}",
      "    request = urllib.request.Request(event['url'] + '/things', data=b'{\"a\": 1}', method='POST',",
      "                                     headers={'Content-Type': 'application/json', 'X-Agent': 'urllib'})",
      "    with urllib.request.urlopen(request) as response:",
      "        lines = list(response)",
      "    posted = json.loads(b''.join(lines))",
      "    with urllib.request.urlopen(event['url'] + '/moved') as response:",
      "        moved = {'status': response.status, 'url': response.geturl(), 'path': json.loads(response.read())['path']}",
      "    with urllib.request.urlopen(event['url'] + '/gzip') as response:",
      "        squeezed = {'body': response.read().decode(), 'encoding': response.headers['Content-Encoding']}",
      "    return {'get': got, 'post': posted, 'moved': moved, 'gzip': squeezed}",
    ]);
    expect(await answerOf(name, { url })).toEqual({
      get: { status: 201, reason: "Made", type: "application/json", cookies: ["a=1", "b=2"], body: { method: "GET", path: "/things?x=1", body: "", type: null, agent: null }, url: `${url}/things?x=1` },
      post: { method: "POST", path: "/things", body: '{"a": 1}', type: "application/json", agent: "urllib" },
      moved: { status: 201, url: `${url}/echo?from=moved`, path: "/echo?from=moved" },
      gzip: { body: "squeezed text", encoding: null },
    });
  });

  it("raises HTTPError for a 404, and URLError for a refused destination, a timeout and a response past the limit", async () => {
    const name = deployPython([
      "import socket, urllib.request, urllib.error",
      "def failure(url, **options):",
      "    try:",
      "        urllib.request.urlopen(url, **options)",
      "        return 'answered'",
      "    except urllib.error.HTTPError as error:",
      "        return {'type': 'HTTPError', 'code': error.code, 'reason': error.reason, 'header': error.headers['X-Reason'], 'body': error.read().decode()}",
      "    except urllib.error.URLError as error:",
      "        return {'type': 'URLError', 'reason': type(error.reason).__name__, 'text': str(error.reason)}",
        "def lambda_handler(event, context):",
      "    base = event['url']",
      "    return {",
      "        'missing': failure(base + '/missing'),",
      "        'refused': failure(event['forbidden'] + '/'),",
      "        'timeout': failure(base + '/hang', timeout=0.5),",
      "        'big': failure(base + '/big/' + str(event['big'])),",
      "        'unresolved': failure('http://no-such-host.invalid/'),",
      "        'fits': len(urllib.request.urlopen(base + '/big/' + str(event['fits'])).read()),",
      "    }",
    ]);
    const forbidden = url.replace("127.0.0.1", "127.0.0.2");
    const result = await answerOf(name, { url, forbidden, big: MAX_RESPONSE_BYTES + 1, fits: MAX_RESPONSE_BYTES });
    expect(result).toEqual({
      missing: { type: "HTTPError", code: 404, reason: "Not Found", header: "absent", body: "no such thing" },
      refused: { type: "URLError", reason: "PermissionError", text: expect.stringMatching(/refused: .*loopback/) },
      timeout: { type: "URLError", reason: "TimeoutError", text: expect.stringMatching(/within 500 ms/) },
      big: { type: "URLError", reason: "OSError", text: expect.stringContaining(`larger than ${MAX_RESPONSE_BYTES} bytes`) },
      unresolved: { type: "URLError", reason: "gaierror", text: expect.stringContaining("could not resolve no-such-host.invalid") },
      fits: MAX_RESPONSE_BYTES,
    });
  });

  it("sends through http.client directly: a kept connection, a chunked body, HEAD, and pyodide.http.open_url", async () => {
    const name = deployPython([
      "import http.client, json",
      "from pyodide.http import open_url",
        "def lambda_handler(event, context):",
      "    connection = http.client.HTTPConnection('127.0.0.1', event['port'], timeout=10)",
      "    connection.request('PUT', '/first', body=iter([b'part one, ', b'part two']), headers={'Content-Type': 'text/plain'})",
      "    first = connection.getresponse()",
      "    chunked = json.loads(first.read())",
      "    connection.request('HEAD', '/second')",
      "    head = connection.getresponse()",
      "    head_answer = {'status': head.status, 'body': head.read(), 'length': head.getheader('Content-Length')}",
      "    connection.putrequest('POST', '/third')",
      "    connection.putheader('Content-Length', '5')",
      "    connection.endheaders()",
      "    connection.send(b'later')",
      "    third = json.loads(connection.getresponse().read())",
      "    connection.request('POST', '/length', body=b'')",
      "    empty = json.loads(connection.getresponse().read())",
      "    connection.close()",
      "    opened = json.loads(open_url(event['url'] + '/opened').read())",
      "    return {'chunked': chunked, 'head': {**head_answer, 'body': head_answer['body'].decode()}, 'third': third, 'empty': empty, 'opened': opened['path'],",
      "            'https': hasattr(http.client, 'HTTPSConnection')}",
    ]);
    const port = Number(new URL(url).port);
    const result = await answerOf(name, { url, port });
    expect(result).toMatchObject({
      chunked: { method: "PUT", path: "/first", body: "part one, part two", type: "text/plain" },
      head: { status: 201, body: "" },
      third: { method: "POST", path: "/third", body: "later" },
      empty: { length: "0", chunked: null },
      opened: "/opened",
      https: true,
    });
  });

  it("runs vendored requests over urllib3's Emscripten backend, through the same host fetch", async () => {
    const name = deployPython(
      [
        // Imported in the call, under the function's 30 s timeout, rather than at init's fixed 10 s:
        // importing requests and urllib3 takes seconds on a loaded machine.
        "import json",
        "requests = None",
        "def failure(call):",
        "    try:",
        "        call()",
        "        return 'answered'",
        "    except requests.RequestException as error:",
        "        return f'{type(error).__name__}: {error}'",
        "def lambda_handler(event, context):",
        "    global requests",
        "    import requests",
        "    base = event['url']",
        "    got = requests.get(base + '/things', params={'q': 'a b'}, headers={'X-Agent': 'requests'})",
        "    posted = requests.post(base + '/things', json={'a': 1})",
        "    with requests.Session() as session:",
        "        moved = session.get(base + '/moved').json()['path']",
        "        squeezed = session.get(base + '/gzip').text",
        "    missing = requests.get(base + '/missing')",
        "    return {",
        "        'get': {'status': got.status_code, 'type': got.headers['content-type'], 'body': got.json()},",
        "        'post': posted.json(), 'moved': moved, 'gzip': squeezed, 'missing': [missing.status_code, missing.text, missing.ok],",
        "        'refused': failure(lambda: requests.get(event['forbidden'] + '/')),",
        "        'timeout': failure(lambda: requests.get(base + '/hang', timeout=0.5)),",
        "        'big': failure(lambda: requests.get(base + '/big/' + str(event['big']))),",
        "    }",
      ],
      vendoredRequests(),
    );
    const forbidden = url.replace("127.0.0.1", "127.0.0.2");
    expect(await answerOf(name, { url, forbidden, big: MAX_RESPONSE_BYTES + 1 })).toEqual({
      get: { status: 201, type: "application/json", body: { method: "GET", path: "/things?q=a+b", body: "", type: null, agent: "requests" } },
      post: { method: "POST", path: "/things", body: '{"a": 1}', type: "application/json", agent: null },
      moved: "/echo?from=moved",
      gzip: "squeezed text",
      missing: [404, "no such thing", false],
      // urllib3's Emscripten backend reports a timeout as a failed connection, so requests raises ConnectionError.
      refused: expect.stringMatching(/^ConnectionError: .*refused: .*loopback/),
      timeout: expect.stringMatching(/^ConnectionError: .*within 500 ms/),
      big: expect.stringMatching(/^ConnectionError: .*larger than 262144 bytes/),
    });
  });

  it("fetches while the module is imported, and from an environment whose calls run on the main thread", async () => {
    const name = deployPython(
      [
        "import json, os, urllib.request",
        "AT_IMPORT = json.loads(urllib.request.urlopen(os.environ['SERVER'] + '/at-import').read())['path']",
        "def lambda_handler(event, context):",
        "    if not event.get('fetch'):",
        "        return AT_IMPORT",
        "    return json.loads(urllib.request.urlopen(os.environ['SERVER'] + '/in-call').read())['path']",
      ],
      {},
      { SERVER: url },
    );
    // Quick calls move an environment's calls onto the main thread (pool/entry-modes.ts), where the
    // isolate cannot wait for the host: a call that fetches there is run again on a thread of its own.
    for (let i = 0; i < 4; i++) expect((await t.invoke(name, {})).json).toBe("/at-import");
    expect((await t.invoke(name, { fetch: true })).json).toBe("/in-call");
    expect((await t.invoke(name, { fetch: true })).json).toBe("/in-call");
  });

  it("ends a request the module makes while it is imported at the initialisation's deadline, not the fetch timeout's", async () => {
    // A fetch timeout far past the initialisation's 10 s: only the deadline can end this request in time.
    const patient = testInvoker({}, { fetch: { allow: ["127.0.0.1"], timeoutMs: 900_000 } });
    try {
      patient.deploy(
        functionRecord({ functionName: "py-http-init-hang", runtime: "python3.12", handler: "lambda_function.lambda_handler", handlerFile: "lambda_function.py", timeout: 30, environment: { SERVER: url } }),
        "# python\n",
        { "lambda_function.py": ["import os, urllib.request", "urllib.request.urlopen(os.environ['SERVER'] + '/hang')", "def lambda_handler(event, context):", "    return 'unreachable'"].join("\n") },
      );
      const arrivedBefore = held.size;
      const reply = await patient.invoke("py-http-init-hang", {});
      expect(reply.header.functionError, reply.text).toBeTruthy();
      expect(held.size).toBe(arrivedBefore + 1);
      // The host let the request go when the initialisation ended.
      const request = [...held].at(-1) as ServerResponse;
      if (!request.closed) await new Promise((resolve) => request.once("close", resolve));
      expect(request.closed).toBe(true);
    } finally {
      patient.close();
    }
  }, 120_000);

  it("sends https through the host's TLS, which checks the certificate: a self-signed server is refused", async () => {
    // A self-signed certificate for 127.0.0.1, made with openssl (as the sockets tests make theirs).
    const directory = mkdtempSync(join(tmpdir(), "lambent-py-tls-"));
    const [cert, key] = [join(directory, "cert.pem"), join(directory, "key.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2"], { stdio: "ignore" });
    const secure = createSecureServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_request, response) => response.end("secret"));
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    try {
      const address = secure.address();
      const secureUrl = `https://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      const name = deployPython([
        "import http.client, urllib.request, urllib.error",
        "def lambda_handler(event, context):",
        "    try:",
        "        urllib.request.urlopen(event['url'])",
        "        via_urllib = 'answered'",
        "    except urllib.error.URLError as error:",
        "        via_urllib = f'{type(error.reason).__name__}: {error.reason}'",
        "    connection = http.client.HTTPSConnection('127.0.0.1', event['port'])",
        "    try:",
        "        connection.request('GET', '/')",
        "        via_client = connection.getresponse().read().decode()",
        "    except OSError as error:",
        "        via_client = f'{type(error).__name__}: {error}'",
        "    return {'urllib': via_urllib, 'client': via_client}",
      ]);
      const port = Number(new URL(secureUrl).port);
      expect(await answerOf(name, { url: secureUrl, port })).toEqual({
        urllib: expect.stringMatching(/^ConnectionError: .*self[- ]signed certificate/),
        client: expect.stringMatching(/^ConnectionError: .*self[- ]signed certificate/),
      });
    } finally {
      secure.closeAllConnections();
      await new Promise((resolve) => secure.close(resolve));
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
