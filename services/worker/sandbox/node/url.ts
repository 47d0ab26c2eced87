// `url`: WHATWG URL and URLSearchParams (the globals), the legacy parse/format/resolve, and the
// file URL helpers.

import { vendor } from "../vendor.js";

interface UrlClass {
  new (input: string, base?: string): { href: string; protocol: string; pathname: string; hostname: string };
}

const LEGACY = /^(?:([a-z][a-z0-9+.-]*:))?(?:(\/\/)(?:([^@/?#]*)@)?(\[[^\]]*\]|[^/?#:]*)(?::(\d*))?)?([^?#]*)(\?[^#]*)?(#.*)?$/i;

export class Url {
  protocol: string | null = null;
  slashes: boolean | null = null;
  auth: string | null = null;
  host: string | null = null;
  port: string | null = null;
  hostname: string | null = null;
  hash: string | null = null;
  search: string | null = null;
  query: string | Record<string, unknown> | null = null;
  pathname: string | null = null;
  path: string | null = null;
  href = "";
}

function parse(text: string, parseQueryString = false, slashesDenoteHost = false): Url {
  const url = new Url();
  const input = String(text).trim();
  let match = LEGACY.exec(input);
  if (match && !match[1] && !slashesDenoteHost && match[2]) match = /^()()()()()([^?#]*)(\?[^#]*)?(#.*)?$/.exec(input);
  if (!match) return url;
  const [, protocol, slashes, auth, hostname, port, pathname, search, hash] = match;
  url.protocol = protocol ? protocol.toLowerCase() : null;
  url.slashes = slashes ? true : null;
  url.auth = auth ? decodeURIComponent(auth) : null;
  if (slashes) {
    url.hostname = (hostname ?? "").toLowerCase().replace(/^\[|\]$/g, "");
    url.port = port || null;
    url.host = url.hostname + (port ? `:${port}` : "");
  }
  url.pathname = pathname || (slashes && url.hostname ? "/" : null);
  url.search = search || null;
  url.hash = hash || null;
  const rawQuery = search ? search.slice(1) : null;
  if (parseQueryString) {
    const querystring = vendor.querystring();
    url.query = querystring.parse(rawQuery ?? "");
    if (!search) url.search = "";
  } else {
    url.query = rawQuery;
  }
  url.path = (url.pathname ?? "") + (url.search ?? "") || null;
  url.href = format(url);
  return url;
}

function format(input: unknown): string {
  if (typeof input === "string") return format(parse(input));
  if (typeof input === "object" && input !== null && typeof (input as { href?: unknown }).href === "string" && !(input instanceof Url)) {
    return (input as { href: string }).href;
  }
  const url = input as Partial<Url> & { query?: unknown };
  const protocol = url.protocol ? (url.protocol.endsWith(":") ? url.protocol : `${url.protocol}:`) : "";
  let host = "";
  if (url.host) host = url.host;
  else if (url.hostname) host = (url.hostname.includes(":") ? `[${url.hostname}]` : url.hostname) + (url.port ? `:${url.port}` : "");
  const auth = url.auth ? `${encodeURIComponent(url.auth).replace(/%3A/i, ":")}@` : "";
  const slashes = url.slashes || host || /^(https?|ftp|gopher|file|wss?):$/.test(protocol) ? "//" : "";
  let search = url.search ?? "";
  if (!search && url.query && typeof url.query === "object") {
    const querystring = vendor.querystring();
    const text = querystring.stringify(url.query);
    search = text ? `?${text}` : "";
  }
  if (search && !search.startsWith("?")) search = `?${search}`;
  let pathname = url.pathname ?? "";
  if (slashes && host && pathname && !pathname.startsWith("/")) pathname = `/${pathname}`;
  const hash = url.hash ? (url.hash.startsWith("#") ? url.hash : `#${url.hash}`) : "";
  return `${protocol}${slashes ? `//${auth}${host}` : ""}${pathname}${search.replace("#", "%23")}${hash}`;
}

export function createUrl(): Record<string, unknown> {
  const URL = (globalThis as unknown as { URL: UrlClass }).URL;
  const URLSearchParams = (globalThis as unknown as { URLSearchParams: unknown }).URLSearchParams;
  return {
    URL,
    URLSearchParams,
    Url,
    parse,
    format,
    resolve: (from: string, to: string) => {
      const base = new URL(from, "resolve://");
      const resolved = new URL(to, base.href);
      return resolved.protocol === "resolve:" ? resolved.href.slice("resolve://".length) : resolved.href;
    },
    fileURLToPath: (url: string | { href: string }) => {
      const parsed = new URL(typeof url === "string" ? url : url.href);
      if (parsed.protocol !== "file:") throw Object.assign(new TypeError("The URL must be of scheme file"), { code: "ERR_INVALID_URL_SCHEME" });
      return decodeURIComponent(parsed.pathname);
    },
    pathToFileURL: (path: string) => {
      const absolute = String(path).startsWith("/") ? String(path) : `/var/task/${String(path)}`;
      return new URL(`file://${absolute.split("/").map(encodeURIComponent).join("/")}`);
    },
    domainToASCII: (domain: string) => {
      try {
        return new URL(`http://${domain}`).hostname;
      } catch {
        return "";
      }
    },
    domainToUnicode: (domain: string) => String(domain),
  };
}
