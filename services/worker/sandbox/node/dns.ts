// `dns`: `lookup`, `resolve4`, `resolve6` (callback and promise forms) answered by the host, which leaves
// out the addresses the egress policy refuses (a name that only points at the cluster or a private range
// does not resolve). The policy is checked again on the address a socket actually dials, so an answer
// that changes between the lookup and the connect (DNS rebinding) gains nothing.
import { callHost } from "../host-access.js";
import { isIP, socketError, watchHost, type SocketErrorData } from "./net.js";
import { createUnsupported } from "./unsupported.js";

type Answer = { address: string; family: number }[];
type Callback = (error: Error | null, ...results: unknown[]) => void;

/** One host lookup; its answer comes as an event (node/net.ts pollSockets). */
function ask(hostname: string, kind: "lookup" | "resolve4" | "resolve6", family: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let id: number;
    try {
      id = callHost("net.lookup", hostname, kind, family) as number;
    } catch (error) {
      reject(error as Error);
      return;
    }
    watchHost(id, (event, value) => {
      if (event === "abandon") reject(socketError({ message: `${kind === "lookup" ? "getaddrinfo" : "query"} ECANCELLED ${hostname}`, code: "ECANCELLED", hostname }));
      else if (Array.isArray(value)) resolve(value as Answer);
      else reject(socketError(value as SocketErrorData));
    });
  });
}

interface LookupOptions {
  family?: number | string;
  all?: boolean;
  verbatim?: boolean;
  order?: string;
  hints?: number;
}

function lookupOptions(options: unknown): LookupOptions {
  if (typeof options === "number") return { family: options };
  return typeof options === "object" && options !== null ? (options as LookupOptions) : {};
}

function familyOf(option: unknown): number {
  return option === 4 || option === "IPv4" ? 4 : option === 6 || option === "IPv6" ? 6 : 0;
}

async function lookupPromise(hostname: unknown, options?: unknown): Promise<unknown> {
  const settings = lookupOptions(options);
  const name = String(hostname);
  const literal = isIP(name);
  const answer: Answer = literal ? [{ address: name, family: literal }] : await ask(name, "lookup", familyOf(settings.family));
  if (settings.all) return answer;
  const first = answer[0] as { address: string; family: number };
  return { address: first.address, family: first.family };
}

async function resolvePromise(hostname: unknown, rrtype: unknown = "A"): Promise<string[]> {
  if (rrtype !== "A" && rrtype !== "AAAA") throw Object.assign(new Error(`dns.resolve with rrtype ${String(rrtype)} is not available in Lambent's isolate runtime`), { code: "ERR_METHOD_NOT_IMPLEMENTED" });
  const answer = await ask(String(hostname), rrtype === "A" ? "resolve4" : "resolve6", 0);
  return answer.map(({ address }) => address);
}

/** The callback form of a promise-returning function: the callback is the last argument. */
function callbackForm(run: (...args: unknown[]) => Promise<unknown>, spread: boolean): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const callback = args.pop();
    if (typeof callback !== "function") throw Object.assign(new TypeError('The "callback" argument must be of type function'), { code: "ERR_INVALID_ARG_TYPE" });
    run(...args).then(
      (result) => {
        const value = result as { address?: string; family?: number };
        if (spread && !Array.isArray(result)) (callback as Callback)(null, value.address, value.family);
        else (callback as Callback)(null, result);
      },
      (error: unknown) => (callback as Callback)(error as Error),
    );
  };
}

export function createDns(): Record<string, unknown> {
  const unsupported = ["lookupService", "resolveAny", "resolveCname", "resolveMx", "resolveNs", "resolveSrv", "resolveTxt", "resolveCaa", "resolveNaptr", "resolvePtr", "resolveSoa", "reverse"];
  const promises = {
    ...createUnsupported("dns.promises", { functions: unsupported }),
    lookup: lookupPromise,
    resolve: resolvePromise,
    resolve4: (hostname: unknown) => resolvePromise(hostname, "A"),
    resolve6: (hostname: unknown) => resolvePromise(hostname, "AAAA"),
    setDefaultResultOrder: () => undefined,
    getServers: () => [],
  };
  return {
    ...createUnsupported("dns", { functions: [...unsupported, "setServers"], classes: ["Resolver"] }),
    lookup: callbackForm(lookupPromise, true),
    resolve: callbackForm(resolvePromise, false),
    resolve4: callbackForm((hostname) => resolvePromise(hostname, "A"), false),
    resolve6: callbackForm((hostname) => resolvePromise(hostname, "AAAA"), false),
    setDefaultResultOrder: () => undefined,
    getDefaultResultOrder: () => "verbatim",
    getServers: () => [],
    promises,
    ADDRCONFIG: 1024,
    V4MAPPED: 2048,
    ALL: 256,
    NOTFOUND: "ENOTFOUND",
    NODATA: "ENODATA",
    CONNREFUSED: "ECONNREFUSED",
    TIMEOUT: "ETIMEOUT",
  };
}
