// account, concurrency and provisioned against a small local server that keeps reserved and provisioned
// concurrency the way Lambda's REST API does (paths, status codes, `{}` without a reservation, 404s,
// list pages of one item).
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import type { CliIo } from "./command.js";
import { qualifierOfArn } from "./commands/provisioned.js";

interface Recorded {
  method: string;
  path: string;
  body: string;
}

interface FakeLambda {
  endpoint: string;
  requests: Recorded[];
  reserved: Map<string, number>;
  provisioned: Map<string, number>;
  close(): Promise<void>;
}

const ARN = "arn:aws:lambda:local:000000000000:function:hello";
const LIMIT = 20;

async function startFakeLambda(): Promise<FakeLambda> {
  const requests: Recorded[] = [];
  const reserved = new Map<string, number>();
  const provisioned = new Map<string, number>();
  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "Content-Type": "application/json", ...headers });
    response.end(body === undefined ? "" : JSON.stringify(body));
  };
  const error = (response: ServerResponse, status: number, type: string, message: string) =>
    send(response, status, { Type: "User", message }, { "x-amzn-ErrorType": type });
  const config = (qualifier: string) => ({
    RequestedProvisionedConcurrentExecutions: provisioned.get(qualifier)!,
    AvailableProvisionedConcurrentExecutions: 1,
    AllocatedProvisionedConcurrentExecutions: 1,
    Status: provisioned.get(qualifier) === 1 ? "READY" : "IN_PROGRESS",
    LastModified: "2025-01-01T00:00:00.000+0000",
  });

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const body = Buffer.concat(chunks).toString("utf8");
      const input = (body === "" ? {} : JSON.parse(body)) as Record<string, unknown>;
      requests.push({ method: request.method ?? "", path: url.pathname + url.search, body });
      const method = request.method;

      if (method === "GET" && url.pathname === "/2016-08-19/account-settings") {
        let total = 0;
        for (const count of reserved.values()) total += count;
        return send(response, 200, {
          AccountLimit: { TotalCodeSize: 80_530_636_800, CodeSizeUnzipped: 262_144_000, CodeSizeZipped: 52_428_800, ConcurrentExecutions: LIMIT, UnreservedConcurrentExecutions: LIMIT - total },
          AccountUsage: { TotalCodeSize: 2048, FunctionCount: 1 },
        });
      }
      const match = /^\/(2017-10-31|2019-09-30)\/functions\/([^/]+)\/(concurrency|provisioned-concurrency)$/.exec(url.pathname);
      if (!match) return error(response, 404, "UnknownOperationException", "no route");
      const [, date, rawName, resource] = match;
      const name = decodeURIComponent(rawName!);
      if (name !== "hello") return error(response, 404, "ResourceNotFoundException", `Function not found: ${name}`);

      if (resource === "concurrency") {
        if (method === "PUT" && date === "2017-10-31") {
          const count = input.ReservedConcurrentExecutions as number;
          if (LIMIT - count < 5) return error(response, 400, "InvalidParameterValueException", "decreases account's UnreservedConcurrentExecution below its minimum value of [5].");
          reserved.set(name, count);
          return send(response, 200, { ReservedConcurrentExecutions: count });
        }
        if (method === "GET" && date === "2019-09-30") {
          return send(response, 200, reserved.has(name) ? { ReservedConcurrentExecutions: reserved.get(name) } : {});
        }
        if (method === "DELETE" && date === "2017-10-31") {
          reserved.delete(name);
          return send(response, 204);
        }
        return error(response, 404, "UnknownOperationException", "no route");
      }

      if (method === "GET" && url.searchParams.get("List") === "ALL") {
        const all = [...provisioned.keys()].sort();
        const start = Number(url.searchParams.get("Marker") ?? "0");
        const page = all.slice(start, start + 1).map((qualifier) => ({ FunctionArn: `${ARN}:${qualifier}`, ...config(qualifier) }));
        return send(response, 200, { ProvisionedConcurrencyConfigs: page, ...(start + 1 < all.length ? { NextMarker: String(start + 1) } : {}) });
      }
      const qualifier = url.searchParams.get("Qualifier") ?? "";
      if (qualifier === "$LATEST") {
        return error(response, 400, "InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
      }
      if (method === "PUT") {
        provisioned.set(qualifier, input.ProvisionedConcurrentExecutions as number);
        return send(response, 202, config(qualifier));
      }
      if (!provisioned.has(qualifier)) {
        return error(response, 404, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function");
      }
      if (method === "GET") return send(response, 200, config(qualifier));
      if (method === "DELETE") {
        provisioned.delete(qualifier);
        return send(response, 204);
      }
      return error(response, 404, "UnknownOperationException", "no route");
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    reserved,
    provisioned,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}

const PROVISIONED = "/2019-09-30/functions/hello/provisioned-concurrency";

describe("lambent account, concurrency and provisioned against a Lambda REST API", () => {
  let lambda: FakeLambda;

  const run = async (argv: string[], env: Record<string, string> = {}) => {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
      stdout: { write: (text) => (stdout += text) },
      stderr: { write: (text) => (stderr += text) },
      env: { LAMBENT_ENDPOINT: lambda.endpoint, ...env },
      cwd: "/",
    };
    const code = await runCli(argv, io);
    return { code, stdout, stderr };
  };
  const calls = () => lambda.requests.map((r) => `${r.method} ${r.path}`);
  const bodyOf = (index: number) => JSON.parse(lambda.requests.at(index)!.body) as unknown;

  beforeEach(async () => {
    lambda = await startFakeLambda();
  });
  afterEach(async () => {
    await lambda.close();
  });

  it("account prints limits and usage, or the response as JSON", async () => {
    lambda.reserved.set("hello", 5);
    const result = await run(["account"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(calls()).toEqual(["GET /2016-08-19/account-settings"]);
    expect(result.stdout).toMatch(/^ConcurrentExecutions:\s+20$/m);
    expect(result.stdout).toMatch(/^UnreservedConcurrentExecutions:\s+15$/m);
    expect(result.stdout).toMatch(/^FunctionCount:\s+1$/m);
    expect(result.stdout).toMatch(/^TotalCodeSize:\s+2\.0 KiB of 75\.0 GiB$/m);
    expect(result.stdout).toMatch(/^CodeSizeZipped:\s+50\.0 MiB$/m);

    const json = await run(["account", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ AccountLimit: { UnreservedConcurrentExecutions: 15 }, AccountUsage: { FunctionCount: 1 } });
  });

  it("concurrency shows, sets (0 included) and removes a reservation", async () => {
    const none = await run(["concurrency", "hello"]);
    expect(none).toMatchObject({ code: 0, stdout: "hello: no reserved concurrency, it shares the unreserved pool\n" });
    expect(calls()).toEqual(["GET /2019-09-30/functions/hello/concurrency"]);
    lambda.requests.length = 0;

    const set = await run(["concurrency", "hello", "--reserved", "5"]);
    expect(set).toMatchObject({ code: 0, stdout: "hello: 5 reserved\n" });
    expect(calls()).toEqual(["PUT /2017-10-31/functions/hello/concurrency"]);
    expect(bodyOf(0)).toEqual({ ReservedConcurrentExecutions: 5 });
    expect((await run(["concurrency", "hello"])).stdout).toBe("hello: 5 reserved\n");

    const zero = await run(["concurrency", "--reserved", "0", "--json"], { LAMBENT_FUNCTION: "hello" });
    expect(JSON.parse(zero.stdout)).toEqual({ ReservedConcurrentExecutions: 0 });
    expect(lambda.reserved.get("hello")).toBe(0);
    expect(JSON.parse((await run(["concurrency", "hello", "--json"])).stdout)).toEqual({ ReservedConcurrentExecutions: 0 });
    lambda.requests.length = 0;

    const removed = await run(["concurrency", "hello", "--delete"]);
    expect(removed).toMatchObject({ code: 0, stdout: "hello: reservation removed, it shares the unreserved pool\n" });
    expect(calls()).toEqual(["DELETE /2017-10-31/functions/hello/concurrency"]);
    expect(lambda.reserved.has("hello")).toBe(false);
    expect(JSON.parse((await run(["concurrency", "hello", "--delete", "--json"])).stdout)).toEqual({ FunctionName: "hello", Deleted: true });
    expect(JSON.parse((await run(["concurrency", "hello", "--json"])).stdout)).toEqual({});
  });

  it("concurrency reports the API's refusal and an unknown function with exit 1", async () => {
    const tooMuch = await run(["concurrency", "hello", "--reserved", "16"]);
    expect(tooMuch).toMatchObject({ code: 1, stdout: "" });
    expect(tooMuch.stderr).toMatch(/^error: InvalidParameterValueException: .*minimum value of \[5\]/);
    const missing = await run(["concurrency", "nope"]);
    expect(missing).toMatchObject({ code: 1, stderr: "error: ResourceNotFoundException: Function not found: nope\n" });
  });

  it("provisioned lists every page, or says there is none", async () => {
    expect((await run(["provisioned", "hello"])).stdout).toBe("no provisioned concurrency for hello\n");
    lambda.provisioned.set("1", 1);
    lambda.provisioned.set("prod", 3);
    lambda.requests.length = 0;

    const table = await run(["provisioned", "hello"]);
    expect(table.code).toBe(0);
    expect(calls()).toEqual([`GET ${PROVISIONED}?List=ALL`, `GET ${PROVISIONED}?List=ALL&Marker=1`]);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^QUALIFIER\s+REQUESTED\s+ALLOCATED\s+STATUS\s+LAST MODIFIED$/);
    expect(lines[1]).toMatch(/^1\s+1\s+1\s+READY\s+2025-01-01T00:00:00.000\+0000$/);
    expect(lines[2]).toMatch(/^prod\s+3\s+1\s+IN_PROGRESS\s+2025-01-01T00:00:00.000\+0000$/);

    const json = await run(["provisioned", "hello", "--json"]);
    const configs = (JSON.parse(json.stdout) as { ProvisionedConcurrencyConfigs: { FunctionArn: string }[] }).ProvisionedConcurrencyConfigs;
    expect(configs.map((config) => config.FunctionArn)).toEqual([`${ARN}:1`, `${ARN}:prod`]);
  });

  it("provisioned sets, shows and deletes one qualifier's config", async () => {
    const set = await run(["provisioned", "hello", "--qualifier", "prod", "--count", "3"]);
    expect(set).toMatchObject({ code: 0, stderr: "", stdout: "hello:prod: 3 requested, 1 allocated (IN_PROGRESS)\n" });
    expect(calls()).toEqual([`PUT ${PROVISIONED}?Qualifier=prod`]);
    expect(bodyOf(0)).toEqual({ ProvisionedConcurrentExecutions: 3 });
    lambda.requests.length = 0;

    const shown = await run(["provisioned", "--qualifier", "prod"], { LAMBENT_FUNCTION: "hello" });
    expect(shown.code).toBe(0);
    expect(calls()).toEqual([`GET ${PROVISIONED}?Qualifier=prod`]);
    expect(shown.stdout).toMatch(/^Qualifier:\s+prod$/m);
    expect(shown.stdout).toMatch(/^Requested:\s+3$/m);
    expect(shown.stdout).toMatch(/^Allocated:\s+1$/m);
    expect(shown.stdout).toMatch(/^Status:\s+IN_PROGRESS$/m);
    expect(JSON.parse((await run(["provisioned", "hello", "--qualifier", "prod", "--json"])).stdout)).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 3,
    });
    lambda.requests.length = 0;

    const deleted = await run(["provisioned", "hello", "--qualifier", "prod", "--delete"]);
    expect(deleted).toMatchObject({ code: 0, stdout: "deleted provisioned concurrency of hello:prod\n" });
    expect(calls()).toEqual([`DELETE ${PROVISIONED}?Qualifier=prod`]);
    const gone = await run(["provisioned", "hello", "--qualifier", "prod"]);
    expect(gone).toMatchObject({ code: 1, stderr: "error: ProvisionedConcurrencyConfigNotFoundException: No Provisioned Concurrency Config found for this function\n" });

    const latest = await run(["provisioned", "hello", "--qualifier", "$LATEST", "--count", "1"]);
    expect(latest.code).toBe(1);
    expect(latest.stderr).toContain("InvalidParameterValueException: Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
  });

  it("bad usage exits 2 with the usage and sends nothing", async () => {
    const cases: [string[], RegExp][] = [
      [["concurrency", "hello", "--reserved", "-1"], /Option '--reserved' argument is ambiguous/],
      [["concurrency", "hello", "--reserved=-1"], /--reserved must be a whole number/],
      [["concurrency", "hello", "--reserved", "1.5"], /--reserved must be a whole number/],
      [["concurrency", "hello", "--reserved", "x"], /--reserved must be a whole number/],
      [["concurrency", "hello", "--reserved", "2", "--delete"], /cannot be combined/],
      [["concurrency"], /the function name comes first/],
      [["concurrency", "hello", "extra"], /unexpected argument 'extra'/],
      [["provisioned", "hello", "--count", "2"], /--count needs --qualifier/],
      [["provisioned", "hello", "--delete"], /--delete needs --qualifier/],
      [["provisioned", "hello", "--qualifier", "1", "--count", "0"], /--count must be a positive whole number/],
      [["provisioned", "hello", "--qualifier", "1", "--count", "2", "--delete"], /cannot be combined/],
      [["provisioned", "hello", "--qualifier", ""], /--qualifier is empty/],
      [["provisioned"], /the function name comes first/],
      [["account", "extra"], /unexpected argument 'extra'/],
      [["account", "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr, argv.join(" ")).toMatch(message);
      expect(result.stderr, argv.join(" ")).toContain("Usage: lambent");
    }
    expect(lambda.requests).toEqual([]);
  });

  it("--help prints each command's usage; the main usage lists them", async () => {
    for (const name of ["account", "concurrency", "provisioned"]) {
      const help = await run([name, "--help"]);
      expect(help).toMatchObject({ code: 0, stderr: "" });
      expect(help.stdout).toContain(`Usage: lambent ${name}`);
    }
    const main = await run(["--help"]);
    expect(main.stdout).toMatch(/^ {2}account\s+show the account's/m);
    expect(main.stdout).toMatch(/^ {2}concurrency\s+show, set or remove a function's reserved concurrency$/m);
    expect(main.stdout).toMatch(/^ {2}provisioned\s+list, show, set or remove provisioned concurrency$/m);
  });
});

describe("qualifierOfArn", () => {
  it("takes the version or alias from a qualified ARN, and nothing from an unqualified one", () => {
    expect(qualifierOfArn(`${ARN}:7`)).toBe("7");
    expect(qualifierOfArn(`${ARN}:prod`)).toBe("prod");
    expect(qualifierOfArn(ARN)).toBe("");
  });
});
