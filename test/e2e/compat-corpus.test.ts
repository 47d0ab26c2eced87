// The compatibility corpus: real Lambda Node.js functions (test/fixtures/compat-cases.ts) deployed to
// Lambent unchanged and run on their events, each also run by Node 20 in a child process with the same
// files, events and environment (test/fixtures/compat-reference.mjs); the answers are compared and the
// table written to docs/compatibility.md. The services they use are real and started here: an
// S3-compatible store (s3rver), DynamoDB (dynalite) and an HTTP server for files to download.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual, promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transform } from "esbuild";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { CORPUS_CASES, caseFiles, withoutVarying, type CorpusCase, type CorpusServices } from "../fixtures/compat-cases.js";
import { createTestFunction } from "../fixtures/deploy.js";
import { startDynamoDbStore, type DynamoDbStore } from "../fixtures/dynamodb-store.js";
import { packageTree } from "../fixtures/package-tree.js";
import { startS3Store, type S3Store } from "../fixtures/s3-store.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const REFERENCE = join(ROOT, "test", "fixtures", "compat-reference.mjs");
const REPORT = join(ROOT, "docs", "compatibility.md");
const ROLE = "arn:aws:iam::000000000000:role/compat-corpus";
const BUCKET = "sebs-benchmarks";
const REGION = "us-east-1";
/** The number of corpus functions that gave Node's answer when last measured: the suite fails below it. */
const MINIMUM_SAME = 31;

type CallResult = { value: unknown } | { error: { errorType: string; errorMessage: string } };
interface Outcome {
  testCase: CorpusCase;
  result: "same" | "differs" | "fails";
  reason: string;
}

let cluster: TestCluster;
let lambda: LambdaClient;
let s3: S3Store;
let dynamo: DynamoDbStore;
let files: Server;
let services: CorpusServices;
const scratch = mkdtempSync(join(tmpdir(), "lambent-corpus-"));

beforeAll(async () => {
  s3 = await startS3Store([BUCKET]);
  dynamo = await startDynamoDbStore([
    { name: "shopping_cart", keys: ["cart_id", "product_id"] },
    { name: "users-table-dev", keys: ["userId"] },
  ]);
  // Any path answers the same bytes: the uploader benchmark downloads its input from a URL.
  const download = Buffer.alloc(64 * 1024, "corpus");
  files = createServer((_request, response) => response.writeHead(200, { "content-type": "application/octet-stream" }).end(download));
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  services = { filesUrl: `http://127.0.0.1:${(files.address() as AddressInfo).port}`, bucket: BUCKET };

  const store = new S3Client({ endpoint: s3.endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  const inputs: Record<string, string> = {
    "compression/input/docs/readme.txt": "The compression benchmark zips a folder of files.\n".repeat(200),
    "compression/input/docs/data.csv": Array.from({ length: 500 }, (_, i) => `${i},${i * i},${(i * 7) % 13}`).join("\n"),
    "compression/input/docs/nested/notes.md": "# notes\n\nsmall file in a sub-folder\n",
    "thumbnailer/input/photo.jpg": "not really a photo",
  };
  for (const [Key, Body] of Object.entries(inputs)) await store.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  store.destroy();

  cluster = await startTestCluster({
    env: { LAMBENT_AWS_ENDPOINT_URL_S3: s3.endpoint, LAMBENT_AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, LAMBENT_FETCH_ALLOW: "127.0.0.1" },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  const put = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/role-credentials`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ RoleArn: ROLE, AccessKeyId: s3.accessKeyId, SecretAccessKey: s3.secretAccessKey }),
  });
  expect(put.status).toBe(200);
}, 300_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  await s3?.close();
  await dynamo?.close();
  files?.closeAllConnections();
  files?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function functionName(testCase: CorpusCase): string {
  return `corpus-${testCase.name.replace(/[^A-Za-z0-9-_]+/g, "-").replace(/-+$/, "")}`.slice(0, 64);
}

function packageFiles(testCase: CorpusCase): Record<string, Uint8Array> {
  return { ...caseFiles(testCase.files), ...packageTree(testCase.packages ?? []) };
}

async function inLambent(testCase: CorpusCase, events: unknown[]): Promise<CallResult[] | { deployFailed: string }> {
  const name = functionName(testCase);
  try {
    await createTestFunction(lambda, name, zipFiles(packageFiles(testCase)), {
      Handler: testCase.handler,
      Role: ROLE,
      Timeout: 60,
      MemorySize: 512,
      Environment: { Variables: testCase.environment ?? {} },
    });
  } catch (error) {
    return { deployFailed: error instanceof Error ? error.message : String(error) };
  }
  const results: CallResult[] = [];
  for (const event of events) {
    const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));
    const payload = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString() || "null") as unknown;
    if (out.FunctionError) {
      const { errorType, errorMessage } = payload as { errorType: string; errorMessage: string };
      results.push({ error: { errorType, errorMessage } });
    } else {
      results.push({ value: payload });
    }
  }
  return results;
}

/** The same files as a Lambda task root, with the AWS SDK where Lambda's runtime provides it. */
async function referenceTaskRoot(testCase: CorpusCase): Promise<string> {
  const root = mkdtempSync(join(scratch, "task-"));
  for (const [path, bytes] of Object.entries(packageFiles(testCase))) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  // The TypeScript examples are compiled to CommonJS before they reach Lambda (serverless-plugin-typescript).
  for (const path of Object.keys(caseFiles(testCase.files)).filter((file) => /\.ts$/.test(file))) {
    const { code } = await transform(readFileSync(join(root, path), "utf8"), { loader: "ts", format: "cjs", target: "node20" });
    writeFileSync(join(root, path.replace(/\.ts$/, ".js")), code);
  }
  const sdk = join(ROOT, "node_modules", "@aws-sdk");
  mkdirSync(join(root, "node_modules", "@aws-sdk"), { recursive: true });
  for (const client of readdirSync(sdk)) {
    const target = join(root, "node_modules", "@aws-sdk", client);
    if (!existsSync(target)) symlinkSync(join(sdk, client), target);
  }
  return root;
}

async function inNode(testCase: CorpusCase, events: unknown[]): Promise<CallResult[]> {
  const root = await referenceTaskRoot(testCase);
  const eventsFile = join(root, ".events.json");
  const resultsFile = join(root, ".results.json");
  writeFileSync(eventsFile, JSON.stringify(events));
  const name = functionName(testCase);
  // Asynchronously: the stores it calls are served by this process.
  await promisify(execFile)(process.execPath, [REFERENCE, root, testCase.handler, eventsFile, resultsFile], {
    cwd: root,
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
    env: {
      PATH: process.env["PATH"],
      ...testCase.environment,
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
      LAMBDA_TASK_ROOT: root,
      _HANDLER: testCase.handler,
      TZ: "UTC",
    },
  });
  return JSON.parse(readFileSync(resultsFile, "utf8")) as CallResult[];
}

function describeResult(result: CallResult | undefined): string {
  if (!result) return "nothing";
  const text = "error" in result ? `${result.error.errorType}: ${result.error.errorMessage}` : JSON.stringify(result.value);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function compare(testCase: CorpusCase, lambent: CallResult[] | { deployFailed: string }, node: CallResult[]): Outcome {
  if (!Array.isArray(lambent)) return { testCase, result: "fails", reason: testCase.knownCause ?? `deploy refused: ${lambent.deployFailed}` };
  for (let index = 0; index < node.length; index++) {
    const mine = withoutVarying(lambent[index], testCase.varies);
    const theirs = withoutVarying(node[index], testCase.varies);
    if (isDeepStrictEqual(mine, theirs)) continue;
    const call = node.length > 1 ? ` (call ${index + 1})` : "";
    const mineFailed = lambent[index] !== undefined && "error" in lambent[index]!;
    const theirsFailed = "error" in node[index]!;
    const reason = `${testCase.knownCause ? `${testCase.knownCause}; ` : ""}Lambent${call}: ${describeResult(lambent[index])}; Node: ${describeResult(node[index])}`;
    return { testCase, result: mineFailed && !theirsFailed ? "fails" : "differs", reason };
  }
  return { testCase, result: "same", reason: "" };
}

function writeReport(outcomes: Outcome[]): void {
  const same = outcomes.filter((outcome) => outcome.result === "same").length;
  const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    "# Compatibility corpus",
    "",
    "Real AWS Lambda Node.js functions, deployed to Lambent unchanged and run on their events, each also run",
    "by Node 20 with the same files, events and environment; the answers are compared (times, random ids and",
    "other parts that differ on every call are left out of the comparison). `npm run test:e2e` runs it",
    "(`test/e2e/compat-corpus.test.ts`, cases in `test/fixtures/compat-cases.ts`) and writes this page; it fails",
    "when fewer functions give Node's answer than the number it was last held to.",
    "",
    "The functions are vendored unchanged under `test/fixtures/compat-corpus/`, each source with its licence:",
    "SeBS's Node.js benchmarks (with an S3-compatible store and DynamoDB the test starts), the AWS Lambda",
    "Developer Guide's Node.js sample applications, and serverless/examples' Node.js functions that need no",
    "service beyond those. Packages they depend on are installed from npm as they declare them.",
    "",
    `**${same} of ${outcomes.length}** give Node's answer.`,
    "",
    "| function | source | result | why not the same |",
    "|---|---|---|---|",
    ...outcomes.map((outcome) => `| ${cell(outcome.testCase.name)} | ${outcome.testCase.source} | ${outcome.result} | ${cell(outcome.reason)} |`),
    "",
  ];
  // The package corpus (test/e2e/package-corpus.test.ts) writes its own section below this table: kept.
  const current = existsSync(REPORT) ? readFileSync(REPORT, "utf8") : "";
  const packages = current.indexOf("\n## Popular npm packages");
  writeFileSync(REPORT, lines.join("\n") + (packages === -1 ? "" : current.slice(packages)));
}

describe("the compatibility corpus", () => {
  it("runs real Lambda functions with Node 20's answers", async () => {
    const outcomes: Outcome[] = [];
    for (const testCase of CORPUS_CASES) {
      const events = testCase.events(services);
      const lambent = await inLambent(testCase, events);
      const node = await inNode(testCase, events);
      outcomes.push(compare(testCase, lambent, node));
    }
    writeReport(outcomes);
    const same = outcomes.filter((outcome) => outcome.result === "same").length;
    const unexplained = outcomes.filter((outcome) => outcome.result !== "same").map((outcome) => `${outcome.testCase.name}: ${outcome.reason}`);
    expect(same, unexplained.join("\n")).toBeGreaterThanOrEqual(MINIMUM_SAME);
  });
});
