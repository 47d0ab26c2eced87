// The CLI's flow against a small local server that answers the few Lambda REST responses it needs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import type { CliIo } from "./command.js";

interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

interface FakeLambda {
  endpoint: string;
  requests: Recorded[];
  functions: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

async function startFakeLambda(): Promise<FakeLambda> {
  const requests: Recorded[] = [];
  const functions = new Map<string, Record<string, unknown>>();

  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
    response.writeHead(status, { "Content-Type": "application/json", "x-amzn-RequestId": "req-1", ...headers });
    response.end(text);
  };
  const notFound = (response: ServerResponse, name: string) =>
    send(response, 404, { Type: "User", message: `Function not found: ${name}` }, { "x-amzn-ErrorType": "ResourceNotFoundException" });

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: request.method ?? "", path: url.pathname + url.search, headers: request.headers, body });
      const match = /^\/2015-03-31\/functions\/([^/]+)(\/[a-z]+)?$/.exec(url.pathname);
      const name = match ? decodeURIComponent(match[1]!) : "";
      const existing = functions.get(name);

      if (request.method === "GET" && url.pathname === "/2015-03-31/functions/") {
        const all = [...functions.values()];
        const start = Number(url.searchParams.get("Marker") ?? "0");
        const page = all.slice(start, start + 1);
        return send(response, 200, { Functions: page, ...(start + 1 < all.length ? { NextMarker: String(start + 1) } : {}) });
      }
      if (request.method === "POST" && url.pathname === "/2015-03-31/functions") {
        const input = JSON.parse(body) as Record<string, unknown> & { Code: { ZipFile: string } };
        const { Code, ...rest } = input;
        const configuration = { ...rest, CodeSha256: "sha-1", CodeSize: Buffer.from(Code.ZipFile, "base64").length, State: "Pending" };
        functions.set(input.FunctionName as string, configuration);
        return send(response, 201, configuration);
      }
      if (!match) return send(response, 404, { message: "no route" }, { "x-amzn-ErrorType": "UnknownOperationException" });
      if (name === "broken") return send(response, 500, { Type: "Service", Message: "the registry is down" }, { "x-amzn-ErrorType": "ServiceException:http://internal" });
      if (existing === undefined) return notFound(response, name);

      if (request.method === "GET" && match[2] === undefined) return send(response, 200, { Configuration: existing, Code: { RepositoryType: "S3", Location: "" } });
      if (request.method === "GET" && match[2] === "/configuration") return send(response, 200, existing);
      if (request.method === "PUT" && match[2] === "/code") {
        Object.assign(existing, { CodeSha256: "sha-2", LastUpdateStatus: "Successful" });
        return send(response, 200, existing);
      }
      if (request.method === "PUT" && match[2] === "/configuration") {
        Object.assign(existing, JSON.parse(body));
        return send(response, 200, existing);
      }
      if (request.method === "DELETE" && match[2] === undefined) {
        functions.delete(name);
        return send(response, 204);
      }
      if (request.method === "POST" && match[2] === "/invocations") {
        const headers: Record<string, string> = { "X-Amz-Executed-Version": "$LATEST" };
        if (request.headers["x-amz-log-type"] === "Tail") headers["X-Amz-Log-Result"] = Buffer.from("START RequestId: req-1\nhello from the log\n").toString("base64");
        if (request.headers["x-amz-invocation-type"] === "Event") return send(response, 202, undefined, headers);
        if (name === "fails") {
          headers["X-Amz-Function-Error"] = "Unhandled";
          return send(response, 200, { errorType: "Error", errorMessage: "boom", trace: [] }, headers);
        }
        return send(response, 200, { echo: JSON.parse(body) as unknown }, headers);
      }
      return send(response, 405, { message: "unexpected" }, { "x-amzn-ErrorType": "InvalidRequestContentException" });
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    functions,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

describe("lambent against a Lambda REST API", () => {
  let lambda: FakeLambda;
  let folder: string;

  const run = async (argv: string[], env: Record<string, string> = {}): Promise<Captured> => {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
      stdout: { write: (text) => (stdout += text) },
      stderr: { write: (text) => (stderr += text) },
      env: { LAMBENT_ENDPOINT: lambda.endpoint, ...env },
      cwd: folder,
    };
    const code = await runCli(argv, io);
    return { code, stdout, stderr };
  };

  beforeEach(async () => {
    lambda = await startFakeLambda();
    folder = await mkdtemp(join(tmpdir(), "lambent-cli-"));
    await writeFile(join(folder, "index.mjs"), "export const handler = async (event) => event;\n");
  });

  afterEach(async () => {
    await lambda.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("deploy creates the function when GetFunction answers 404", async () => {
    const result = await run(["deploy", ".", "--name", "hello", "--env", "A=1", "--description", "hi"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("created function hello");
    expect(result.stdout).toContain("sha-1");
    expect(lambda.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /2015-03-31/functions/hello", "POST /2015-03-31/functions"]);
    const create = JSON.parse(lambda.requests[1]!.body) as Record<string, unknown> & { Code: { ZipFile: string } };
    expect(create).toMatchObject({
      FunctionName: "hello",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/lambent",
      MemorySize: 128,
      Timeout: 3,
      Environment: { Variables: { A: "1" } },
      Description: "hi",
    });
    const files = unzipSync(new Uint8Array(Buffer.from(create.Code.ZipFile, "base64")));
    expect(strFromU8(files["index.mjs"]!)).toContain("export const handler");
  });

  it("deploy updates the code when the function exists, and the configuration only when flags ask", async () => {
    await run(["deploy", ".", "--name", "hello"]);
    lambda.requests.length = 0;

    const codeOnly = await run(["deploy", ".", "--name", "hello"]);
    expect(codeOnly.code).toBe(0);
    expect(codeOnly.stdout).toContain("updated code of function hello");
    expect(codeOnly.stdout).toContain("sha-2");
    expect(lambda.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /2015-03-31/functions/hello", "PUT /2015-03-31/functions/hello/code"]);
    expect(Object.keys(JSON.parse(lambda.requests[1]!.body) as object)).toEqual(["ZipFile"]);
    lambda.requests.length = 0;

    const withConfig = await run(["deploy", ".", "--name", "hello", "--memory", "256", "--json"]);
    expect(withConfig.code).toBe(0);
    expect(lambda.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /2015-03-31/functions/hello",
      "PUT /2015-03-31/functions/hello/code",
      "PUT /2015-03-31/functions/hello/configuration",
    ]);
    expect(JSON.parse(lambda.requests[2]!.body)).toEqual({ MemorySize: 256 });
    expect(JSON.parse(withConfig.stdout)).toMatchObject({ FunctionName: "hello", MemorySize: 256, CodeSha256: "sha-2" });
  });

  it("invoke prints the payload, sends the qualifier, and shows the log tail on stderr with --log", async () => {
    await run(["deploy", ".", "--name", "echo"]);
    const result = await run(["invoke", "echo", "--payload", '{"x":1}', "--qualifier", "prod", "--log"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ echo: { x: 1 } });
    expect(result.stderr).toContain("hello from the log");
    const invoke = lambda.requests.at(-1)!;
    expect(invoke.path).toBe("/2015-03-31/functions/echo/invocations?Qualifier=prod");
    expect(invoke.headers["x-amz-log-type"]).toBe("Tail");
    expect(invoke.headers["x-amz-invocation-type"]).toBe("RequestResponse");
  });

  it("invoke reads --payload-file and queues with --async", async () => {
    await run(["deploy", ".", "--name", "echo"]);
    await writeFile(join(folder, "event.json"), '{"from":"file"}');
    const result = await run(["invoke", "echo", "--payload-file", "event.json", "--async"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("queued event for echo (status 202");
    const invoke = lambda.requests.at(-1)!;
    expect(invoke.body).toBe('{"from":"file"}');
    expect(invoke.headers["x-amz-invocation-type"]).toBe("Event");
  });

  it("invoke exits 1 and prints the error payload when the function fails", async () => {
    await run(["deploy", ".", "--name", "fails"]);
    const result = await run(["invoke", "fails"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ errorType: "Error", errorMessage: "boom" });
    expect(result.stderr).toContain("Unhandled");
  });

  it("invoke --json prints the whole result", async () => {
    await run(["deploy", ".", "--name", "echo"]);
    const result = await run(["invoke", "echo", "--json", "--payload", "[1]"]);
    expect(JSON.parse(result.stdout)).toEqual({ StatusCode: 200, ExecutedVersion: "$LATEST", Payload: { echo: [1] } });
  });

  it("an API error prints its type and message and exits non-zero", async () => {
    const missing = await run(["get", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: ResourceNotFoundException: Function not found: nope\n");

    const broken = await run(["invoke", "broken"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe("error: ServiceException: the registry is down\n");
  });

  it("list follows NextMarker and prints a table, or the functions as JSON", async () => {
    for (const name of ["alpha", "beta", "gamma"]) await run(["deploy", ".", "--name", name, "--memory", "256"]);
    lambda.requests.length = 0;
    const table = await run(["list"]);
    expect(table.code).toBe(0);
    expect(lambda.requests.map((r) => r.path)).toEqual(["/2015-03-31/functions/", "/2015-03-31/functions/?Marker=1", "/2015-03-31/functions/?Marker=2"]);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+RUNTIME\s+MEMORY\s+TIMEOUT\s+LAST MODIFIED$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(["alpha", "beta", "gamma"]);
    expect(lines[1]).toContain("256 MB");

    const json = await run(["--json", "list"]);
    expect((JSON.parse(json.stdout) as { Functions: { FunctionName: string }[] }).Functions.map((f) => f.FunctionName)).toEqual(["alpha", "beta", "gamma"]);
  });

  it("get shows the configuration; delete removes the function", async () => {
    await run(["deploy", ".", "--name", "hello", "--env", "A=1"]);
    const shown = await run(["get", "hello"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Name:\s+hello/);
    expect(shown.stdout).toMatch(/Environment:\s+A=1/);
    expect(JSON.parse((await run(["get", "hello", "--json"])).stdout)).toMatchObject({ Configuration: { FunctionName: "hello" } });

    const deleted = await run(["delete", "hello"]);
    expect(deleted).toMatchObject({ code: 0, stdout: "deleted function hello\n" });
    expect(lambda.functions.has("hello")).toBe(false);
  });

  it("an unreachable endpoint names it and exits 2", async () => {
    const address = lambda.endpoint;
    await lambda.close();
    const result = await run(["list"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot reach Lambent at ${address}`);
    lambda = await startFakeLambda();
  });

  it("the --endpoint flag wins over LAMBENT_ENDPOINT, also before the command name", async () => {
    const result = await run(["--endpoint", lambda.endpoint, "list"], { LAMBENT_ENDPOINT: "http://127.0.0.1:1" });
    expect(result).toMatchObject({ code: 0, stdout: "no functions\n" });
  });

  it("bad usage prints usage and exits 2; --help exits 0", async () => {
    const cases: string[][] = [[], ["frobnicate"], ["deploy", "."], ["deploy", "missing-dir", "--name", "x"], ["deploy", ".", "--name", "x", "--env", "K"], ["invoke"], ["invoke", "f", "--payload", "{"], ["invoke", "f", "--payload", "{}", "--payload-file", "x"], ["list", "--bogus"], ["get", "a", "b"]];
    for (const argv of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr, argv.join(" ")).toContain("Usage: lambent");
    }
    expect(lambda.requests).toEqual([]);

    const help = await run(["--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toContain("Commands:");
    const deployHelp = await run(["deploy", "--help"]);
    expect(deployHelp.code).toBe(0);
    expect(deployHelp.stdout).toContain("Usage: lambent deploy <dir> --name NAME");
    expect((await run(["help", "invoke"])).stdout).toContain("Usage: lambent invoke");
  });
});
