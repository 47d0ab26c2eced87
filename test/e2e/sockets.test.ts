// Database drivers unchanged over the runtime's `net`: pg and ioredis, deployed from this repository's
// node_modules, talk to a PostgreSQL and a Redis server this test starts (Debian's packages, on free ports
// in temp dirs), each handler run in Lambent and in this Node process on the same event, and the answers
// compared. The egress policy opens loopback for them, as an operator opens a database's address.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { packageTree } from "../fixtures/package-tree.js";

const nodeRequire = createRequire(import.meta.url);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts connections on the port, or fails after `timeoutMs`. */
async function listening(port: number, process: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process.exitCode !== null) throw new Error(`the server exited with ${process.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Debian puts PostgreSQL's server binaries under /usr/lib/postgresql/<major>/bin: the newest installed. */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((entry) => existsSync(join(root, entry, "bin", "postgres"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error("PostgreSQL's server is not installed (Debian's postgresql package)");
  return join(root, versions[0], "bin");
}

/** PostgreSQL will not run as root: as root, its commands run as `nobody`, which then owns the paths given. */
function postgresUser(...paths: string[]): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync("id", ["-u", "nobody"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "nobody"]).toString().trim());
  for (const path of paths) chownSync(path, uid, gid);
  return { uid, gid };
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl (which Debian's postgresql package brings). */
function certificate(directory: string): { cert: string; key: string } {
  const cert = join(directory, "server.crt");
  const key = join(directory, "server.key");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2"], { stdio: "ignore" });
  return { cert, key };
}

let cluster: TestCluster;
let lambda: LambdaClient;
let redis: ChildProcess;
let postgres: ChildProcess;
let redisPort: number;
let redisTlsPort: number;
let pgPort: number;
/** The servers' certificate, which TLS clients are given as their `ca`. */
let ca: string;
const directories: string[] = [];

const cases = [
  {
    name: "pg",
    // pg-cloudflare is pg's optional dependency, which npm installs beside it (pg requires it only on Cloudflare).
    packages: ["pg", "pg-cloudflare"],
    source: `const { Client, Pool } = require("pg");
exports.handler = async (event) => {
  const settings = { host: "127.0.0.1", port: event.pgPort, user: "postgres", database: "postgres" };
  const client = new Client(settings);
  await client.connect();
  await client.query("CREATE TEMP TABLE items (id serial PRIMARY KEY, name text NOT NULL, tags text[], price numeric(10,2), data jsonb, at timestamptz)");
  const inserted = await client.query(
    "INSERT INTO items (name, tags, price, data, at) VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10) RETURNING id, name",
    ["lamp", ["home", "light"], "19.99", { watts: 40 }, "2024-05-01T10:00:00Z", "desk", [], 120.5, { legs: 4, wood: "oak" }, "2024-06-01T12:30:00Z"],
  );
  const rows = (await client.query("SELECT * FROM items ORDER BY id")).rows;
  const totals = (await client.query("SELECT count(*)::int AS n, sum(price) AS total, max(at) AS latest FROM items")).rows;
  let failure;
  try { await client.query("SELECT * FROM missing_table"); } catch (error) { failure = [error.code, error.message, error.severity]; }
  const big = await client.query("SELECT g, md5(g::text) AS hash FROM generate_series(1, 20000) AS g");
  const text = (await client.query("SELECT repeat('x', 1000000) AS long")).rows[0].long.length;
  await client.query("BEGIN");
  await client.query("INSERT INTO items (name) VALUES ('rolled back')");
  await client.query("ROLLBACK");
  const afterRollback = (await client.query("SELECT count(*)::int AS n FROM items")).rows[0].n;
  await client.end();
  const pool = new Pool({ ...settings, max: 3 });
  const pooled = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.query("SELECT $1::int * 2 AS doubled", [n])));
  await pool.end();
  return { inserted: inserted.rows, rows, totals, failure, bigCount: big.rowCount, bigLast: big.rows[big.rows.length - 1], text, afterRollback, pooled: pooled.map((r) => r.rows[0].doubled) };
};`,
  },
  {
    name: "ioredis",
    packages: ["ioredis"],
    source: `const Redis = require("ioredis");
exports.handler = async (event) => {
  const redis = new Redis({ host: "127.0.0.1", port: event.redisPort, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.del("greeting", "counter", "profile", "queue", "large");
  const set = await redis.set("greeting", "hello", "EX", 60);
  const got = await redis.get("greeting");
  const counted = [await redis.incr("counter"), await redis.incrby("counter", 41)];
  await redis.hset("profile", { name: "Ada", born: "1815" });
  const profile = await redis.hgetall("profile");
  await redis.rpush("queue", "a", "b", "c");
  const queue = await redis.lrange("queue", 0, -1);
  const piped = await redis.pipeline().set("p1", "1").incr("p1").get("p1").del("p1").exec();
  const transaction = await redis.multi().incr("counter").get("counter").exec();
  await redis.set("large", "z".repeat(2 * 1024 * 1024));
  const large = (await redis.get("large")).length;
  let failure;
  try { await redis.hget("greeting", "field"); } catch (error) { failure = error.message; }
  const [greetingTtl] = [await redis.ttl("greeting") > 0];
  await redis.quit();
  return { set, got, counted, profile, queue, piped, transaction, large, failure, greetingTtl, status: redis.status };
};`,
  },
  {
    name: "pg-ssl",
    packages: ["pg", "pg-cloudflare"],
    source: `const { Client } = require("pg");
exports.handler = async (event) => {
  const client = new Client({ host: "127.0.0.1", port: event.pgPort, user: "postgres", database: "postgres", ssl: { ca: event.ca } });
  await client.connect();
  const ssl = (await client.query("SELECT ssl, version IS NOT NULL AS versioned FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0];
  const sum = (await client.query("SELECT $1::int + $2::int AS sum", [40, 2])).rows[0].sum;
  await client.end();
  let untrusted;
  const stranger = new Client({ host: "127.0.0.1", port: event.pgPort, user: "postgres", database: "postgres", ssl: { rejectUnauthorized: true } });
  try { await stranger.connect(); untrusted = "connected"; } catch (error) { untrusted = [error.code, error.message]; }
  return { ssl, sum, untrusted };
};`,
  },
  {
    name: "ioredis-tls",
    packages: ["ioredis"],
    source: `const Redis = require("ioredis");
exports.handler = async (event) => {
  const redis = new Redis({ host: "127.0.0.1", port: event.redisTlsPort, tls: { ca: event.ca }, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.set("over-tls", "secret");
  const got = await redis.get("over-tls");
  await redis.quit();
  const stranger = new Redis({ host: "127.0.0.1", port: event.redisTlsPort, tls: {}, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  stranger.on("error", () => {});
  let untrusted;
  try { await stranger.connect(); untrusted = "connected"; } catch (error) { untrusted = [error.code, error.message]; }
  stranger.disconnect();
  return { got, untrusted };
};`,
  },
];

/** The handler run by this process's Node, requiring the same packages from node_modules. */
async function inNode(source: string, event: unknown): Promise<unknown> {
  const module = { exports: {} as { handler?: (event: unknown) => Promise<unknown> } };
  new Function("require", "module", "exports", source)(nodeRequire, module, module.exports);
  return JSON.parse(JSON.stringify(await module.exports.handler!(event)));
}

beforeAll(async () => {
  const redisDirectory = mkdtempSync(join(tmpdir(), "lambent-redis-"));
  directories.push(redisDirectory);
  const tls = certificate(redisDirectory);
  ca = readFileSync(tls.cert, "utf8");
  redisPort = await freePort();
  redisTlsPort = await freePort();
  redis = spawn(
    "redis-server",
    ["--port", String(redisPort), "--tls-port", String(redisTlsPort), "--tls-cert-file", tls.cert, "--tls-key-file", tls.key, "--tls-auth-clients", "no", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", redisDirectory],
    { stdio: "ignore" },
  );

  const pgDirectory = mkdtempSync(join(tmpdir(), "lambent-pg-"));
  directories.push(pgDirectory);
  pgPort = await freePort();
  const bin = postgresBin();
  const data = join(pgDirectory, "data");
  // PostgreSQL takes a key only its own user may read, and reads both from its own directory.
  const pgKey = join(pgDirectory, "server.key");
  const pgCert = join(pgDirectory, "server.crt");
  copyFileSync(tls.key, pgKey);
  copyFileSync(tls.cert, pgCert);
  chmodSync(pgKey, 0o600);
  const user = postgresUser(pgDirectory, pgKey, pgCert);
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], { stdio: "ignore", ...user });
  postgres = spawn(join(bin, "postgres"), ["-D", data, "-p", String(pgPort), "-k", pgDirectory, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "ssl=on", "-c", `ssl_cert_file=${pgCert}`, "-c", `ssl_key_file=${pgKey}`], { stdio: "ignore", ...user });

  cluster = await startTestCluster({ env: { LAMBENT_FETCH_ALLOW: "127.0.0.1" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await Promise.all([listening(redisPort, redis), listening(redisTlsPort, redis), listening(pgPort, postgres)]);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  for (const server of [redis, postgres]) {
    if (!server || server.exitCode !== null) continue;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    // SIGINT is PostgreSQL's fast shutdown (Redis saves nothing and exits).
    server.kill("SIGINT");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
}, 60_000);

describe("database drivers over the runtime's sockets", () => {
  it.each(cases)("$name gives Node's answer", async ({ name, packages, source }) => {
    await createTestFunction(lambda, `sockets-${name}`, zipFiles({ "index.js": source, ...packageTree(packages) }), { Timeout: 30, MemorySize: 256 });
    const event = { pgPort, redisPort, redisTlsPort, ca };
    const out = await lambda.send(new InvokeCommand({ FunctionName: `sockets-${name}`, Payload: JSON.stringify(event) }));
    const payload = Buffer.from(out.Payload!).toString();
    expect(out.FunctionError, payload).toBeUndefined();
    const expected = await inNode(source, event);
    expect(JSON.parse(payload)).toEqual(expected);
    // A second call in the same warm environment opens its sockets afresh (the first call's were closed).
    const again = await lambda.send(new InvokeCommand({ FunctionName: `sockets-${name}`, Payload: JSON.stringify(event) }));
    expect(JSON.parse(Buffer.from(again.Payload!).toString())).toEqual(expected);
  }, 60_000);

  it("clients kept at module scope connect again on the next call, the last call's sockets having closed", async () => {
    const source = `const Redis = require("ioredis");
const { Pool } = require("pg");
let redis, pool;
exports.handler = async (event) => {
  redis ??= new Redis({ host: "127.0.0.1", port: event.redisPort, maxRetriesPerRequest: 1 });
  pool ??= new Pool({ host: "127.0.0.1", port: event.pgPort, user: "postgres", database: "postgres", max: 2 });
  pool.on("error", () => {});
  return { hits: await redis.incr("module-scope-hits"), sum: (await pool.query("SELECT $1::int + 1 AS n", [event.n])).rows[0].n };
};`;
    await createTestFunction(lambda, "sockets-module-scope", zipFiles({ "index.js": source, ...packageTree(["ioredis", "pg", "pg-cloudflare"]) }), { Timeout: 30, MemorySize: 256 });
    const answers: { hits: number; sum: number }[] = [];
    for (const n of [1, 2, 3]) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: "sockets-module-scope", Payload: JSON.stringify({ pgPort, redisPort, n }) }));
      const payload = Buffer.from(out.Payload!).toString();
      expect(out.FunctionError, payload).toBeUndefined();
      answers.push(JSON.parse(payload) as { hits: number; sum: number });
    }
    expect(answers.map((answer) => answer.sum)).toEqual([2, 3, 4]);
    expect(answers.map((answer) => answer.hits - answers[0]!.hits)).toEqual([0, 1, 2]);
  }, 60_000);
});
