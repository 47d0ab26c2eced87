// The host's synchronous calls are each bounded, whatever the sandbox sends (anything can come out of an
// isolate), and compression runs off the main thread within its caps and stops when its invocation ends.
import { createHash, createHmac } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_HOST_CALL_BYTES, MAX_ZLIB_BYTES } from "../limits.js";
import { SandboxHost, type EnvironmentHost } from "./sandbox-host.js";

const MB = 1024 * 1024;

function environment(memoryMb = 128): EnvironmentHost {
  const shared = new SandboxHost({ fetch: { allow: [], deny: [], timeoutMs: 1000, maxResponseBytes: 1024 }, packages: { getPackage: async () => undefined } });
  return shared.forEnvironment(undefined, 512, memoryMb);
}

async function failure(work: () => unknown): Promise<{ name: string; code?: string }> {
  try {
    await work();
  } catch (error) {
    return { name: (error as Error).name, ...((error as { code?: string }).code ? { code: (error as { code: string }).code } : {}) };
  }
  throw new Error("expected a failure");
}

describe("EnvironmentHost synchronous calls", () => {
  it("refuses more than MAX_HOST_CALL_BYTES in one hash, HMAC or random call", async () => {
    const host = environment();
    const over = new Uint8Array(MAX_HOST_CALL_BYTES + 1);
    expect(await failure(() => host.call("hash", ["sha256", over]))).toEqual({ name: "RangeError" });
    expect(await failure(() => host.call("hmac", ["sha256", new Uint8Array(1), over]))).toEqual({ name: "RangeError" });
    expect(await failure(() => host.call("random", [MAX_HOST_CALL_BYTES + 1]))).toEqual({ name: "RangeError" });
    expect(await failure(() => host.call("hash", ["sha256", "not bytes"]))).toEqual({ name: "TypeError" });
    expect((host.call("random", [MAX_HOST_CALL_BYTES]) as Uint8Array).length).toBe(MAX_HOST_CALL_BYTES);
  });

  it("digests a long input fed in pieces, a hash or an HMAC, as one", () => {
    const host = environment();
    const pieces = [new Uint8Array(MAX_HOST_CALL_BYTES).fill(1), new Uint8Array(5).fill(2)];
    const whole = Buffer.concat(pieces);
    host.call("hash.start", ["sha256", null]);
    for (const piece of pieces) host.call("hash.update", [piece]);
    expect(Buffer.from(host.call("hash.end", []) as Uint8Array).toString("hex")).toBe(createHash("sha256").update(whole).digest("hex"));
    host.call("hash.start", ["sha1", new Uint8Array([7])]);
    for (const piece of pieces) host.call("hash.update", [piece]);
    expect(Buffer.from(host.call("hash.end", []) as Uint8Array).toString("hex")).toBe(createHmac("sha1", Buffer.from([7])).update(whole).digest("hex"));
    expect(() => host.call("hash.update", [pieces[1]])).toThrow(/no digest was started/);
  });
});

describe("EnvironmentHost compression", () => {
  it("round-trips and reports zlib's own errors", async () => {
    const host = environment();
    const text = new TextEncoder().encode("hello ".repeat(50_000));
    const packed = await host.wait("zlib", ["gzip", text, { level: 9 }]);
    expect(Buffer.from(await host.wait("zlib", ["gunzip", packed, {}])).toString()).toBe("hello ".repeat(50_000));
    expect(await failure(() => host.wait("zlib", ["gunzip", new Uint8Array([1, 2, 3]), {}]))).toMatchObject({ code: "Z_DATA_ERROR" });
  });

  it("caps the output at min(memory size, 64 MB): a bomb stops there", async () => {
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(MAX_ZLIB_BYTES + MB)));
    expect(await failure(() => environment(1024).wait("zlib", ["gunzip", bomb, {}]))).toEqual({ name: "RangeError", code: "ERR_BUFFER_TOO_LARGE" });
    const small = new Uint8Array(gzipSync(Buffer.alloc(129 * MB)));
    expect(await failure(() => environment(128).wait("zlib", ["gunzip", small, {}]))).toEqual({ name: "RangeError", code: "ERR_BUFFER_TOO_LARGE" });
  });

  it("caps the input the same way", async () => {
    expect(await failure(() => environment(128).wait("zlib", ["gzip", new Uint8Array(MAX_ZLIB_BYTES + 1), {}]))).toEqual({ name: "RangeError", code: "ERR_BUFFER_TOO_LARGE" });
  });

  it("stops a conversion when its invocation ends", async () => {
    const host = environment(1024);
    const running = host.wait("zlib", ["brotliCompress", new Uint8Array(32 * MB).map((_, i) => (i * 7919) & 255), {}]);
    host.cancelConversion();
    expect(await failure(() => running)).toMatchObject({ name: "AbortError" });
  });
});
