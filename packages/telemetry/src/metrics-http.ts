// The `/metrics` endpoint: a request handler any HTTP server can call, and a small listener of its own
// for services without an HTTP face (the scheduler and the worker), which also answers the liveness
// probe `/livez`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { METRICS_CONTENT_TYPE, type MetricsSource } from "./metrics.js";

export const METRICS_PATH = "/metrics";
/**
 * Liveness: 200 whenever the process's event loop answers. It asks nothing of NATS or of other services,
 * so an orchestrator restarts a process that hangs, never one whose cluster is merely unwell.
 */
export const LIVENESS_PATH = "/livez";

/** The answer to `GET /livez`. */
export function sendLive(response: ServerResponse): void {
  const body = '{"status":"live"}';
  response.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}

/** Answers a scrape with the registry's exposition; rejects, having written nothing, when collecting fails. */
export async function sendMetrics(registry: MetricsSource, response: ServerResponse): Promise<void> {
  const body = await registry.expose();
  response.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE, "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` and `GET /livez` on host:port (0 = a free port); anything else is a 404. */
export async function listenForMetrics(registry: MetricsSource, host: string, port: number): Promise<MetricsListener> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?", 1)[0];
    if (request.method === "GET" && path === METRICS_PATH) {
      sendMetrics(registry, response).catch((error: unknown) => {
        // A collector that fails fails this scrape, not the service.
        response.writeHead(500, { "Content-Type": "text/plain" });
        response.end(`Collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
      });
      return;
    }
    if (request.method === "GET" && path === LIVENESS_PATH) {
      sendLive(response);
      return;
    }
    response.writeHead(404, { "Content-Type": "text/plain" });
    response.end("Not found\n");
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
