// Test-only: a local HTTP server that stands in for a frontend and records every request, and the CLI
// run against it with its output captured. Command tests check the request a command sends (method,
// path, body) and what it prints, without a cluster.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { runCli } from "../cli.js";
import type { CliIo } from "../command.js";

export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  path: string;
  /** The body as text; "" when there was none. */
  body: string;
}

export interface StubAnswer {
  status: number;
  /** Sent as JSON; nothing is sent when absent. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StubApi {
  endpoint: string;
  requests: RecordedRequest[];
  /** Runs `lambent <args>` with LAMBENT_ENDPOINT set to this server (and `env` added). */
  run(args: readonly string[], env?: Record<string, string>): Promise<CliRun>;
  close(): Promise<void>;
}

/** `answer` decides each reply from the request (and its parsed URL). */
export async function startStubApi(answer: (request: RecordedRequest, url: URL) => StubAnswer): Promise<StubApi> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    void readText(request).then((body) => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const recorded = { method: request.method ?? "", path: url.pathname + url.search, body };
      requests.push(recorded);
      const reply = answer(recorded, url);
      response.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
      response.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    run: (args, env = {}) => runCaptured(args, { LAMBENT_ENDPOINT: endpoint, ...env }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs the CLI with captured output and the given environment. */
export async function runCaptured(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    cwd: process.cwd(),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
