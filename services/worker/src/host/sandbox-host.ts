// What the host does on a function's behalf, beyond logging and timers: hashing and random bytes with
// node:crypto, compression with node:zlib, file operations on the environment's file system, `fetch` under
// the egress policy, TCP and TLS sockets and HTTP/2 sessions under the same policy (host/sockets.ts,
// host/http2-client.ts), invoking other functions (`lambent:functions`, host/function-calls.ts), and
// Lambda's API at lambda.lambent.internal (host/lambda-endpoint.ts: Invoke as a function call, the rest
// through host/function-api-calls.ts).
// `SandboxHost` is shared by the worker's environments; `EnvironmentHost` is one environment's share of
// it, and cancels that environment's pending fetches, function calls and conversions when an invocation
// ends. Synchronous calls run on the sandbox process's main thread, so each is bounded (src/limits.ts);
// compression runs on libuv's pool, a piece at a time, while the isolate waits.
import { createHash, createHmac, randomBytes, randomUUID, type Hash, type Hmac } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import type { FetchPolicyConfig } from "@lambent/config";
import type { FunctionApiEndpoint } from "@lambent/protocol";
import { EgressPolicy } from "./egress-policy.js";
import { FetchFailure, hostFetch, type FetchBudget, type FetchLimits, type FetchRequestData, type FetchResponseData, type FetchTrace } from "./fetch.js";
import { EnvironmentFiles, type StorageMeter } from "./filesystem.js";
import {
  callFailure,
  callLimits,
  callSize,
  parseFunctionCall,
  type CallerContext,
  type FunctionCallFailure,
  type FunctionCallData,
  type FunctionCallLimits,
  type FunctionCallOutput,
  type FunctionCalls,
} from "./function-calls.js";
import { PackageCache, type PackageSource, type PackageTree } from "./package-files.js";
import { errorAnswer, invokeAnswer, invokeRequestOf, isLambdaEndpoint } from "./lambda-endpoint.js";
import { isCodeDeployEndpoint } from "./codedeploy-endpoint.js";
import type { FunctionApiCalls } from "./function-api-calls.js";
import { parseKey, publicHalf, signData, verifyData } from "./key-crypto.js";
import { CipherSessions } from "./cipher-sessions.js";
import { webCryptoCall } from "./web-crypto.js";
import { deriveKey } from "./key-derivation.js";
import { diffieHellmanCall, diffieHellmanGroup, generateSafePrime } from "./diffie-hellman.js";
import { agreeSecret, ecdh, exportKey, generatePair, rsaCrypt, untilAborted, type GeneratedPair } from "./key-generation.js";
import { SocketSlots } from "./sockets.js";
import { ConnectionTable } from "./http2-client.js";
import { MAX_HOST_CALL_BYTES, MAX_ZLIB_BYTES, MAX_ZLIB_JOBS } from "../limits.js";

const MB = 1024 * 1024;
/** A conversion's input goes to zlib in pieces this large: each is one task on libuv's pool, and an abort stops between them. */
const ZLIB_PIECE_BYTES = 64 * 1024;

type ZlibSettings = zlib.ZlibOptions & zlib.BrotliOptions;

const ZLIB_STREAMS: Record<string, (options: ZlibSettings) => zlib.Gzip | zlib.BrotliCompress> = {
  gzip: zlib.createGzip,
  gunzip: zlib.createGunzip,
  deflate: zlib.createDeflate,
  inflate: zlib.createInflate,
  deflateRaw: zlib.createDeflateRaw,
  inflateRaw: zlib.createInflateRaw,
  unzip: zlib.createUnzip,
  brotliCompress: zlib.createBrotliCompress,
  brotliDecompress: zlib.createBrotliDecompress,
};

/** Bytes from the sandbox for a synchronous call: at most one call's worth (the sandbox sends more in pieces). */
function hostBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be bytes`);
  if (value.length > MAX_HOST_CALL_BYTES) throw new RangeError(`${what} may be at most ${MAX_HOST_CALL_BYTES} bytes in one host call`);
  return value;
}

/** Slots for conversions on libuv's pool, shared by a process's environments; the rest wait their turn. */
class JobSlots {
  private running = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly size: number) {}

  async run<T>(signal: AbortSignal, job: () => Promise<T>): Promise<T> {
    while (this.running >= this.size) {
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal.removeEventListener("abort", abort);
          resolve();
        };
        const abort = (): void => {
          this.waiting.delete(wake);
          reject(signal.reason);
        };
        this.waiting.add(wake);
        signal.addEventListener("abort", abort, { once: true });
      });
    }
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      const next = this.waiting.values().next();
      if (!next.done) {
        this.waiting.delete(next.value);
        next.value();
      }
    }
  }
}

export interface SandboxHostOptions {
  fetch: FetchPolicyConfig;
  packages: PackageSource;
  packageCacheBytes?: number;
  /** Carries out functions' calls of other functions; without it those calls fail with ServiceException. */
  functions?: FunctionCalls | undefined;
  /** Carries out functions' Lambda API requests other than Invoke; without it those fail with ServiceException. */
  functionApi?: FunctionApiCalls | undefined;
  /** Hears how much every environment holds in /tmp together. */
  storageMeter?: StorageMeter | undefined;
}

export class SandboxHost {
  readonly policy: EgressPolicy;
  readonly fetchLimits: FetchLimits;
  readonly packages: PackageCache;
  readonly functions: FunctionCalls | undefined;
  readonly functionApi: FunctionApiCalls | undefined;
  readonly conversions = new JobSlots(MAX_ZLIB_JOBS);
  /** Sockets the process's environments hold together. */
  readonly sockets = new SocketSlots();
  private readonly storageMeter: StorageMeter | undefined;

  constructor(options: SandboxHostOptions) {
    this.storageMeter = options.storageMeter;
    this.policy = new EgressPolicy(options.fetch);
    this.fetchLimits = { timeoutMs: options.fetch.timeoutMs, maxResponseBytes: options.fetch.maxResponseBytes };
    this.packages = new PackageCache(options.packages, options.packageCacheBytes);
    this.functions = options.functions;
    this.functionApi = options.functionApi;
  }

  /** One environment's host: its files (the package and its layers, when it reads files, and its own /tmp). */
  forEnvironment(pkg: PackageTree | undefined, ephemeralStorageMb: number, memoryMb: number, opt?: PackageTree): EnvironmentHost {
    return new EnvironmentHost(this, new EnvironmentFiles(pkg, ephemeralStorageMb * MB, this.storageMeter, opt), memoryMb * MB, callLimits(memoryMb));
  }
}

/** Runs `input` through a zlib stream a piece at a time, keeping at most `cap` bytes of output. */
async function convert(stream: zlib.Gzip | zlib.BrotliCompress, input: Uint8Array, cap: number, signal: AbortSignal): Promise<Uint8Array> {
  const source = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const pieces = function* (): Generator<Buffer> {
    for (let offset = 0; offset < source.length; offset += ZLIB_PIECE_BYTES) yield source.subarray(offset, offset + ZLIB_PIECE_BYTES);
  };
  const output: Buffer[] = [];
  let size = 0;
  // The sink's own error, since the pipeline reports tearing the streams down instead.
  let tooLarge: Error | undefined;
  await pipeline(
    Readable.from(pieces(), { objectMode: false }),
    stream,
    async (converted: AsyncIterable<Buffer>) => {
      for await (const chunk of converted) {
        size += chunk.length;
        if (size > cap) throw (tooLarge = Object.assign(new RangeError(`Cannot create a Buffer larger than ${cap} bytes`), { code: "ERR_BUFFER_TOO_LARGE" }));
        output.push(chunk);
      }
    },
    { signal },
  ).catch((error: unknown) => {
    throw tooLarge ?? error;
  });
  return new Uint8Array(Buffer.concat(output, size));
}

/** How a fetch's result goes back into the isolate: ok with the response, or the TypeError message. */
export type FetchDelivery = (id: number, ok: boolean, value: FetchResponseData | string) => void;

/** How a function call's result goes back into the isolate: ok with Lambda's output, or the platform's failure. */
export type CallDelivery = (id: number, ok: boolean, value: FunctionCallOutput | FunctionCallFailure) => void;

interface PendingCall {
  controller: AbortController;
  size: number;
}

export class EnvironmentHost {
  private readonly pendingFetches = new Map<number, AbortController>();
  private readonly pendingCalls = new Map<number, PendingCall>();
  private callBytes = 0;
  /** A digest fed in pieces (hash.start, hash.update…, hash.end), all within one of the sandbox's calls. */
  private digest: Hash | Hmac | undefined;
  /** Ends the conversion the isolate waits for, when its invocation ends first. */
  private conversion: AbortController | undefined;
  /** Bytes the environment's fetches hold on the host now; at most the function's memory size. */
  private fetchBytes = 0;
  /** Ids of fetches the isolate waits for, above any id the sandbox gives its own fetches. */
  private nextWaitingFetchId = 2 ** 40;
  /** Settles the fetch the isolate waits for, when its invocation ends first. */
  private endWaitingFetch: (() => void) | undefined;
  /** The environment's open ciphers (createCipheriv, createDecipheriv). */
  private readonly ciphers = new CipherSessions();
  /** The environment's TCP and TLS sockets, name lookups and HTTP/2 sessions (`net`, `tls`, `dns`, `http2`), closed when the call ends. */
  readonly sockets: ConnectionTable;

  constructor(
    private readonly shared: SandboxHost,
    readonly files: EnvironmentFiles,
    /** No single result may be larger than the function's memory (a decompression bomb stops here). */
    private readonly maxResultBytes: number,
    /** Copied into the isolate at boot: the sandbox keeps calls within them, and the host holds it to them. */
    readonly callLimits: FunctionCallLimits,
  ) {
    this.sockets = new ConnectionTable({ policy: shared.policy, connectTimeoutMs: shared.fetchLimits.timeoutMs, slots: shared.sockets });
  }

  /** A synchronous call from the sandbox. Throws (as a plain Error the sandbox sees) on bad input. */
  call(op: string, args: unknown[]): unknown {
    switch (op) {
      case "hash":
        return new Uint8Array(createHash(String(args[0])).update(hostBytes(args[1], "hash input")).digest());
      case "hmac":
        return new Uint8Array(createHmac(String(args[0]), hostBytes(args[1], "hmac key")).update(hostBytes(args[2], "hmac input")).digest());
      case "hash.start":
        this.digest = args[1] === null ? createHash(String(args[0])) : createHmac(String(args[0]), hostBytes(args[1], "hmac key"));
        return null;
      case "hash.update":
        if (!this.digest) throw new Error("no digest was started");
        this.digest.update(hostBytes(args[0], "hash input"));
        return null;
      case "hash.end": {
        const digest = this.digest;
        this.digest = undefined;
        if (!digest) throw new Error("no digest was started");
        return new Uint8Array(digest.digest());
      }
      case "random": {
        const size = Number(args[0]);
        if (!(size >= 0 && size <= MAX_HOST_CALL_BYTES)) throw new RangeError(`The number of random bytes in one host call must be between 0 and ${MAX_HOST_CALL_BYTES}`);
        return new Uint8Array(randomBytes(size));
      }
      case "uuid":
        return randomUUID();
      case "key.parse":
        return parseKey(args[0], args[1]);
      case "key.public":
        return publicHalf(args[0]);
      case "sign":
        return signData(args[0], args[1], args[2], args[3]);
      case "verify":
        return verifyData(args[0], args[1], args[2], args[3], args[4], args[5]);
      case "key.export":
        return exportKey(args[0], args[1], args[2]);
      case "key.rsa":
        return rsaCrypt(args[0], args[1], args[2], args[3], hostBytes(args[4], "the data"));
      case "key.agree":
        return agreeSecret(args[0], args[1], args[2]);
      case "ecdh":
        return ecdh(args[0], args.slice(1));
      case "dh.group":
        return diffieHellmanGroup(args[0]);
      case "dh":
        return diffieHellmanCall(args[0], args.slice(1));
      case "cipher.start":
        return this.ciphers.start(args[0], args[1], hostBytes(args[2], "key"), args[3] === null ? null : hostBytes(args[3], "iv"), args[4]);
      case "cipher.update":
        return this.ciphers.update(args[0], hostBytes(args[1], "data"));
      case "cipher.aad":
        return void this.ciphers.setAAD(args[0], hostBytes(args[1], "aad"), args[2]);
      case "cipher.tag":
        return void this.ciphers.setAuthTag(args[0], hostBytes(args[1], "authTag"));
      case "cipher.padding":
        return void this.ciphers.setAutoPadding(args[0], args[1]);
      case "cipher.final":
        return this.ciphers.final(args[0]);
      case "subtle":
        return webCryptoCall(args[0], args.slice(1));
      default:
        if (op.startsWith("fs.")) return this.files.call(op.slice(3), args);
        if (op.startsWith("net.")) return this.sockets.call(op.slice(4), args);
        throw new Error(`unknown host call ${op}`);
    }
  }

  /**
   * A call the isolate waits for while the host works off its main thread: `zlib` (method, bytes, options),
   * `kdf` (a key derivation), `keygen` (a key pair: type, options) or `dhprime` (a safe prime of a length). The zlib input and the output may each be min(the function's memory size, MAX_ZLIB_BYTES).
   */
  wait(op: "keygen", args: unknown[]): Promise<GeneratedPair>;
  wait(op: string, args: unknown[]): Promise<Uint8Array>;
  async wait(op: string, args: unknown[]): Promise<Uint8Array | GeneratedPair> {
    if (op === "keygen") {
      // A generation holds its slot until it finishes, even when the invocation ends first and the isolate stops waiting.
      const controller = new AbortController();
      this.conversion = controller;
      try {
        return await untilAborted(this.shared.conversions.run(controller.signal, () => generatePair(args[0], args[1])), controller.signal);
      } finally {
        if (this.conversion === controller) this.conversion = undefined;
      }
    }
    if (op === "dhprime") {
      // Like a key pair: a prime search holds its pool slot until it finishes.
      const controller = new AbortController();
      this.conversion = controller;
      try {
        return await untilAborted(this.shared.conversions.run(controller.signal, () => generateSafePrime(args[0])), controller.signal);
      } finally {
        if (this.conversion === controller) this.conversion = undefined;
      }
    }
    if (op === "kdf") {
      // Shares the conversions' slots: at most a few derivations and conversions run on libuv's pool at once.
      const controller = new AbortController();
      return this.shared.conversions.run(controller.signal, () => deriveKey(args[0], args.slice(1)));
    }
    if (op !== "zlib") throw new Error(`unknown host call ${op}`);
    const [method, input, options] = args;
    const create = ZLIB_STREAMS[String(method)];
    if (!create) throw new Error(`unknown zlib method ${String(method)}`);
    if (!(input instanceof Uint8Array)) throw new TypeError("zlib input must be bytes");
    const cap = Math.min(this.maxResultBytes, MAX_ZLIB_BYTES);
    if (input.length > cap) throw Object.assign(new RangeError(`zlib input may be at most ${cap} bytes`), { code: "ERR_BUFFER_TOO_LARGE" });
    const given = typeof options === "object" && options !== null ? (options as Record<string, unknown>) : {};
    const settings: ZlibSettings = {};
    for (const key of ["level", "windowBits", "memLevel", "strategy"] as const) {
      if (typeof given[key] === "number") settings[key] = given[key];
    }
    if (typeof given["params"] === "object" && given["params"] !== null) settings.params = given["params"] as Record<number, number>;
    const controller = new AbortController();
    this.conversion = controller;
    try {
      return await this.shared.conversions.run(controller.signal, () => convert(create(settings), input, cap, controller.signal));
    } finally {
      if (this.conversion === controller) this.conversion = undefined;
    }
  }

  /** The invocation ended: a conversion it waited for stops between pieces. */
  cancelConversion(): void {
    this.conversion?.abort(new Error("the invocation ended"));
    this.conversion = undefined;
  }

  /**
   * Starts a fetch; `deliver` is called once with its outcome unless the invocation ends first. What the
   * environment's fetches hold on the host together (request bodies, responses as they are read) is capped
   * at the function's memory size: the answers go into its isolate anyway.
   */
  startFetch(id: number, request: FetchRequestData, deliver: FetchDelivery, trace?: FetchTrace, caller?: CallerContext): void {
    if (isLambdaEndpoint(request.url)) return this.startEndpointCall(id, request, deliver, caller);
    if (isCodeDeployEndpoint(request.url)) return this.startApiCall(id, request, deliver, caller, "codedeploy");
    const controller = new AbortController();
    const { budget, release } = this.fetchBudget();
    const settle = (): boolean => {
      release();
      return this.pendingFetches.delete(id);
    };
    if (!budget.take(request.body?.length ?? 0)) {
      return deliver(id, false, "fetch failed: this invocation's fetches together hold more bytes than its memory size");
    }
    this.pendingFetches.set(id, controller);
    hostFetch(this.shared.policy, this.shared.fetchLimits, request, controller.signal, trace, budget).then(
      (response) => {
        if (settle()) deliver(id, true, response);
      },
      (error: unknown) => {
        if (!settle()) return;
        deliver(id, false, error instanceof FetchFailure ? error.message : `fetch failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  /** One fetch's share of what the environment's fetches hold together; `release` gives it back. */
  private fetchBudget(): { budget: FetchBudget; release(): void } {
    let held = 0;
    return {
      budget: {
        take: (bytes) => {
          if (this.fetchBytes + bytes > this.maxResultBytes) return false;
          this.fetchBytes += bytes;
          held += bytes;
          return true;
        },
      },
      release: () => {
        this.fetchBytes -= held;
        held = 0;
      },
    };
  }

  /**
   * A fetch the isolate waits for (a Python function's urllib, http.client and requests block until it
   * answers): carried out as startFetch carries one out, under the same policy, byte budget and
   * cancellation, within `timeoutMs` when the function asked for less time than the policy gives. The
   * promise always settles, with the response or a FetchFailure whose code says why, so the isolate's
   * thread is let go even when the invocation ends first.
   */
  fetchWaiting(request: FetchRequestData, timeoutMs: number, trace?: FetchTrace, caller?: CallerContext): Promise<FetchResponseData> {
    const id = this.nextWaitingFetchId++;
    const waiting = new Promise<FetchResponseData>((resolve, reject) => {
      this.endWaitingFetch = () => reject(new FetchFailure("fetch failed: the invocation ended"));
      if (isLambdaEndpoint(request.url)) {
        return this.startEndpointCall(id, request, (_id, ok, value) => (ok ? resolve(value as FetchResponseData) : reject(new FetchFailure(String(value)))), caller);
      }
      if (isCodeDeployEndpoint(request.url)) {
        return this.startApiCall(id, request, (_id, ok, value) => (ok ? resolve(value as FetchResponseData) : reject(new FetchFailure(String(value)))), caller, "codedeploy");
      }
      const controller = new AbortController();
      const { budget, release } = this.fetchBudget();
      if (!budget.take(request.body?.length ?? 0)) {
        return reject(new FetchFailure("fetch failed: this invocation's fetches together hold more bytes than its memory size", "EFBIG"));
      }
      const shared = this.shared.fetchLimits;
      const limits = timeoutMs > 0 && timeoutMs < shared.timeoutMs ? { ...shared, timeoutMs } : shared;
      this.pendingFetches.set(id, controller);
      hostFetch(this.shared.policy, limits, request, controller.signal, trace, budget).then(
        (response) => {
          release();
          this.pendingFetches.delete(id);
          resolve(response);
        },
        (error: unknown) => {
          release();
          this.pendingFetches.delete(id);
          reject(error instanceof FetchFailure ? error : new FetchFailure(`fetch failed: ${error instanceof Error ? error.message : String(error)}`));
        },
      );
    });
    return waiting.finally(() => {
      this.endWaitingFetch = undefined;
    });
  }

  /**
   * A request to the in-function Lambda endpoint: an Invoke goes out as a function call (its limits and
   * admission), answered as Lambda's REST API answers; any other operation goes to the frontends as the
   * function's role, within the same limits. Such calls are kept among the function calls under the fetch
   * id negated, so they never meet a `lambent:functions` call's id.
   */
  private startEndpointCall(id: number, request: FetchRequestData, deliver: FetchDelivery, caller: CallerContext | undefined): void {
    const parsed = invokeRequestOf(request);
    if (parsed === undefined) return this.startApiCall(id, request, deliver, caller, "lambda");
    if ("answer" in parsed) return deliver(id, true, parsed.answer);
    this.startCall(
      -id,
      parsed.call,
      (_callId, ok, value) => deliver(id, true, ok ? invokeAnswer(request.url, value as FunctionCallOutput) : errorAnswer(request.url, value as FunctionCallFailure)),
      caller,
    );
  }

  /**
   * A Lambda API request other than Invoke, or a CodeDeploy request (codedeploy-endpoint.ts), served by the
   * frontends; a refusal here is answered with its type in `x-amzn-errortype`, which both SDKs read.
   */
  private startApiCall(id: number, request: FetchRequestData, deliver: FetchDelivery, caller: CallerContext | undefined, endpoint: FunctionApiEndpoint): void {
    const api = this.shared.functionApi;
    const refuse = (failure: FunctionCallFailure): void => deliver(id, true, errorAnswer(request.url, failure));
    const name = endpoint === "codedeploy" ? "CodeDeploy's" : "Lambda's";
    if (!caller) return refuse({ type: "ServiceException", message: `A function can call ${name} API only while its handler runs` });
    if (!api) return refuse({ type: "ServiceException", message: `This worker cannot carry out ${name} API calls` });
    const pending = this.admitCall(-id, request.body?.length ?? 0);
    if (!("controller" in pending)) return refuse(pending);
    api.call(request, caller, pending.controller.signal, endpoint).then(
      (answer) => {
        if (this.settleCall(-id, pending)) deliver(id, true, answer);
      },
      (error: unknown) => {
        if (this.settleCall(-id, pending)) refuse(callFailure(error));
      },
    );
  }

  /** Room for one more call of `size` bytes within callLimits, or the throttle refusing it. */
  private admitCall(id: number, size: number): PendingCall | FunctionCallFailure {
    const limits = this.callLimits;
    if (this.pendingCalls.size > 0 && (this.pendingCalls.size >= limits.maxInFlight || this.callBytes + size > limits.maxBytesInFlight)) {
      return {
        type: "TooManyRequestsException",
        message: `Rate Exceeded. An invocation may have at most ${limits.maxInFlight} function calls, carrying ${limits.maxBytesInFlight} bytes, in flight at once.`,
        fields: { Reason: "CallerRateLimitExceeded" },
      };
    }
    const pending: PendingCall = { controller: new AbortController(), size };
    this.pendingCalls.set(id, pending);
    this.callBytes += size;
    return pending;
  }

  /** True when the call was still pending (its caller still waits), and frees its room. */
  private settleCall(id: number, pending: PendingCall): boolean {
    if (this.pendingCalls.get(id) !== pending) return false;
    this.pendingCalls.delete(id);
    this.callBytes -= pending.size;
    return true;
  }

  /** Aborts one fetch the function gave up on; true when it was still running. */
  abortFetch(id: number): boolean {
    const call = this.pendingCalls.get(-id);
    if (call) {
      call.controller.abort(new Error("the function aborted the request"));
      this.pendingCalls.delete(-id);
      this.callBytes -= call.size;
      return true;
    }
    const controller = this.pendingFetches.get(id);
    if (!controller) return false;
    this.pendingFetches.delete(id);
    controller.abort();
    return true;
  }

  /** Aborts every fetch still running: the invocation that started them has ended. */
  cancelFetches(): void {
    for (const controller of this.pendingFetches.values()) controller.abort();
    this.pendingFetches.clear();
    this.endWaitingFetch?.();
  }

  /**
   * Starts a call of another function for the invocation `caller` describes (undefined while the module
   * initialises: refused); `deliver` is called once with its outcome unless the invocation ends first.
   * The sandbox keeps within callLimits, so a call past them means it was bypassed: refused too.
   */
  startCall(id: number, data: unknown, deliver: CallDelivery, caller: CallerContext | undefined): void {
    const functions = this.shared.functions;
    if (!caller) return deliver(id, false, { type: "ServiceException", message: "A function can invoke another only while its handler runs" });
    if (!functions) return deliver(id, false, { type: "ServiceException", message: "This worker cannot carry out function calls" });
    let size: number;
    let call;
    try {
      call = parseFunctionCall(data);
      size = callSize(data as FunctionCallData);
    } catch (error) {
      return deliver(id, false, callFailure(error));
    }
    const pending = this.admitCall(id, size);
    if (!("controller" in pending)) return deliver(id, false, pending);
    functions.call(call, caller, pending.controller.signal).then(
      (output) => {
        if (this.settleCall(id, pending)) deliver(id, true, output);
      },
      (error: unknown) => {
        if (this.settleCall(id, pending)) deliver(id, false, callFailure(error));
      },
    );
  }

  /** Gives up every function call still waiting for its answer: the invocation that made them has ended. */
  cancelCalls(): void {
    for (const { controller } of this.pendingCalls.values()) controller.abort(new Error("the invocation ended"));
    this.pendingCalls.clear();
    this.callBytes = 0;
  }
}
