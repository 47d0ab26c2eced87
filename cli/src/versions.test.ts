// publish, versions, alias and rollback against a small local server that keeps versions and aliases
// the way Lambda's REST API does (paths, RevisionIds, 404 for a missing alias, pages of one item).
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { UsageError, splitFunctionName, type CliIo } from "./command.js";
import { describeRouting, parseRouting, parseWeight } from "./commands/alias.js";

interface Recorded {
  method: string;
  path: string;
  body: string;
}

interface Alias {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
  PreviousVersion?: string;
}

interface FakeLambda {
  endpoint: string;
  requests: Recorded[];
  aliases: Map<string, Alias>;
  versions: string[];
  /** When set, every GetAlias is followed by someone else moving the alias (a new RevisionId). */
  raceAfterGetAlias: boolean;
  close(): Promise<void>;
}

const ARN = "arn:aws:lambda:local:000000000000:function:hello";

async function startFakeLambda(): Promise<FakeLambda> {
  const requests: Recorded[] = [];
  const aliases = new Map<string, Alias>();
  const versions: string[] = [];
  let revision = 0;
  const nextRevision = () => `rev-${(revision += 1)}`;
  const configuration = (version: string) => ({
    FunctionName: "hello",
    FunctionArn: version === "$LATEST" ? ARN : `${ARN}:${version}`,
    Version: version,
    CodeSha256: version === "$LATEST" ? "sha-latest" : `sha-${version}`,
    LastModified: "2025-01-01T00:00:00.000+0000",
    Description: version === "$LATEST" ? "" : `release ${version}`,
  });

  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "Content-Type": "application/json", ...headers });
    response.end(body === undefined ? "" : JSON.stringify(body));
  };
  const error = (response: ServerResponse, status: number, type: string, message: string) =>
    send(response, status, { Type: "User", message }, { "x-amzn-ErrorType": type });
  const page = <T>(response: ServerResponse, field: string, items: T[], marker: string | null) => {
    const start = Number(marker ?? "0");
    send(response, 200, { [field]: items.slice(start, start + 1), NextMarker: start + 1 < items.length ? String(start + 1) : null });
  };

  const fake: FakeLambda = {
    endpoint: "",
    requests,
    aliases,
    versions,
    raceAfterGetAlias: false,
    close: () => closeServer(server),
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const body = Buffer.concat(chunks).toString("utf8");
      const input = (body === "" ? {} : JSON.parse(body)) as Record<string, unknown>;
      requests.push({ method: request.method ?? "", path: url.pathname + url.search, body });
      const match = /^\/2015-03-31\/functions\/([^/]+)(?:\/(versions|aliases)(?:\/([^/]+))?)?$/.exec(url.pathname);
      if (!match) return error(response, 404, "UnknownOperationException", "no route");
      const [, rawName, collection, rawAlias] = match;
      const name = decodeURIComponent(rawName!);
      if (name === "broken") return error(response, 500, "ServiceException", "the registry is down");
      if (name !== "hello") return error(response, 404, "ResourceNotFoundException", `Function not found: ${name}`);
      const method = request.method;

      if (collection === undefined && method === "DELETE") {
        const qualifier = url.searchParams.get("Qualifier");
        if (qualifier !== null) versions.splice(versions.indexOf(qualifier), 1);
        return send(response, 204);
      }
      if (collection === "versions" && method === "POST") {
        if (input.CodeSha256 !== undefined && input.CodeSha256 !== "sha-latest") {
          return error(response, 412, "PreconditionFailedException", "CodeSha256 does not match $LATEST");
        }
        const version = String(versions.length + 1);
        versions.push(version);
        return send(response, 201, { ...configuration(version), Description: input.Description ?? "" });
      }
      if (collection === "versions" && method === "GET") {
        return page(response, "Versions", ["$LATEST", ...versions].map(configuration), url.searchParams.get("Marker"));
      }
      if (collection === "aliases" && rawAlias === undefined && method === "POST") {
        const aliasName = String(input.Name);
        if (aliases.has(aliasName)) return error(response, 409, "ResourceConflictException", `Alias already exists: ${aliasName}`);
        const alias: Alias = {
          AliasArn: `${ARN}:${aliasName}`,
          Name: aliasName,
          FunctionVersion: String(input.FunctionVersion),
          Description: typeof input.Description === "string" ? input.Description : "",
          RevisionId: nextRevision(),
          ...(input.RoutingConfig === undefined ? {} : { RoutingConfig: input.RoutingConfig as Alias["RoutingConfig"] }),
        };
        aliases.set(aliasName, alias);
        return send(response, 201, alias);
      }
      if (collection === "aliases" && rawAlias === undefined && method === "GET") {
        const version = url.searchParams.get("FunctionVersion");
        const all = [...aliases.values()].filter((alias) => version === null || alias.FunctionVersion === version);
        return page(response, "Aliases", all, url.searchParams.get("Marker"));
      }
      if (collection === "aliases" && rawAlias !== undefined) {
        const aliasName = decodeURIComponent(rawAlias);
        const alias = aliases.get(aliasName);
        if (alias === undefined) return error(response, 404, "ResourceNotFoundException", `Alias not found: ${ARN}:${aliasName}`);
        if (method === "GET") {
          send(response, 200, alias);
          if (fake.raceAfterGetAlias) alias.RevisionId = nextRevision();
          return;
        }
        if (method === "DELETE") {
          aliases.delete(aliasName);
          return send(response, 204);
        }
        if (method === "PUT") {
          if (input.RevisionId !== undefined && input.RevisionId !== alias.RevisionId) {
            return error(response, 412, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id.");
          }
          if (typeof input.FunctionVersion === "string" && input.FunctionVersion !== alias.FunctionVersion) {
            alias.PreviousVersion = alias.FunctionVersion;
            alias.FunctionVersion = input.FunctionVersion;
          }
          if (typeof input.Description === "string") alias.Description = input.Description;
          if (input.RoutingConfig !== undefined) alias.RoutingConfig = input.RoutingConfig as Alias["RoutingConfig"];
          alias.RevisionId = nextRevision();
          return send(response, 200, alias);
        }
      }
      return error(response, 405, "InvalidRequestContentException", "unexpected");
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

const ALIASES = "/2015-03-31/functions/hello/aliases";

describe("lambent versions and aliases against a Lambda REST API", () => {
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
  const publish = async (count: number) => {
    for (let i = 0; i < count; i += 1) expect((await run(["publish", "hello"])).code).toBe(0);
    lambda.requests.length = 0;
  };

  beforeEach(async () => {
    lambda = await startFakeLambda();
  });
  afterEach(async () => {
    await lambda.close();
  });

  it("publish posts to /versions and prints the version number and CodeSha256", async () => {
    const result = await run(["publish", "hello", "--description", "first release"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe("published version 1 of hello\n  CodeSha256: sha-1\n");
    expect(calls()).toEqual(["POST /2015-03-31/functions/hello/versions"]);
    expect(bodyOf(0)).toEqual({ Description: "first release" });

    const json = await run(["publish", "hello", "--json", "--code-sha256", "sha-latest", "--revision-id", "r1"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ FunctionName: "hello", Version: "2", CodeSha256: "sha-2" });
    expect(bodyOf(-1)).toEqual({ CodeSha256: "sha-latest", RevisionId: "r1" });
  });

  it("publish with a stale CodeSha256 exits 1 with the API's error", async () => {
    const result = await run(["publish", "hello", "--code-sha256", "old"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: PreconditionFailedException: CodeSha256 does not match $LATEST\n");
  });

  it("versions follows NextMarker and prints a table, or the versions as JSON", async () => {
    await publish(2);
    const table = await run(["versions", "hello"]);
    expect(table.code).toBe(0);
    expect(calls()).toEqual([
      "GET /2015-03-31/functions/hello/versions",
      "GET /2015-03-31/functions/hello/versions?Marker=1",
      "GET /2015-03-31/functions/hello/versions?Marker=2",
    ]);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^VERSION\s+CODE SHA256\s+LAST MODIFIED\s+DESCRIPTION$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(["$LATEST", "1", "2"]);
    expect(lines[3]).toMatch(/^2\s+sha-2\s+2025-01-01T00:00:00.000\+0000\s+release 2$/);

    const json = await run(["versions", "--json", "hello"]);
    expect((JSON.parse(json.stdout) as { Versions: { Version: string }[] }).Versions.map((v) => v.Version)).toEqual(["$LATEST", "1", "2"]);
  });

  it("alias set creates the alias when GetAlias answers 404, then updates it with its RevisionId", async () => {
    await publish(3);
    const created = await run(["alias", "set", "hello", "prod", "1", "--description", "production"]);
    expect(created).toMatchObject({ code: 0, stderr: "", stdout: "created alias prod: 1\n" });
    expect(calls()).toEqual([`GET ${ALIASES}/prod`, `POST ${ALIASES}`]);
    expect(bodyOf(1)).toEqual({ Name: "prod", FunctionVersion: "1", Description: "production" });
    lambda.requests.length = 0;

    const weighted = await run(["alias", "set", "hello", "prod", "2", "--weight", "3=0.1"]);
    expect(weighted).toMatchObject({ code: 0, stdout: "prod: 1 → 2, 3 at 10%\n" });
    expect(calls()).toEqual([`GET ${ALIASES}/prod`, `PUT ${ALIASES}/prod`]);
    expect(bodyOf(1)).toEqual({ FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: { "3": 0.1 } }, RevisionId: "rev-1" });
    expect(lambda.aliases.get("prod")).toMatchObject({ FunctionVersion: "2", Description: "production", PreviousVersion: "1" });
    lambda.requests.length = 0;

    const promoted = await run(["alias", "set", "hello", "prod", "3", "--json"]);
    expect(promoted.code).toBe(0);
    expect(bodyOf(1)).toEqual({ FunctionVersion: "3", RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: "rev-2" });
    expect(JSON.parse(promoted.stdout)).toMatchObject({ Name: "prod", FunctionVersion: "3", PreviousVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} } });
  });

  it("alias set with a weight on create sends the RoutingConfig", async () => {
    await publish(2);
    const created = await run(["alias", "set", "hello", "canary", "1", "--weight", "2=0.25"]);
    expect(created).toMatchObject({ code: 0, stdout: "created alias canary: 1, 2 at 25%\n" });
    expect(bodyOf(1)).toEqual({ Name: "canary", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.25 } } });
  });

  it("alias set does not create when GetAlias fails with anything but 404", async () => {
    const result = await run(["alias", "set", "broken", "prod", "1"]);
    expect(result).toMatchObject({ code: 1, stderr: "error: ServiceException: the registry is down\n" });
    expect(calls()).toEqual(["GET /2015-03-31/functions/broken/aliases/prod"]);
  });

  it("the short form takes the function from --function or LAMBENT_FUNCTION", async () => {
    await publish(2);
    expect((await run(["alias", "set", "prod", "1", "--function", "hello"])).code).toBe(0);
    expect((await run(["--function", "hello", "alias", "set", "prod", "2", "--weight", "1=0.5"])).code).toBe(0);
    expect(lambda.aliases.get("prod")).toMatchObject({ FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } } });
    const fromEnv = await run(["rollback", "prod"], { LAMBENT_FUNCTION: "hello" });
    expect(fromEnv).toMatchObject({ code: 0, stdout: "prod: 2, 1 at 50% → 1\n" });
    // A leading name beats LAMBENT_FUNCTION.
    expect((await run(["alias", "get", "hello", "prod"], { LAMBENT_FUNCTION: "other" })).code).toBe(0);
    expect((await run(["publish", "--function", "hello"])).stdout).toContain("published version 3 of hello");
    expect((await run(["versions"], { LAMBENT_FUNCTION: "hello" })).code).toBe(0);
    expect(lambda.requests.every((r) => r.path.startsWith("/2015-03-31/functions/hello/"))).toBe(true);

    const missing = await run(["alias", "set", "prod", "1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("the function name comes first unless --function or LAMBENT_FUNCTION gives it");
    const twice = await run(["alias", "set", "hello", "prod", "1", "--function", "hello"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("the function is given twice");
  });

  it("rollback moves the alias to its PreviousVersion with the RevisionId it read", async () => {
    await publish(2);
    await run(["alias", "set", "hello", "prod", "1"]);
    await run(["alias", "set", "hello", "prod", "2"]);
    lambda.requests.length = 0;
    const revision = lambda.aliases.get("prod")!.RevisionId;

    const result = await run(["rollback", "hello", "prod"]);
    expect(result).toMatchObject({ code: 0, stderr: "", stdout: "prod: 2 → 1\n" });
    expect(calls()).toEqual([`GET ${ALIASES}/prod`, `PUT ${ALIASES}/prod`]);
    expect(bodyOf(1)).toEqual({ FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: revision });
    expect(lambda.aliases.get("prod")).toMatchObject({ FunctionVersion: "1", PreviousVersion: "2" });

    const again = await run(["rollback", "hello", "prod", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ Name: "prod", FunctionVersion: "2", PreviousVersion: "1" });
  });

  it("rollback refuses an alias without a previous version, and a stale RevisionId fails", async () => {
    await publish(2);
    await run(["alias", "set", "hello", "prod", "1"]);
    lambda.requests.length = 0;
    const none = await run(["rollback", "hello", "prod"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("error: alias prod of hello has no previous version to roll back to (it is on 1)\n");
    expect(calls()).toEqual([`GET ${ALIASES}/prod`]);

    await run(["alias", "set", "hello", "prod", "2"]);
    lambda.raceAfterGetAlias = true;
    const stale = await run(["rollback", "hello", "prod"]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error: PreconditionFailedException: /);
    expect(lambda.aliases.get("prod")!.FunctionVersion).toBe("2");

    const missing = await run(["rollback", "hello", "nope"]);
    expect(missing).toMatchObject({ code: 1, stderr: `error: ResourceNotFoundException: Alias not found: ${ARN}:nope\n` });
  });

  it("alias get, list (all pages, filtered by version) and delete", async () => {
    await publish(3);
    await run(["alias", "set", "hello", "prod", "1", "--description", "live"]);
    await run(["alias", "set", "hello", "prod", "2", "--weight", "3=0.05"]);
    await run(["alias", "set", "hello", "beta", "3"]);
    await run(["alias", "set", "hello", "old", "2"]);
    lambda.requests.length = 0;

    const shown = await run(["alias", "get", "hello", "prod"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/FunctionVersion:\s+2\n/);
    expect(shown.stdout).toMatch(/Weights:\s+3 at 5%\n/);
    expect(shown.stdout).toMatch(/PreviousVersion:\s+1\n/);
    expect(shown.stdout).toMatch(/Description:\s+live\n/);
    expect(JSON.parse((await run(["alias", "get", "hello", "prod", "--json"])).stdout)).toMatchObject({ Name: "prod", RevisionId: "rev-2" });
    lambda.requests.length = 0;

    const table = await run(["alias", "list", "hello"]);
    expect(table.code).toBe(0);
    expect(calls()).toEqual([`GET ${ALIASES}`, `GET ${ALIASES}?Marker=1`, `GET ${ALIASES}?Marker=2`]);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ALIAS\s+VERSION\s+WEIGHTS\s+PREVIOUS\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^prod\s+2\s+3 at 5%\s+1\s+live$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(["prod", "beta", "old"]);
    lambda.requests.length = 0;

    const filtered = await run(["alias", "list", "hello", "--version", "2", "--json"]);
    expect(calls()).toEqual([`GET ${ALIASES}?FunctionVersion=2`, `GET ${ALIASES}?FunctionVersion=2&Marker=1`]);
    expect((JSON.parse(filtered.stdout) as { Aliases: { Name: string }[] }).Aliases.map((a) => a.Name)).toEqual(["prod", "old"]);

    const deleted = await run(["alias", "delete", "hello", "beta"]);
    expect(deleted).toMatchObject({ code: 0, stdout: "deleted alias beta of hello\n" });
    expect(lambda.requests.at(-1)).toMatchObject({ method: "DELETE", path: `${ALIASES}/beta` });
    expect(lambda.aliases.has("beta")).toBe(false);
    expect(JSON.parse((await run(["alias", "delete", "hello", "old", "--json"])).stdout)).toEqual({ FunctionName: "hello", Name: "old", Deleted: true });

    const missing = await run(["alias", "get", "hello", "beta"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("ResourceNotFoundException");
    expect((await run(["alias", "list", "hello", "--version", "3"])).stdout).toBe("no aliases of hello\n");
  });

  it("delete --qualifier deletes one version", async () => {
    await publish(2);
    const result = await run(["delete", "hello", "--qualifier", "1"]);
    expect(result).toMatchObject({ code: 0, stdout: "deleted function hello:1\n" });
    expect(calls()).toEqual(["DELETE /2015-03-31/functions/hello?Qualifier=1"]);
    expect(lambda.versions).toEqual(["2"]);
  });

  it("bad weights, versions and alias usage exit 2 with the usage and send nothing", async () => {
    const cases: [string[], RegExp][] = [
      [["alias", "set", "hello", "prod", "3", "--weight", "4"], /must be VERSION=WEIGHT/],
      [["alias", "set", "hello", "prod", "3", "--weight", "x=0.1"], /'x' is not a published version number/],
      [["alias", "set", "hello", "prod", "3", "--weight", "4=1.5"], /from 0 to 1/],
      [["alias", "set", "hello", "prod", "3", "--weight", "$LATEST=0.1"], /\$LATEST cannot take weighted traffic/],
      [["alias", "set", "hello", "prod", "3", "--weight", "4=-0.1"], /from 0 to 1/],
      [["alias", "set", "hello", "prod", "3", "--weight", "4=abc"], /from 0 to 1/],
      [["alias", "set", "hello", "prod", "3", "--weight", "3=0.1"], /the alias's own version 3/],
      [["alias", "set", "hello", "prod", "3", "--weight", "4=0.1", "--weight", "5=0.1"], /at most two versions/],
      [["alias", "set", "hello", "prod", "$LATEST", "--weight", "4=0.1"], /\$LATEST cannot split traffic/],
      [["alias", "set", "hello", "prod", "v3"], /version 'v3' must be/],
      [["alias", "set", "hello", "prod"], /missing argument/],
      [["alias", "set", "hello", "prod", "3", "extra"], /unexpected argument 'extra'/],
      [["alias", "get", "hello"], /missing argument: the function name comes first/],
      [["alias", "list", "hello", "--version", "x"], /version 'x'/],
      [["alias"], /missing alias command/],
      [["alias", "rename", "hello", "prod"], /unknown alias command 'rename'/],
      [["alias", "set", "hello", "prod", "3", "--bogus"], /Unknown option '--bogus'/],
      [["rollback"], /missing/],
      [["rollback", "hello", "prod", "extra"], /unexpected argument 'extra'/],
      [["publish"], /missing argument: the function name comes first/],
      [["publish", "hello", "extra"], /unexpected argument 'extra'/],
      [["versions", "a", "b"], /unexpected argument 'b'/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr, argv.join(" ")).toMatch(message);
      expect(result.stderr, argv.join(" ")).toContain("Usage: lambent");
    }
    expect(lambda.requests).toEqual([]);
  });

  it("help covers the new commands", async () => {
    const main = await run(["--help"]);
    for (const name of ["publish", "versions", "alias", "rollback"]) expect(main.stdout).toMatch(new RegExp(`^  ${name}\\s`, "m"));
    const alias = await run(["alias", "--help"]);
    expect(alias).toMatchObject({ code: 0, stderr: "" });
    expect(alias.stdout).toContain("lambent alias set <name> <alias> <version> [--weight V=W]");
    expect(alias.stdout).toContain("--function NAME");
    expect((await run(["alias", "set", "--help"])).stdout).toContain("Usage: lambent alias");
    expect((await run(["help", "rollback"])).stdout).toContain("Usage: lambent rollback <name> <alias>");
    expect((await run(["publish", "-h"])).stdout).toContain("Usage: lambent publish <name>");
    expect(lambda.requests).toEqual([]);
  });
});

describe("weights", () => {
  it("parses VERSION=WEIGHT with a weight from 0 to 1", () => {
    expect(parseWeight("4=0.1")).toEqual({ version: "4", weight: 0.1 });
    expect(parseWeight("12=1")).toEqual({ version: "12", weight: 1 });
    expect(parseWeight("2=0")).toEqual({ version: "2", weight: 0 });
    expect(parseWeight("2=.5")).toEqual({ version: "2", weight: 0.5 });
    for (const bad of ["4", "x=0.1", "4=1.5", "$LATEST=0.1", "=0.1", "4=", "0=0.1", "4=1e-1", "4=0x1", "4=-0", "4= 0.1", "04=0.1"]) {
      expect(() => parseWeight(bad), bad).toThrow(UsageError);
    }
  });

  it("builds the RoutingConfig, empty without a weight", () => {
    expect(parseRouting([], "3")).toEqual({ AdditionalVersionWeights: {} });
    expect(parseRouting(["4=0.1"], "3")).toEqual({ AdditionalVersionWeights: { "4": 0.1 } });
    expect(() => parseRouting(["3=0.1"], "3")).toThrow(UsageError);
    expect(() => parseRouting(["4=0.1"], "$LATEST")).toThrow(UsageError);
    expect(() => parseRouting(["4=0.1", "5=0.2"], "3")).toThrow(UsageError);
  });

  it("describes an alias's routing", () => {
    expect(describeRouting({ FunctionVersion: "3" })).toBe("3");
    expect(describeRouting({ FunctionVersion: "3", RoutingConfig: { AdditionalVersionWeights: {} } })).toBe("3");
    expect(describeRouting({ FunctionVersion: "3", RoutingConfig: null })).toBe("3");
    expect(describeRouting({ FunctionVersion: "3", RoutingConfig: { AdditionalVersionWeights: { "4": 0.123 } } })).toBe("3, 4 at 12.3%");
  });
});

describe("splitFunctionName", () => {
  it("takes the first positional, else --function, else LAMBENT_FUNCTION", () => {
    expect(splitFunctionName(["fn", "prod"], 1, undefined, {})).toEqual({ functionName: "fn", rest: ["prod"] });
    expect(splitFunctionName(["prod"], 1, "flag", { LAMBENT_FUNCTION: "env" })).toEqual({ functionName: "flag", rest: ["prod"] });
    expect(splitFunctionName(["prod"], 1, undefined, { LAMBENT_FUNCTION: "env" })).toEqual({ functionName: "env", rest: ["prod"] });
    expect(() => splitFunctionName(["prod"], 1, undefined, { LAMBENT_FUNCTION: "" })).toThrow(/missing argument: the function name comes first/);
    expect(() => splitFunctionName(["fn", "prod"], 1, "flag", {})).toThrow(/given twice/);
  });
});
