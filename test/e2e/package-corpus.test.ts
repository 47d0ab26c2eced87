// The package corpus: small handlers built on popular npm packages (test/fixtures/package-cases.ts),
// deployed to Lambent unchanged as zips with their node_modules and run on an event, each also run by this
// Node process as Lambda's Node runtime would (handler(event, context)) on the same event with the same
// environment; the answers are compared and the table written into docs/compatibility.md below the
// corpus's own. The services they use are real and started here: s3rver, dynalite, PostgreSQL, MariaDB,
// Redis, an HTTP server, and Lambent itself for the LambdaClient.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { chownSync, mkdtempSync, readFileSync, readdirSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startDynamoDbStore, type DynamoDbStore } from "../fixtures/dynamodb-store.js";
import { startMariaDb, type MariaDb } from "../fixtures/mariadb.js";
import { startOtlpCollector, type OtlpCollector } from "../fixtures/otlp-collector.js";
import { PACKAGE_CASES, type PackageCase, type PackageServices } from "../fixtures/package-cases.js";
import { packageTree } from "../fixtures/package-tree.js";
import { startS3Store, type S3Store } from "../fixtures/s3-store.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const REPORT = join(ROOT, "docs", "compatibility.md");
const SECTION = "## Popular npm packages";
const ROLE = "arn:aws:iam::000000000000:role/package-corpus";
const REGION = "us-east-1";
const TARGET = "pkgc-target";
/** The number of package cases that gave Node's answer (or the expected refusal) when last measured: the suite fails below it. */
const MINIMUM_SAME = 41;

const nodeRequire = createRequire(import.meta.url);

type CallResult = { value: unknown } | { error: { errorType: string; errorMessage: string } };
interface Outcome {
  testCase: PackageCase;
  result: "same" | "refused as expected" | "differs" | "fails";
  reason: string;
}

let cluster: TestCluster;
let lambda: LambdaClient;
let s3: S3Store;
let dynamo: DynamoDbStore;
let mariadb: MariaDb;
let http: Server;
let collector: OtlpCollector;
let services: PackageServices;
const children: ChildProcess[] = [];
const directories: string[] = [];

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a server process and resolves once its log says it is ready. */
function startLogged(command: string, args: string[], ready: string, options: { uid?: number; gid?: number } = {}): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  children.push(child);
  let log = "";
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes(ready)) resolve(child);
    };
    child.stdout!.on("data", seen);
    child.stderr!.on("data", seen);
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code}: ${log}`)));
  });
}

async function startRedis(): Promise<number> {
  const directory = mkdtempSync(join(tmpdir(), "lambent-redis-"));
  directories.push(directory);
  const port = await freePort();
  await startLogged("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory], "Ready to accept connections");
  return port;
}

/** Debian's PostgreSQL (the newest installed), trusting local connections; as root it runs as `nobody`. */
async function startPostgres(): Promise<number> {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((entry) => existsSync(join(root, entry, "bin", "postgres"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error("PostgreSQL's server is not installed (Debian's postgresql package)");
  const bin = join(root, versions[0], "bin");
  const directory = mkdtempSync(join(tmpdir(), "lambent-pg-"));
  directories.push(directory);
  let user: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    user = { uid: Number(execFileSync("id", ["-u", "nobody"]).toString().trim()), gid: Number(execFileSync("id", ["-g", "nobody"]).toString().trim()) };
    chownSync(directory, user.uid!, user.gid!);
  }
  const data = join(directory, "data");
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], { stdio: "ignore", ...user });
  const port = await freePort();
  await startLogged(join(bin, "postgres"), ["-D", data, "-p", String(port), "-k", directory, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], "ready to accept connections", user);
  return port;
}

function startHttp(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://x");
      if (url.pathname === "/json") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ q: url.searchParams.get("q"), header: request.headers["x-test"] ?? null }));
      } else if (url.pathname === "/echo") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: request.headers["content-type"], body: Buffer.concat(chunks).toString() }));
      } else {
        response.writeHead(404, { "content-type": "text/plain" }).end("no such thing");
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  const table = "pkg-corpus";
  const bucket = "pkg-corpus";
  [s3, dynamo, mariadb, http] = await Promise.all([startS3Store([bucket]), startDynamoDbStore([{ name: table, keys: ["pk", "sk"] }]), startMariaDb(), startHttp()]);
  const [pgPort, redisPort, unreachablePort] = [await startPostgres(), await startRedis(), await freePort()];
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  services = {
    httpBase: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    bucket,
    table,
    pgPort,
    redisPort,
    mysql: { port: mariadb.port, user: mariadb.user, password: mariadb.password, database: mariadb.database },
    target: TARGET,
    unreachable: `http://127.0.0.1:${unreachablePort}`,
    rsa,
  };

  // Lambda traces every call (its _X_AMZN_TRACE_ID); Lambent does when it exports traces.
  collector = await startOtlpCollector();
  cluster = await startTestCluster({
    env: {
      LAMBENT_AWS_ENDPOINT_URL_S3: s3.endpoint,
      LAMBENT_AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      LAMBENT_FETCH_ALLOW: "127.0.0.1",
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  const put = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/role-credentials`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ RoleArn: ROLE, AccessKeyId: s3.accessKeyId, SecretAccessKey: s3.secretAccessKey }),
  });
  expect(put.status).toBe(200);
  const target = `exports.handler = async (event) => ({ doubled: event.n * 2 });`;
  await createTestFunction(lambda, TARGET, zipFiles({ "index.js": target }), { Role: ROLE, Timeout: 10, MemorySize: 256 });
}, 300_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  await collector?.close();
  await s3?.close();
  await dynamo?.close();
  await mariadb?.close();
  http?.closeAllConnections();
  http?.close();
  for (const child of children) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // SIGINT is PostgreSQL's fast shutdown; Redis saves nothing and exits.
    child.kill("SIGINT");
    await exited;
  }
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
}, 120_000);

function functionName(testCase: PackageCase): string {
  return `pkgc-${testCase.name}`;
}

function errorResult(error: unknown): CallResult {
  const failure = error instanceof Error ? error : new Error(String(error));
  return { error: { errorType: failure.name, errorMessage: failure.message } };
}

async function inLambent(testCase: PackageCase, event: unknown): Promise<CallResult | { deployFailed: string }> {
  const name = functionName(testCase);
  try {
    await createTestFunction(lambda, name, zipFiles({ "index.js": testCase.source, ...packageTree(testCase.packages) }), {
      Role: ROLE,
      Timeout: 60,
      MemorySize: 512,
      Environment: { Variables: testCase.environment?.(services) ?? {} },
    });
  } catch (error) {
    return { deployFailed: error instanceof Error ? error.message : String(error) };
  }
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));
  const payload = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString() || "null") as unknown;
  if (!out.FunctionError) return { value: payload };
  const { errorType, errorMessage } = payload as { errorType: string; errorMessage: string };
  return { error: { errorType, errorMessage } };
}

/** The handler run by this process's Node with the environment Lambda gives a function, and the same packages. */
async function inNode(testCase: PackageCase, event: unknown): Promise<CallResult> {
  const name = functionName(testCase);
  const environment: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: cluster.httpUrl,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x",
    LAMBDA_TASK_ROOT: ROOT,
    // Lambda gives every call a trace header; Powertools' tracer builds its segment from it.
    _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    ...testCase.environment?.(services),
  };
  const saved = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
  Object.assign(process.env, environment);
  const context = {
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${REGION}:000000000000:function:${name}`,
    memoryLimitInMB: "512",
    awsRequestId: "00000000-0000-4000-8000-000000000000",
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
  };
  try {
    const module = { exports: {} as { handler?: (event: unknown, context: unknown) => Promise<unknown> } };
    new Function("require", "module", "exports", testCase.source)(nodeRequire, module, module.exports);
    return { value: JSON.parse(JSON.stringify((await module.exports.handler!(event, context)) ?? null)) as unknown };
  } catch (error) {
    return errorResult(error);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

function describeResult(result: CallResult): string {
  const text = "error" in result ? `${result.error.errorType}: ${result.error.errorMessage}` : JSON.stringify(result.value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function compare(testCase: PackageCase, lambent: CallResult | { deployFailed: string }, node: CallResult): Outcome {
  if ("deployFailed" in lambent) {
    if (testCase.refused?.test(lambent.deployFailed)) return { testCase, result: "refused as expected", reason: `deploy refused: ${lambent.deployFailed}` };
    return { testCase, result: "fails", reason: `deploy refused: ${lambent.deployFailed}` };
  }
  const known = testCase.knownCause ? `${testCase.knownCause}; ` : "";
  if (testCase.refused) return { testCase, result: "fails", reason: `${known}deployed, though a refusal is wanted; Lambent: ${describeResult(lambent)}` };
  if (isDeepStrictEqual(lambent, node)) return { testCase, result: "same", reason: "" };
  const failed = "error" in lambent && !("error" in node);
  return { testCase, result: failed ? "fails" : "differs", reason: `${known}Lambent: ${describeResult(lambent)}; Node: ${describeResult(node)}` };
}

/** Replaces this suite's section of docs/compatibility.md (the corpus test writes the part above it). */
function writeReport(outcomes: Outcome[]): void {
  const same = outcomes.filter((outcome) => outcome.result === "same" || outcome.result === "refused as expected").length;
  const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    SECTION,
    "",
    "Small handlers built on popular npm packages, each written the way the package's README shows, deployed",
    "unchanged as a zip with its `node_modules` and invoked in Lambent, and also run by Node 20 as Lambda's",
    "runtime would (`handler(event, context)`) on the same event and environment; the answers are compared.",
    "Handlers answer only what is the same on every call: ids, times and signatures made with random nonces",
    "are verified or measured inside the handler and the outcome returned. `npm run test:e2e` runs it",
    "(`test/e2e/package-corpus.test.ts`, cases in `test/fixtures/package-cases.ts`) and writes this section.",
    "",
    "The AWS SDK v3 comes with the runtime, as on Lambda, and finds its credentials (the execution role's) and",
    "endpoints in the function's environment: S3 is s3rver, DynamoDB is dynalite, Lambda is Lambent itself.",
    "SQS, SNS, EventBridge, Kinesis, STS, Secrets Manager and SSM have no local implementation here (Lambent",
    "serves none of their APIs): each client is pointed at a port nothing listens on, and the case checks",
    "that the call fails the same way as in Node. PostgreSQL, MariaDB and Redis are real servers the test",
    "starts. Lambent exports traces here, as Lambda traces every call, so each call has its `_X_AMZN_TRACE_ID`.",
    "sharp is a native addon: the outcome wanted is that Lambent refuses the deployment and says why (sharp",
    "loads its addon, an optional dependency of its own, by a name built when it runs; see sharp's row).",
    "",
    `**${same} of ${outcomes.length}** give Node's answer (or, for sharp, the refusal wanted).`,
    "",
    "| function | packages | result | why not the same |",
    "|---|---|---|---|",
    ...outcomes.map((outcome) => `| ${outcome.testCase.name} | ${outcome.testCase.packages.join(", ") || "AWS SDK v3 (runtime)"} | ${outcome.result} | ${cell(outcome.reason)} |`),
    "",
  ];
  const current = readFileSync(REPORT, "utf8");
  const at = current.indexOf(SECTION);
  const above = (at === -1 ? current : current.slice(0, at)).replace(/\n*$/, "\n\n");
  writeFileSync(REPORT, above + lines.join("\n"));
}

describe("the package corpus", () => {
  it("runs handlers built on popular npm packages with Node 20's answers", async () => {
    const outcomes: Outcome[] = [];
    for (const testCase of PACKAGE_CASES) {
      const event = testCase.event(services);
      const lambent = await inLambent(testCase, event);
      const node = await inNode(testCase, event);
      outcomes.push(compare(testCase, lambent, node));
    }
    writeReport(outcomes);
    const same = outcomes.filter((outcome) => outcome.result === "same" || outcome.result === "refused as expected").length;
    const unexplained = outcomes.filter((outcome) => outcome.result !== "same" && outcome.result !== "refused as expected").map((outcome) => `${outcome.testCase.name}: ${outcome.reason}`);
    expect(PACKAGE_CASES.length).toBeGreaterThanOrEqual(30);
    expect(same, unexplained.join("\n")).toBeGreaterThanOrEqual(MINIMUM_SAME);
  }, 360_000);
});
