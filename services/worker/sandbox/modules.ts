// Built-in modules bundled code reaches through `globalThis.__lambentRequire(name)` (the bundler's
// ISOLATE_BUILTINS names them). Each is built on its first require and kept for the environment's life.
// `buffer`, `events`, `stream`, `stream/web`, `path`, `querystring` and `string_decoder` are well-known
// pure-JS ports bundled into the sandbox (sandbox/vendor.ts); the rest are the sandbox's own, backed by the host where
// they must be (crypto, fs, zlib, net, tls, dns). Lambent's own modules (`lambent:functions`) sit beside them.
import type { EnvironmentInfo } from "./host.js";
import { createFunctions } from "./lambent/functions.js";
import { createAssertModule } from "./node/assert.js";
import { createAsyncHooks } from "./node/async-hooks.js";
import { createConsoleClass } from "./node/console.js";
import { bufferModule } from "./node/buffer.js";
import { createCrypto } from "./node/crypto.js";
import { createDiagnosticsChannel } from "./node/diagnostics-channel.js";
import { createDomain } from "./node/domain.js";
import { createFs } from "./node/fs.js";
import { createHttp } from "./node/http.js";
import { createDns } from "./node/dns.js";
import { createModule } from "./node/module.js";
import { createNet } from "./node/net.js";
import { createOs } from "./node/os.js";
import { createPerfHooks, createV8 } from "./node/perf-hooks.js";
import { createReadline } from "./node/readline.js";
import { createStream } from "./node/stream.js";
import { createTls } from "./node/tls.js";
import { createTimers } from "./node/timers.js";
import { createTty } from "./node/tty.js";
import { childProcess, cluster, dgram, workerThreads } from "./node/unsupported.js";
import { createHttp2 } from "./node/http2.js";
import { createUrl } from "./node/url.js";
import { createUtil, types as utilTypes } from "./node/util.js";
import { createZlib } from "./node/zlib.js";
import { vendor } from "./vendor.js";
import { webStreams } from "./web/streams.js";

const builtins = new Map<string, () => unknown>();
const loaded = new Map<string, unknown>();

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

/** Registers every built-in; none is evaluated until something requires it. */
export function registerBuiltins(info: EnvironmentInfo): void {
  const fs = once(createFs);
  const assert = once(createAssertModule);
  const timers = once(createTimers);
  const stream = once(() => createStream(webStreams) as unknown as Record<string, unknown>);
  const dns = once(createDns);
  const entries: [string, () => unknown][] = [
    ["buffer", bufferModule],
    ["events", vendor.events],
    ["util", createUtil],
    ["util/types", () => utilTypes],
    // path-browserify is Node's posix path; `resolve` starts from process.cwd(), the task root.
    ["path", vendor.path],
    ["path/posix", vendor.path],
    ["url", createUrl],
    ["querystring", () => {
      const qs = vendor.querystring();
      return { ...qs, escape: (text: string) => encodeURIComponent(text), unescape: (text: string) => decodeURIComponent(text) };
    }],
    ["string_decoder", vendor.stringDecoder],
    ["assert", () => assert().assert],
    ["assert/strict", () => assert().strict],
    ["crypto", createCrypto],
    ["stream", () => stream()],
    ["stream/promises", () => stream()["promises"]],
    ["stream/web", webStreams],
    ["fs", () => fs().fs],
    ["fs/promises", () => fs().promises],
    ["os", () => createOs(info.memoryLimitInMB)],
    ["process", () => (globalThis as unknown as { process: unknown }).process],
    ["timers", () => timers().timers],
    ["timers/promises", () => timers().promises],
    ["zlib", createZlib],
    ["async_hooks", createAsyncHooks],
    ["diagnostics_channel", createDiagnosticsChannel],
    ["punycode", vendor.punycode],
    // Node's module is the global console, which carries the Console class too.
    ["console", () => Object.assign((globalThis as unknown as { console: object }).console, { Console: createConsoleClass() })],
    ["constants", () => ({ ...(fs().fs["constants"] as object) })],
    ["domain", () => createDomain(vendor.events() as never)],
    ["module", () => createModule(() => [...builtins.keys()].filter((name) => !name.includes(":")), lambentRequire)],
    ["perf_hooks", createPerfHooks],
    ["readline", () => createReadline(vendor.events() as never)],
    ["v8", () => createV8(info.memoryLimitInMB)],
    ["tty", createTty],
    // Importable only: each call fails with ERR_METHOD_NOT_IMPLEMENTED (node/unsupported.ts).
    ["child_process", childProcess],
    ["worker_threads", workerThreads],
    ["cluster", cluster],
    ["dgram", dgram],
    // Sockets, name lookups and HTTP/2 sessions carried out by the host under the egress policy (host/sockets.ts, host/http2-client.ts).
    ["net", createNet],
    ["tls", createTls],
    ["dns", dns],
    ["dns/promises", () => dns()["promises"]],
    ["http", () => createHttp("http:")],
    ["https", () => createHttp("https:")],
    ["http2", createHttp2],
    ["lambent:functions", () => createFunctions(info.callLimits)],
  ];
  for (const [name, factory] of entries) builtins.set(name, factory);
}

/** Whether `name` (with or without `node:`) is one of the runtime's modules. */
export function hasBuiltin(name: string): boolean {
  return builtins.has(name.startsWith("node:") ? name.slice(5) : name);
}

export function lambentRequire(name: unknown): unknown {
  const id = String(name);
  const bare = id.startsWith("node:") ? id.slice(5) : id;
  if (loaded.has(bare)) return loaded.get(bare);
  const factory = builtins.get(bare);
  if (!factory) {
    const error = new Error(`Cannot find module '${id}'`) as Error & { code?: string };
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  const exports = factory();
  loaded.set(bare, exports);
  return exports;
}
