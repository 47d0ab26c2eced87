// The web console at /console: the static files packages/console builds, served by this frontend itself.
// Content-hashed assets are kept by browsers for a year; every other /console path answers with the app's
// page (never cached), so a client route loads directly. The page says whether the API takes only signed
// calls and the region to sign for, and holds nothing else: it reaches the cluster through the API alone,
// signed as any client's calls, so these paths stay open like /healthz.
import type { ServerResponse } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";

export const CONSOLE_PATH = "/console";
const ASSETS_PATH = `${CONSOLE_PATH}/assets/`;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/** The page may load only its own files and call only its own origin. */
const PAGE_HEADERS = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-cache",
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

export interface ConsoleAssetsOptions {
  /** Whether the API takes only SigV4-signed calls (LAMBENT_API_AUTH=sigv4): the console then asks for a key. */
  signed: boolean;
  /** The region calls are signed for. */
  region: string;
  /** Where a trace id links to (LAMBENT_CONSOLE_TRACE_URL, `{traceId}` in it). */
  traceUrl?: string | undefined;
  /** The console's build; packages/console's dist/ unless given. */
  directory?: string;
}

interface ConsoleFiles {
  page: Buffer;
  assets: Map<string, { body: Buffer; contentType: string }>;
}

export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_PATH || pathname.startsWith(CONSOLE_PATH + "/");
}

export class ConsoleAssets {
  private loaded: ConsoleFiles | undefined;

  constructor(private readonly options: ConsoleAssetsOptions) {}

  async serve(method: string, pathname: string, response: ServerResponse): Promise<void> {
    if (method !== "GET" && method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }).end("The console is read with GET\n");
      return;
    }
    if (pathname === CONSOLE_PATH) {
      response.writeHead(308, { Location: `${CONSOLE_PATH}/` }).end();
      return;
    }
    const files = await this.files();
    if (!files) {
      response.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }).end("The console is not built: run npm run build\n");
      return;
    }
    if (pathname.startsWith(ASSETS_PATH)) {
      const asset = files.assets.get(pathname.slice(ASSETS_PATH.length));
      if (!asset) {
        response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }).end("No such console asset\n");
        return;
      }
      // The name carries a hash of the content, so the file at a name never changes.
      const headers = { "Content-Type": asset.contentType, "Content-Length": asset.body.length, "Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff" };
      response.writeHead(200, headers).end(method === "HEAD" ? undefined : asset.body);
      return;
    }
    response.writeHead(200, { ...PAGE_HEADERS, "Content-Length": files.page.length }).end(method === "HEAD" ? undefined : files.page);
  }

  /** The build, read once; a missing build is looked for again on the next request, so building later needs no restart. */
  private async files(): Promise<ConsoleFiles | undefined> {
    if (this.loaded) return this.loaded;
    const directory = this.options.directory ?? defaultDirectory();
    if (directory === undefined) return undefined;
    try {
      const template = await readFile(join(directory, "index.html"), "utf8");
      const page = Buffer.from(template.replace("%AUTH%", this.options.signed ? "sigv4" : "none").replace("%REGION%", escapeAttribute(this.options.region)).replace("%TRACE_URL%", escapeAttribute(this.options.traceUrl ?? "")));
      const assets = new Map<string, { body: Buffer; contentType: string }>();
      for (const name of await readdir(join(directory, "assets"))) {
        const contentType = CONTENT_TYPES[extname(name)];
        if (contentType) assets.set(name, { body: await readFile(join(directory, "assets", name)), contentType });
      }
      this.loaded = { page, assets };
      return this.loaded;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }
}

function defaultDirectory(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@lambent/console/package.json")), "dist");
  } catch {
    // The console package is not installed with this frontend (an image pruned of it): no console.
    return undefined;
  }
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
