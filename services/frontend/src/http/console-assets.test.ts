// The console's files as a frontend serves them: content types and caching, the app's page for client
// routes with the auth mode and region in it, and plain answers for a missing asset, a write, and no build.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsoleAssets, isConsolePath } from "./console-assets.js";

const directory = mkdtempSync(join(tmpdir(), "lambent-console-"));
mkdirSync(join(directory, "assets"));
writeFileSync(join(directory, "index.html"), '<meta name="lambent-auth" content="%AUTH%"><meta name="lambent-region" content="%REGION%"><meta name="lambent-trace-url" content="%TRACE_URL%"><script src="/console/assets/main-ABC.js"></script>');
writeFileSync(join(directory, "assets", "main-ABC.js"), "console.log(1)");
writeFileSync(join(directory, "assets", "console-DEF.css"), "body{}");

const servers: Server[] = [];

async function serve(assets: ConsoleAssets): Promise<string> {
  const server = createServer((request, response) => void assets.serve(request.method ?? "GET", new URL(request.url ?? "/", "http://x").pathname, response));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let base: string;
beforeAll(async () => {
  base = await serve(new ConsoleAssets({ signed: true, region: "eu-west-1", traceUrl: 'https://traces.example/trace/{traceId}?q="x"', directory }));
});
afterAll(() => {
  for (const server of servers) server.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("the console's files", () => {
  it("are /console and everything under it, nothing else", () => {
    expect(["/console", "/console/", "/console/functions/f"].every(isConsolePath)).toBe(true);
    expect(["/consoles", "/", "/lambent/console"].some(isConsolePath)).toBe(false);
  });

  it("serve hashed assets with their content type, kept for a year", async () => {
    const script = await fetch(`${base}/console/assets/main-ABC.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await script.text()).toBe("console.log(1)");
    const style = await fetch(`${base}/console/assets/console-DEF.css`);
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answer every client route with the app's page, never cached, naming the auth mode and region", async () => {
    for (const path of ["/console/", "/console/functions/hello", "/console/functions/hello/configuration"]) {
      const page = await fetch(`${base}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("cache-control")).toBe("no-cache");
      expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(await page.text()).toBe('<meta name="lambent-auth" content="sigv4"><meta name="lambent-region" content="eu-west-1"><meta name="lambent-trace-url" content="https://traces.example/trace/{traceId}?q=&quot;x&quot;"><script src="/console/assets/main-ABC.js"></script>');
    }
    const open = await serve(new ConsoleAssets({ signed: false, region: "us-east-1", directory }));
    expect(await (await fetch(`${open}/console/`)).text()).toContain('content="none"');
  });

  it("redirect /console to /console/, refuse a missing asset and a write", async () => {
    const bare = await fetch(`${base}/console`, { redirect: "manual" });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("/console/");
    expect((await fetch(`${base}/console/assets/main-OLD.js`)).status).toBe(404);
    const post = await fetch(`${base}/console/`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("say the console is not built when its files are missing", async () => {
    const missing = await serve(new ConsoleAssets({ signed: false, region: "us-east-1", directory: join(directory, "nothing") }));
    const answer = await fetch(`${missing}/console/`);
    expect(answer.status).toBe(503);
    expect(await answer.text()).toMatch(/not built/);
  });
});
