// What the host does on a function's behalf, beyond logging and timers: hashing and random bytes with
// node:crypto, compression with node:zlib, file operations on the environment's file system, `fetch` under
// the egress policy, and invoking other functions (`lambent:functions`, host/function-calls.ts).
// `SandboxHost` is shared by the worker's environments; `EnvironmentHost` is one environment's share of
// it, and cancels that environment's pending fetches and function calls when an invocation ends.
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import * as zlib from "node:zlib";
import type { FetchPolicyConfig } from "@lambent/config";
import { EgressPolicy } from "./egress-policy.js";
import { FetchFailure, hostFetch, type FetchLimits, type FetchRequestData, type FetchResponseData, type FetchTrace } from "./fetch.js";
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

/** Largest random buffer one call may ask for (Node's own randomBytes cap is 2 GB; an isolate needs far less). */
const MAX_RANDOM_BYTES = 64 * 1024 * 1024;
const MB = 1024 * 1024;

const ZLIB_METHODS: Record<string, (input: Uint8Array, options: zlib.ZlibOptions & zlib.BrotliOptions) => Buffer> = {
  gzip: zlib.gzipSync,
  gunzip: zlib.gunzipSync,
  deflate: zlib.deflateSync,
  inflate: zlib.inflateSync,
  deflateRaw: zlib.deflateRawSync,
  inflateRaw: zlib.inflateRawSync,
  unzip: zlib.unzipSync,
  brotliCompress: zlib.brotliCompressSync,
  brotliDecompress: zlib.brotliDecompressSync,
};

export interface SandboxHostOptions {
  fetch: FetchPolicyConfig;
  packages: PackageSource;
  packageCacheBytes?: number;
  /** Carries out functions' calls of other functions; without it those calls fail with ServiceException. */
  functions?: FunctionCalls | undefined;
  /** Hears how much every environment holds in /tmp together. */
  storageMeter?: StorageMeter | undefined;
}

export class SandboxHost {
  readonly policy: EgressPolicy;
  readonly fetchLimits: FetchLimits;
  readonly packages: PackageCache;
  readonly functions: FunctionCalls | undefined;
  private readonly storageMeter: StorageMeter | undefined;

  constructor(options: SandboxHostOptions) {
    this.storageMeter = options.storageMeter;
    this.policy = new EgressPolicy(options.fetch);
    this.fetchLimits = { timeoutMs: options.fetch.timeoutMs, maxResponseBytes: options.fetch.maxResponseBytes };
    this.packages = new PackageCache(options.packages, options.packageCacheBytes);
    this.functions = options.functions;
  }

  /** One environment's host: its files (the package, when it reads files, and its own /tmp). */
  forEnvironment(pkg: PackageTree | undefined, ephemeralStorageMb: number, memoryMb: number): EnvironmentHost {
    return new EnvironmentHost(this, new EnvironmentFiles(pkg, ephemeralStorageMb * MB, this.storageMeter), memoryMb * MB, callLimits(memoryMb));
  }
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

  constructor(
    private readonly shared: SandboxHost,
    readonly files: EnvironmentFiles,
    /** No single result may be larger than the function's memory (a decompression bomb stops here). */
    private readonly maxResultBytes: number,
    /** Copied into the isolate at boot: the sandbox keeps calls within them, and the host holds it to them. */
    readonly callLimits: FunctionCallLimits,
  ) {}

  /** A synchronous call from the sandbox. Throws (as a plain Error the sandbox sees) on bad input. */
  call(op: string, args: unknown[]): unknown {
    switch (op) {
      case "hash":
        return new Uint8Array(createHash(String(args[0])).update(args[1] as Uint8Array).digest());
      case "hmac":
        return new Uint8Array(createHmac(String(args[0]), args[1] as Uint8Array).update(args[2] as Uint8Array).digest());
      case "random": {
        const size = Number(args[0]);
        if (!(size >= 0 && size <= MAX_RANDOM_BYTES)) throw new RangeError(`The number of random bytes must be between 0 and ${MAX_RANDOM_BYTES}`);
        return new Uint8Array(randomBytes(size));
      }
      case "uuid":
        return randomUUID();
      case "zlib":
        return this.zlib(String(args[0]), args[1], args[2]);
      default:
        if (op.startsWith("fs.")) return this.files.call(op.slice(3), args);
        throw new Error(`unknown host call ${op}`);
    }
  }

  private zlib(method: string, input: unknown, options: unknown): Uint8Array {
    const convert = ZLIB_METHODS[method];
    if (!convert) throw new Error(`unknown zlib method ${method}`);
    if (!(input instanceof Uint8Array)) throw new TypeError("zlib input must be bytes");
    const given = typeof options === "object" && options !== null ? (options as Record<string, unknown>) : {};
    const settings: zlib.ZlibOptions & zlib.BrotliOptions = { maxOutputLength: this.maxResultBytes };
    for (const key of ["level", "windowBits", "memLevel", "strategy"] as const) {
      if (typeof given[key] === "number") settings[key] = given[key];
    }
    if (typeof given["params"] === "object" && given["params"] !== null) settings.params = given["params"] as Record<number, number>;
    return new Uint8Array(convert(input, settings));
  }

  /** Starts a fetch; `deliver` is called once with its outcome unless the invocation ends first. */
  startFetch(id: number, request: FetchRequestData, deliver: FetchDelivery, trace?: FetchTrace): void {
    const controller = new AbortController();
    this.pendingFetches.set(id, controller);
    hostFetch(this.shared.policy, this.shared.fetchLimits, request, controller.signal, trace).then(
      (response) => {
        if (this.pendingFetches.delete(id)) deliver(id, true, response);
      },
      (error: unknown) => {
        if (!this.pendingFetches.delete(id)) return;
        deliver(id, false, error instanceof FetchFailure ? error.message : `fetch failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  /** Aborts one fetch the function gave up on; true when it was still running. */
  abortFetch(id: number): boolean {
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
    const limits = this.callLimits;
    if (this.pendingCalls.size > 0 && (this.pendingCalls.size >= limits.maxInFlight || this.callBytes + size > limits.maxBytesInFlight)) {
      return deliver(id, false, {
        type: "TooManyRequestsException",
        message: `Rate Exceeded. An invocation may have at most ${limits.maxInFlight} function calls, carrying ${limits.maxBytesInFlight} bytes, in flight at once.`,
        fields: { Reason: "CallerRateLimitExceeded" },
      });
    }
    const pending: PendingCall = { controller: new AbortController(), size };
    this.pendingCalls.set(id, pending);
    this.callBytes += size;
    const settle = (): boolean => {
      if (this.pendingCalls.get(id) !== pending) return false;
      this.pendingCalls.delete(id);
      this.callBytes -= size;
      return true;
    };
    functions.call(call, caller, pending.controller.signal).then(
      (output) => {
        if (settle()) deliver(id, true, output);
      },
      (error: unknown) => {
        if (settle()) deliver(id, false, callFailure(error));
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
