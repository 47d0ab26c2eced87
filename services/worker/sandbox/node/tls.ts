// `tls`: TLS client sockets whose TLS the host does with Node's own tls (host/sockets.ts), over a
// connection dialled under the egress policy as `net`'s are: `tls.connect` to a host and port, or over a
// connected `net.Socket` (`tls.connect({ socket })`, as pg upgrades after its SSLRequest). The server's
// certificate is checked on the host (`rejectUnauthorized`, `ca`, `servername`); no servers.
import { Buffer } from "./buffer.js";
import { isIP, normalizeConnect, socketClasses, type HostSocket, type TlsSettings } from "./net.js";
import { createUnsupported } from "./unsupported.js";

type Listener = (...args: unknown[]) => void;

interface TlsOptions {
  host?: string;
  port?: number | string;
  socket?: unknown;
  servername?: string;
  rejectUnauthorized?: boolean;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  ALPNProtocols?: unknown;
  timeout?: number;
  [name: string]: unknown;
}

function pem(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer().from(value).toString("utf8");
  return undefined;
}

function settingsOf(options: TlsOptions): TlsSettings {
  const settings: TlsSettings = { rejectUnauthorized: options.rejectUnauthorized !== false };
  if (typeof options.servername === "string") settings.servername = options.servername;
  const ca = (Array.isArray(options.ca) ? options.ca : options.ca === undefined ? [] : [options.ca]).map(pem).filter((entry): entry is string => entry !== undefined);
  if (ca.length > 0) settings.ca = ca;
  const cert = pem(Array.isArray(options.cert) ? options.cert[0] : options.cert);
  const key = pem(Array.isArray(options.key) ? options.key[0] : options.key);
  if (cert !== undefined) settings.cert = cert;
  if (key !== undefined) settings.key = key;
  if (Array.isArray(options.ALPNProtocols)) settings.alpnProtocols = options.ALPNProtocols.map((protocol) => (typeof protocol === "string" ? protocol : Buffer().from(protocol as Uint8Array).toString("utf8")));
  return settings;
}

export function createTls(): Record<string, unknown> {
  const { Socket, TLSSocket } = socketClasses();
  /** connect(options[, listener]), connect(port[, host][, options][, listener]) */
  const connect = (...args: unknown[]): HostSocket => {
    const listener = typeof args[args.length - 1] === "function" ? (args[args.length - 1] as Listener) : undefined;
    const [first] = args;
    let options: TlsOptions;
    if (typeof first === "object" && first !== null) {
      options = first as TlsOptions;
    } else {
      const [base] = normalizeConnect(args.filter((arg) => typeof arg !== "object" || arg === null));
      const extra = args.find((arg, index) => index > 0 && typeof arg === "object" && arg !== null) as TlsOptions | undefined;
      options = { ...extra, ...base } as TlsOptions;
    }
    const settings = settingsOf(options);
    const socket = new TLSSocket(options.timeout ? { timeout: options.timeout } : {});
    if (listener) socket.once("secureConnect", listener);
    if (options.socket !== undefined) {
      if (!(options.socket instanceof Socket)) throw Object.assign(new Error("tls.connect({ socket }) takes a net.Socket in Lambent's isolate runtime"), { code: "ERR_METHOD_NOT_IMPLEMENTED" });
      const raw = options.socket as HostSocket;
      if (settings.servername === undefined && typeof options.host === "string" && !isIP(options.host)) settings.servername = options.host;
      socket.adopt(raw, settings);
      return socket;
    }
    const host = options.host ?? "localhost";
    if (settings.servername === undefined && !isIP(host)) settings.servername = host;
    socket.dial(Number(options.port), host, settings);
    return socket;
  };
  return {
    ...createUnsupported("tls", { functions: ["createServer", "createSecureContext"], classes: ["Server", "SecureContext"] }),
    connect,
    TLSSocket,
    // The host checks the server's identity against `servername` before the socket is secure.
    checkServerIdentity: () => undefined,
    DEFAULT_MIN_VERSION: "TLSv1.2",
    DEFAULT_MAX_VERSION: "TLSv1.3",
    DEFAULT_ECDH_CURVE: "auto",
    rootCertificates: [],
    getCiphers: () => ["tls_aes_128_gcm_sha256", "tls_aes_256_gcm_sha384", "tls_chacha20_poly1305_sha256"],
  };
}
