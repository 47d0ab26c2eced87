// Baseline (a): a bare Node.js HTTP server calling the handler in-process — the limit.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

const handlerPath = fileURLToPath(new URL("../../fixtures/hello/index.mjs", import.meta.url));
const { handler } = (await import(handlerPath)) as { handler: (event: unknown) => Promise<unknown> };

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const event: unknown = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    void handler(event).then((result) => {
      const body = JSON.stringify(result);
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      response.end(body);
    });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
