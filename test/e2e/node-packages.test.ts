// Real npm packages deployed unchanged, each handler run twice on the same event, in Lambent and in this
// Node process, and the answers compared: jsonwebtoken (HMAC and RSA), axios and node-fetch (through the
// runtime's http), express behind serverless-http (the runtime's http.ServerResponse), moment with the
// locales it requires by computed names, debug and uuid.
// The packages come from this repository's node_modules.
import { createServer, type Server } from "node:http";
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { packageTree } from "../fixtures/package-tree.js";

const nodeRequire = createRequire(import.meta.url);

interface Case {
  name: string;
  packages: string[];
  /** CommonJS source of index.js, exporting `handler(event)`. */
  source: string;
  event: () => Record<string, unknown>;
}

let cluster: TestCluster;
let lambda: LambdaClient;
let server: Server;
let base: string;
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });

const cases: Case[] = [
  {
    name: "jsonwebtoken",
    packages: ["jsonwebtoken"],
    source: `const jwt = require("jsonwebtoken");
exports.handler = async (event) => {
  const claims = { sub: "user-1", scope: ["read"] };
  const hs = jwt.sign(claims, "shared-secret", { algorithm: "HS256", noTimestamp: true });
  const rs = jwt.sign(claims, event.privateKey, { algorithm: "RS256", noTimestamp: true, keyid: "k1" });
  let forged;
  try { jwt.verify(rs.slice(0, -4) + "AAAA", event.publicKey); } catch (error) { forged = error.name + ": " + error.message; }
  return { hs, rs, hsClaims: jwt.verify(hs, "shared-secret"), rsClaims: jwt.verify(rs, event.publicKey, { algorithms: ["RS256"] }), header: jwt.decode(rs, { complete: true }).header, forged };
};`,
    event: () => ({ privateKey: rsa.privateKey, publicKey: rsa.publicKey }),
  },
  {
    name: "axios",
    packages: ["axios"],
    source: `const axios = require("axios");
exports.handler = async (event) => {
  const got = await axios.get(event.base + "/json", { params: { q: "lambent" }, headers: { "x-test": "yes" } });
  const posted = await axios.post(event.base + "/echo", { hello: "world" });
  let missing;
  try { await axios.get(event.base + "/missing"); } catch (error) { missing = [error.name, error.response.status, error.response.data]; }
  return { got: [got.status, got.data, got.headers["content-type"]], posted: posted.data, missing };
};`,
    event: () => ({ base }),
  },
  {
    name: "node-fetch",
    packages: ["node-fetch"],
    source: `const fetch = require("node-fetch");
exports.handler = async (event) => {
  const json = await (await fetch(event.base + "/json?q=nf")).json();
  const posted = await fetch(event.base + "/echo", { method: "POST", body: "plain text", headers: { "content-type": "text/plain" } });
  return { json, posted: [posted.status, posted.headers.get("content-type"), await posted.json()] };
};`,
    event: () => ({ base }),
  },
  {
    name: "express",
    packages: ["express", "serverless-http"],
    source: `const express = require("express");
const serverless = require("serverless-http");
const app = express();
app.use(express.json());
app.get("/users/:id", (req, res) => res.set("x-powered", "lambent").json({ id: req.params.id, q: req.query.q, ua: req.get("user-agent") }));
app.post("/users", (req, res) => res.status(201).json({ created: req.body }));
app.use((req, res) => res.status(404).send("not here: " + req.path));
exports.handler = serverless(app);`,
    event: () => ({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/users/42",
      rawQueryString: "q=cats",
      headers: { "user-agent": "curl/8", host: "abc.lambda-url.us-east-1.on.aws" },
      queryStringParameters: { q: "cats" },
      requestContext: { http: { method: "GET", path: "/users/42", protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "curl/8" }, requestId: "r1", stage: "$default", timeEpoch: 0 },
      isBase64Encoded: false,
    }),
  },
  {
    name: "express-post",
    packages: ["express", "serverless-http"],
    source: `const express = require("express");
const serverless = require("serverless-http");
const app = express();
app.use(express.json());
app.post("/users", (req, res) => res.status(201).json({ created: req.body }));
exports.handler = serverless(app);`,
    event: () => ({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/users",
      rawQueryString: "",
      headers: { "content-type": "application/json", host: "abc.lambda-url.us-east-1.on.aws" },
      requestContext: { http: { method: "POST", path: "/users", protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "curl/8" }, requestId: "r2", stage: "$default", timeEpoch: 0 },
      body: JSON.stringify({ name: "Ada" }),
      isBase64Encoded: false,
    }),
  },
  {
    // moment loads a locale with a require whose name it computes (`aliasedRequire("./locale/" + name)`):
    // resolved when it runs, from moment's own folder, with the moment the bundle already holds.
    name: "moment-locales",
    packages: ["moment"],
    source: `const moment = require("moment");
exports.handler = async () => {
  const day = moment.utc("2024-03-05T10:04:00Z");
  return {
    fr: day.clone().locale("fr").format("LLLL"),
    de: day.clone().locale("de").format("dddd, D. MMMM YYYY"),
    ja: day.clone().locale("ja").fromNow.name,
    unknown: day.clone().locale("xx-nowhere").locale(),
    global: [moment.locale("es"), moment.utc("2024-01-01").format("MMMM"), moment.locale("en")],
    loaded: moment.locales().sort(),
  };
};`,
    event: () => ({}),
  },
  {
    name: "uuid-and-debug",
    packages: ["uuid", "debug"],
    source: `const { v4, v5, validate } = require("uuid");
const debug = require("debug");
exports.handler = async () => {
  const log = debug("app");
  log("not shown unless DEBUG names it");
  return { v5: v5("lambent", v5.URL), valid: validate(v4()), enabled: log.enabled, namespace: log.namespace };
};`,
    event: () => ({}),
  },
];

/** The handler run by this process's Node, requiring the same packages from node_modules. */
async function inNode(source: string, event: unknown): Promise<unknown> {
  const module = { exports: {} as { handler?: (event: unknown) => Promise<unknown> } };
  new Function("require", "module", "exports", source)(nodeRequire, module, module.exports);
  return JSON.parse(JSON.stringify(await module.exports.handler!(event)));
}

beforeAll(async () => {
  server = createServer((request, response) => {
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cluster = await startTestCluster({ env: { LAMBENT_FETCH_ALLOW: "127.0.0.1" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  server?.closeAllConnections();
  server?.close();
});

describe("real npm packages, unchanged", () => {
  it.each(cases)("$name gives Node's answer", async ({ name, packages, source, event }) => {
    await createTestFunction(lambda, `pkg-${name}`, zipFiles({ "index.js": source, ...packageTree(packages) }), { Timeout: 30 });
    const input = event();
    const out = await lambda.send(new InvokeCommand({ FunctionName: `pkg-${name}`, Payload: JSON.stringify(input) }));
    const payload = Buffer.from(out.Payload!).toString();
    expect(out.FunctionError, payload).toBeUndefined();
    expect(JSON.parse(payload)).toEqual(await inNode(source, input));
  });
});
