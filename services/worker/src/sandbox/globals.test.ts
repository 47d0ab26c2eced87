// The globals and built-in modules code inside the isolate has: each is used the way function code
// uses it, through a real isolate.
import { createCipheriv, createHash, createHmac, createPublicKey, generateKeyPairSync, hkdfSync, pbkdf2Sync, scryptSync, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { answerOf, functionRecord, handlerBundle, testInvoker } from "../testing/fixtures.js";

const t = testInvoker();
afterAll(() => t.close());

let counter = 0;
/** Runs `body` (the handler's async body; `require` is the runtime's) in a fresh function and returns its result. */
async function run(body: string, event: unknown = {}): Promise<unknown> {
  const name = `globals-${++counter}`;
  t.deploy(functionRecord({ functionName: name }), handlerBundle(body));
  return answerOf(t, name, event);
}

describe("globals", () => {
  it("TextEncoder and TextDecoder round-trip UTF-8, including astral characters and streaming", async () => {
    expect(
      await run(`const bytes = new TextEncoder().encode("héllo 🌍");
        const d = new TextDecoder();
        const split = d.decode(bytes.subarray(0, 8), { stream: true }) + d.decode(bytes.subarray(8));
        return [Array.from(bytes).length, new TextDecoder().decode(bytes), split, new TextDecoder().decode(new Uint8Array([0xff]))];`),
    ).toEqual([11, "héllo 🌍", "héllo 🌍", "\ufffd"]);
  });

  it("Buffer answers to its own name, as packages that check constructor.name expect", async () => {
    expect(await run(`return [Buffer.name, Buffer.from("x").constructor.name, Buffer.isBuffer(Buffer.from("x"))];`)).toEqual(["Buffer", "Buffer", true]);
  });

  it("atob and btoa", async () => {
    expect(await run(`return [btoa("hello"), atob("aGVsbG8="), btoa("ab"), atob(" aGk= ")];`)).toEqual(["aGVsbG8=", "hello", "YWI=", "hi"]);
  });

  it("URL and URLSearchParams", async () => {
    expect(
      await run(`const u = new URL("https://user@Example.com:8443/a/../b?x=1&y=two#h");
        u.searchParams.append("z", "a b");
        return [u.hostname, u.port, u.pathname, u.search, u.hash, new URLSearchParams({ q: "1 2" }).toString(), new URL("/c", "http://a.test/b").href, new URL("http://münchen.de/").hostname];`),
    ).toEqual(["example.com", "8443", "/b", "?x=1&y=two&z=a+b", "#h", "q=1+2", "http://a.test/c", "xn--mnchen-3ya.de"]);
  });

  it("structuredClone copies deeply, keeps cycles and refuses functions", async () => {
    expect(
      await run(`const a = { d: new Date(0), m: new Map([[1, { x: 1 }]]), s: new Set([1]), bytes: new Uint8Array([1, 2]) }; a.self = a;
        const c = structuredClone(a);
        let refused;
        try { structuredClone({ f() {} }); } catch (e) { refused = e.name; }
        return [c !== a, c.self === c, c.d instanceof Date, c.m.get(1).x, c.s.has(1), Array.from(c.bytes), refused];`),
    ).toEqual([true, true, true, 1, true, [1, 2], "DataCloneError"]);
  });

  it("AbortController signals listeners once", async () => {
    expect(
      await run(`const c = new AbortController(); let seen = 0;
        c.signal.addEventListener("abort", () => seen++);
        c.abort(); c.abort();
        return [c.signal.aborted, c.signal.reason.name, seen, AbortSignal.abort().aborted];`),
    ).toEqual([true, "AbortError", 1, true]);
  });

  it("crypto.randomUUID, getRandomValues and subtle digest and HMAC", async () => {
    const [uuid, randomLength, digest, verified, tampered, signature] = (await run(`
      const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
      const digest = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc")));
      const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("key"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
      const data = new TextEncoder().encode("The quick brown fox jumps over the lazy dog");
      const signature = await crypto.subtle.sign("HMAC", key, data);
      return [crypto.randomUUID(), crypto.getRandomValues(new Uint8Array(16)).length, digest,
        await crypto.subtle.verify("HMAC", key, signature, data), await crypto.subtle.verify("HMAC", key, signature, new Uint8Array(1)), hex(signature)];`)) as [string, number, string, boolean, boolean, string];
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomLength).toBe(16);
    expect(digest).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect([verified, tampered]).toEqual([true, false]);
    expect(signature).toBe("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  });

  it("Buffer, queueMicrotask, performance and global", async () => {
    expect(
      await run(`const order = []; queueMicrotask(() => order.push("micro")); order.push("sync"); await null;
        return [Buffer.from("hi").toString("base64"), Buffer.from("68656c6c6f", "hex").toString(), Buffer.isBuffer(Buffer.alloc(1)), order, typeof performance.now(), global === globalThis];`),
    ).toEqual(["aGk=", "hello", true, ["sync", "micro"], "number", true]);
  });

  it("Headers, Request and Response", async () => {
    expect(
      await run(`const h = new Headers({ "Content-Type": "text/plain" }); h.append("x-a", "1"); h.append("X-A", "2");
        const response = new Response(JSON.stringify({ ok: 1 }), { status: 201, headers: { "content-type": "application/json" } });
        const request = new Request("http://example.com/p", { method: "post", body: "x" });
        const streamed = []; for await (const chunk of new Response("ab").body) streamed.push(...chunk);
        const reread = await response.clone().text().catch((e) => e.name);
        return [h.get("x-a"), [...h.keys()], response.status, response.ok, await response.json(), request.method, await request.text(), Response.json({ a: 1 }).headers.get("content-type"),
          Array.from(await new Response("hi").bytes()), streamed, await response.text().catch((e) => e.name), reread, new Response(null).body];`),
    ).toEqual(["1, 2", ["content-type", "x-a"], 201, true, { ok: 1 }, "POST", "x", "application/json", [104, 105], [97, 98], "TypeError", "{\"ok\":1}", null]);
  });
});

describe("built-in modules", () => {
  it("buffer, events, util and string_decoder", async () => {
    expect(
      await run(`const { Buffer: B } = require("node:buffer"); const EventEmitter = require("events");
        const util = require("util"); const { StringDecoder } = require("string_decoder");
        const e = new EventEmitter(); let got; e.once("x", (v) => (got = v)); e.emit("x", 7);
        const sleep = util.promisify((ms, cb) => setTimeout(() => cb(null, ms), ms));
        const decoder = new StringDecoder("utf8"); const euro = B.from("€");
        return [B === Buffer, got, await sleep(1), util.format("%s=%d %j", "a", 1, { b: 2 }), util.inspect({ a: [1, { b: 2 }] }),
          util.types.isPromise(Promise.resolve()), util.isDeepStrictEqual({ a: [1] }, { a: [1] }), decoder.write(euro.subarray(0, 1)) + decoder.write(euro.subarray(1)),
          typeof util.TextEncoder];`),
    ).toEqual([true, 7, 1, 'a=1 {"b":2}', "{ a: [ 1, { b: 2 } ] }", true, true, "€", "function"]);
  });

  it("path, url and querystring", async () => {
    expect(
      await run(`const path = require("node:path"); const url = require("url"); const qs = require("querystring");
        const legacy = url.parse("http://user:pw@host.com:8080/p/a/t/h?query=string#hash", true);
        return [path.join("/a", "b", "../c"), path.resolve("x"), path.extname("f.tar.gz"), path.posix === path, legacy.hostname, legacy.port, legacy.query.query,
          url.fileURLToPath("file:///var/task/a%20b"), qs.stringify({ a: [1, 2], b: "x y" }), qs.parse("a=1&a=2&b=3"), new url.URL("http://x.test").host];`),
    ).toEqual(["/a/c", "/var/task/x", ".gz", true, "host.com", "8080", "string", "/var/task/a b", "a=1&a=2&b=x%20y", { a: ["1", "2"], b: "3" }, "x.test"]);
  });

  it("assert and assert/strict", async () => {
    expect(
      await run(`const assert = require("assert"); const strict = require("node:assert/strict");
        assert.deepStrictEqual({ a: [1, new Map([[1, 2]])] }, { a: [1, new Map([[1, 2]])] });
        assert.equal(1, "1");
        const caught = [];
        for (const attempt of [() => strict.equal(1, "1"), () => assert.deepStrictEqual({ a: 1 }, { a: "1" }), () => assert(false, "nope")]) {
          try { attempt(); } catch (e) { caught.push([e.name, e.code]); }
        }
        assert.throws(() => { throw new TypeError("t"); }, TypeError);
        await assert.rejects(Promise.reject(new Error("r")), /r/);
        return [caught, assert.strict === strict];`),
    ).toEqual([[["AssertionError", "ERR_ASSERTION"], ["AssertionError", "ERR_ASSERTION"], ["AssertionError", "ERR_ASSERTION"]], true]);
  });

  it("crypto hashes, HMAC, random bytes and timingSafeEqual (computed by the host)", async () => {
    expect(
      await run(`const crypto = require("node:crypto");
        return [crypto.createHash("md5").update("abc").digest("hex"), crypto.createHash("sha1").update("a").update("bc").digest("base64"),
          crypto.createHash("sha512").update(Buffer.from("abc")).digest("hex").slice(0, 16), crypto.createHmac("sha256", "key").update("The quick brown fox jumps over the lazy dog").digest("hex"),
          crypto.randomBytes(8).length, Buffer.isBuffer(crypto.randomBytes(1)), crypto.timingSafeEqual(Buffer.from("a"), Buffer.from("a")), typeof crypto.randomUUID(), typeof crypto.webcrypto.subtle.digest];`),
    ).toEqual(["900150983cd24fb0d6963f7d28e17f72", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", "ddaf35a193617aba", "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", 8, true, true, "string", "function"]);
  });

  it("crypto keys and signatures: RSA, ECDSA and Ed25519 sign and verify as Node's do, secret keys feed HMAC", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ed = generateKeyPairSync("ed25519");
    const pem = (key: { export(options: object): string | Buffer }, type: "pkcs8" | "spki") => String(key.export({ format: "pem", type }));
    const event = {
      rsaPrivate: pem(rsa.privateKey, "pkcs8"),
      rsaPublic: pem(rsa.publicKey, "spki"),
      ecPrivate: pem(ec.privateKey, "pkcs8"),
      edPrivate: pem(ed.privateKey, "pkcs8"),
      nodeSignature: nodeSign("sha256", Buffer.from("from node"), rsa.privateKey).toString("base64"),
    };
    const answer = (await run(
      `const crypto = require("crypto");
        const rsaKey = crypto.createPrivateKey(event.rsaPrivate);
        const rsaSignature = crypto.createSign("RSA-SHA256").update("signed ").update("here").sign(event.rsaPrivate, "base64");
        const ecSignature = crypto.createSign("sha256").update("ec data").sign({ key: event.ecPrivate, dsaEncoding: "ieee-p1363" }).toString("base64");
        const edSignature = crypto.sign(null, Buffer.from("ed data"), event.edPrivate).toString("base64");
        const secret = crypto.createSecretKey(Buffer.from("hush"));
        let wrongType; try { crypto.createSign("sha256").update("x").sign(secret); } catch (e) { wrongType = e.code; }
        let garbage; try { crypto.createPrivateKey("not a key"); } catch (e) { garbage = e.message.length > 0; }
        return {
          rsaSignature, ecSignature, edSignature,
          verifiesNode: crypto.createVerify("RSA-SHA256").update("from node").verify(event.rsaPublic, event.nodeSignature, "base64"),
          rejectsTampered: crypto.verify("sha256", Buffer.from("from nobody"), event.rsaPublic, Buffer.from(event.nodeSignature, "base64")),
          verifiesWithPrivate: crypto.createVerify("sha256").update("signed here").verify(event.rsaPrivate, rsaSignature, "base64"),
          keyType: [rsaKey.type, rsaKey.asymmetricKeyType, rsaKey.asymmetricKeyDetails.modulusLength, rsaKey instanceof crypto.KeyObject],
          publicPem: crypto.createPublicKey(rsaKey).export({ format: "pem", type: "spki" }),
          hmac: crypto.createHmac("sha256", secret).update("m").digest("hex"),
          secretSize: secret.symmetricKeySize, wrongType, garbage,
        };`,
      event,
    )) as Record<string, unknown>;
    expect(nodeVerify("sha256", Buffer.from("signed here"), rsa.publicKey, Buffer.from(answer["rsaSignature"] as string, "base64"))).toBe(true);
    expect(nodeVerify("sha256", Buffer.from("ec data"), { key: ec.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(answer["ecSignature"] as string, "base64"))).toBe(true);
    expect(nodeVerify(null, Buffer.from("ed data"), ed.publicKey, Buffer.from(answer["edSignature"] as string, "base64"))).toBe(true);
    expect(answer).toMatchObject({
      verifiesNode: true,
      rejectsTampered: false,
      verifiesWithPrivate: true,
      keyType: ["private", "rsa", 2048, true],
      publicPem: pem(createPublicKey(rsa.privateKey), "spki"),
      secretSize: 4,
      wrongType: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE",
      garbage: true,
    });
    expect(answer["hmac"]).toBe(createHmac("sha256", "hush").update("m").digest("hex"));
  });

  it("crypto ciphers and key derivations give Node's bytes, and refuse tampering and unbounded work", async () => {
    const key = Buffer.alloc(32, 7);
    const iv = Buffer.alloc(12, 3);
    const answer = (await run(
      `const crypto = require("crypto");
        const key = Buffer.alloc(32, 7), iv = Buffer.alloc(12, 3), iv16 = Buffer.alloc(16, 5);
        const gcm = crypto.createCipheriv("aes-256-gcm", key, iv);
        gcm.setAAD(Buffer.from("header"));
        const sealed = Buffer.concat([gcm.update("secret ", "utf8"), gcm.update(Buffer.from("message")), gcm.final()]);
        const tag = gcm.getAuthTag();
        const open = crypto.createDecipheriv("aes-256-gcm", key, iv);
        open.setAAD(Buffer.from("header")); open.setAuthTag(tag);
        const opened = open.update(sealed, undefined, "utf8") + open.final("utf8");
        let tampered; try { const bad = crypto.createDecipheriv("aes-256-gcm", key, iv); bad.setAAD(Buffer.from("header")); bad.setAuthTag(Buffer.alloc(16)); bad.update(sealed); bad.final(); } catch (e) { tampered = e.message; }
        const cbc = crypto.createCipheriv("aes-256-cbc", key, iv16);
        const cbcHex = cbc.update("block cipher text", "utf8", "hex") + cbc.final("hex");
        let unknown; try { crypto.createCipheriv("des-ede3-cbc", Buffer.alloc(24), Buffer.alloc(8)); } catch (e) { unknown = e.code; }
        let tooMany; try { crypto.pbkdf2Sync("pw", "salt", 50_000_000, 32, "sha256"); } catch (e) { tooMany = e.code; }
        const viaCallback = await new Promise((resolve, reject) => crypto.pbkdf2("pw", "salt", 1000, 16, "sha1", (e, k) => e ? reject(e) : resolve(k.toString("hex"))));
        return {
          sealed: sealed.toString("hex"), tag: tag.toString("hex"), opened, tampered, cbcHex, unknown, tooMany, viaCallback,
          pbkdf2: crypto.pbkdf2Sync("pw", "salt", 10000, 32, "sha256").toString("hex"),
          scrypt: crypto.scryptSync("pw", "salt", 32, { N: 1024 }).toString("hex"),
          hkdf: Buffer.from(crypto.hkdfSync("sha256", "ikm", "salt", "info", 42)).toString("hex"),
        };`,
    )) as Record<string, unknown>;
    const gcm = createCipheriv("aes-256-gcm", key, iv);
    gcm.setAAD(Buffer.from("header"));
    const sealed = Buffer.concat([gcm.update("secret message"), gcm.final()]);
    const cbc = createCipheriv("aes-256-cbc", key, Buffer.alloc(16, 5));
    expect(answer).toEqual({
      sealed: sealed.toString("hex"),
      tag: gcm.getAuthTag().toString("hex"),
      opened: "secret message",
      tampered: "Unsupported state or unable to authenticate data",
      cbcHex: cbc.update("block cipher text", "utf8", "hex") + cbc.final("hex"),
      unknown: "ERR_CRYPTO_UNKNOWN_CIPHER",
      tooMany: "ERR_OUT_OF_RANGE",
      viaCallback: pbkdf2Sync("pw", "salt", 1000, 16, "sha1").toString("hex"),
      pbkdf2: pbkdf2Sync("pw", "salt", 10000, 32, "sha256").toString("hex"),
      scrypt: scryptSync("pw", "salt", 32, { N: 1024 }).toString("hex"),
      hkdf: Buffer.from(hkdfSync("sha256", "ikm", "salt", "info", 42)).toString("hex"),
    });
  });

  it("crypto ciphers take input longer than one host call in pieces, and refuse authenticated data that long", async () => {
    const answer = (await run(
      `const crypto = require("crypto");
        const input = Buffer.alloc(3 * 1024 * 1024 + 5, 9);
        const ctr = crypto.createCipheriv("aes-256-ctr", Buffer.alloc(32, 1), Buffer.alloc(16, 2));
        const sealed = Buffer.concat([ctr.update(input), ctr.final()]);
        let aad; try { crypto.createCipheriv("aes-256-gcm", Buffer.alloc(32), Buffer.alloc(12)).setAAD(Buffer.alloc(2 * 1024 * 1024)); } catch (e) { aad = e.name; }
        return { length: sealed.length, digest: crypto.createHash("sha256").update(sealed).digest("hex"), aad };`,
    )) as Record<string, unknown>;
    const ctr = createCipheriv("aes-256-ctr", Buffer.alloc(32, 1), Buffer.alloc(16, 2));
    const sealed = Buffer.concat([ctr.update(Buffer.alloc(3 * 1024 * 1024 + 5, 9)), ctr.final()]);
    expect(answer).toEqual({ length: sealed.length, digest: createHash("sha256").update(sealed).digest("hex"), aad: "RangeError" });
  });

  it("stream and stream/promises pipeline", async () => {
    expect(
      await run(`const { Readable, Transform, Writable, PassThrough, Duplex } = require("stream"); const { pipeline } = require("node:stream/promises");
        const out = [];
        await pipeline(Readable.from(["a", "b"]), new Transform({ transform(chunk, _e, cb) { cb(null, chunk.toString().toUpperCase()); } }), new PassThrough(),
          new Writable({ write(chunk, _e, cb) { out.push(chunk.toString()); cb(); } }));
        return [out, typeof Duplex];`),
    ).toEqual([["A", "B"], "function"]);
  });

  it("os, process and timers", async () => {
    expect(
      await run(`const os = require("os"); const { setTimeout: sleep } = require("node:timers/promises"); const proc = require("process");
        const ticked = await new Promise((resolve) => process.nextTick(resolve, "tick"));
        const [s, ns] = process.hrtime();
        return [os.EOL, os.platform(), os.tmpdir(), typeof os.hostname(), os.cpus().length > 0, os.totalmem(), await sleep(1, "slept"), ticked, proc === process,
          process.cwd(), process.platform, typeof process.versions.node, typeof process.hrtime.bigint(), s > 0 && ns >= 0, process.env.AWS_LAMBDA_FUNCTION_NAME, typeof process.env.PATH];`),
    ).toEqual(["\n", "linux", "/tmp", "string", true, 128 * 1024 * 1024, "slept", "tick", true, "/var/task", "linux", "string", "bigint", true, `globals-${counter}`, "undefined"]);
  });

  it("zlib round-trips gzip, deflate and brotli, sync, callback and stream", async () => {
    expect(
      await run(`const zlib = require("node:zlib"); const { pipeline } = require("stream/promises"); const { Readable, Writable } = require("stream");
        const text = "hello ".repeat(100);
        const viaCallback = await new Promise((resolve, reject) => zlib.deflate(text, (e, d) => (e ? reject(e) : resolve(zlib.inflateSync(d).toString()))));
        const out = [];
        await pipeline(Readable.from([Buffer.from(text)]), zlib.createGzip(), zlib.createGunzip(), new Writable({ write(c, _e, cb) { out.push(c); cb(); } }));
        let bad; try { zlib.gunzipSync(Buffer.from("not gzip")); } catch (e) { bad = e.message.length > 0; }
        return [zlib.gunzipSync(zlib.gzipSync(text)).toString() === text, zlib.gzipSync(text).length < text.length, viaCallback === text,
          zlib.brotliDecompressSync(zlib.brotliCompressSync(text)).toString() === text, Buffer.concat(out).toString() === text, bad];`),
    ).toEqual([true, true, true, true, true, true]);
  });

  it("an unknown built-in is MODULE_NOT_FOUND", async () => {
    expect(await run(`try { require("repl"); } catch (e) { return e.code; }`)).toBe("MODULE_NOT_FOUND");
  });

  it("importable-only built-ins load, and each call fails with Node's error for an unimplemented method", async () => {
    expect(
      await run(`const refusal = (call) => { try { call(); return "ran"; } catch (e) { return e.code + " " + e.message; } };
        const cp = require("node:child_process"); const wt = require("worker_threads"); const net = require("net");
        return [refusal(() => cp.spawn("ls")), refusal(() => cp.execSync("id")), refusal(() => new wt.Worker("x.js")), wt.isMainThread,
          refusal(() => require("cluster").fork()), refusal(() => require("dgram").createSocket("udp4")), refusal(() => net.createServer()),
          net.isIP("10.0.0.1"), net.isIP("::1"), net.isIP("db"), refusal(() => require("tls").createServer()), refusal(() => require("dns").reverse("x", () => {})),
          refusal(() => require("http2").createSecureServer()), typeof require("dns/promises").lookup];`),
    ).toEqual([
      "ERR_METHOD_NOT_IMPLEMENTED The child_process.spawn() method is not implemented in Lambent's isolate runtime",
      "ERR_METHOD_NOT_IMPLEMENTED The child_process.execSync() method is not implemented in Lambent's isolate runtime",
      "ERR_METHOD_NOT_IMPLEMENTED The new worker_threads.Worker() method is not implemented in Lambent's isolate runtime",
      true,
      "ERR_METHOD_NOT_IMPLEMENTED The cluster.fork() method is not implemented in Lambent's isolate runtime",
      "ERR_METHOD_NOT_IMPLEMENTED The dgram.createSocket() method is not implemented in Lambent's isolate runtime",
      "ERR_METHOD_NOT_IMPLEMENTED The net.createServer() method is not implemented in Lambent's isolate runtime",
      4, 6, 0,
      "ERR_METHOD_NOT_IMPLEMENTED The tls.createServer() method is not implemented in Lambent's isolate runtime",
      "ERR_METHOD_NOT_IMPLEMENTED The dns.reverse() method is not implemented in Lambent's isolate runtime",
      "ERR_METHOD_NOT_IMPLEMENTED The http2.createSecureServer() method is not implemented in Lambent's isolate runtime",
      "function",
    ]);
  });

  it("tty, console, constants, punycode, module, perf_hooks and v8", async () => {
    expect(
      await run(`const tty = require("tty"); const mod = require("node:module"); const v8 = require("v8");
        const req = mod.createRequire("/var/task/index.js");
        let missing; try { req("left-pad"); } catch (e) { missing = e.code; }
        return [tty.isatty(1), require("console") === console, require("constants").O_CREAT, require("punycode").encode("mañana"),
          mod.isBuiltin("node:fs"), mod.isBuiltin("left-pad"), mod.builtinModules.includes("path"), req("path") === require("path"), missing,
          typeof require("perf_hooks").performance.now(), v8.getHeapStatistics().heap_size_limit];`),
    ).toEqual([false, true, 64, "maana-pta", true, false, true, true, "MODULE_NOT_FOUND", "number", 128 * 1024 * 1024]);
  });

  it("async_hooks: AsyncLocalStorage keeps a run's store across awaits and timers, and restores the outer one", async () => {
    expect(
      await run(`const { AsyncLocalStorage, AsyncResource, createHook } = require("async_hooks");
        const als = new AsyncLocalStorage();
        const seen = [];
        const inner = als.run({ id: 1 }, async () => {
          seen.push(als.getStore().id);
          await new Promise((resolve) => setTimeout(resolve, 1));
          seen.push(als.getStore().id);
          als.run({ id: 2 }, () => seen.push(als.getStore().id));
          seen.push(als.getStore().id);
          return "done";
        });
        const result = await inner;
        return [seen, result, als.getStore() ?? "none", new AsyncResource("X").runInAsyncScope((a) => a + 1, null, 1), createHook({}).enable() !== undefined];`),
    ).toEqual([[1, 1, 2, 1], "done", "none", 2, true]);
  });

  it("diagnostics_channel publishes to subscribers and traces promises", async () => {
    expect(
      await run(`const dc = require("diagnostics_channel");
        const got = [];
        dc.subscribe("app", (message, name) => got.push([name, message]));
        dc.channel("app").publish({ n: 1 });
        const traced = dc.tracingChannel("work");
        traced.subscribe({ start: () => got.push("start"), asyncEnd: (context) => got.push(["asyncEnd", context.result]) });
        const value = await traced.tracePromise(async () => 42, {});
        return [got, value, dc.hasSubscribers("app"), dc.hasSubscribers("nobody")];`),
    ).toEqual([[["app", { n: 1 }], "start", ["asyncEnd", 42]], 42, true, false]);
  });

  it("readline walks a stream line by line, with events and with for await", async () => {
    expect(
      await run(`const readline = require("readline"); const { Readable } = require("stream");
        const seen = [];
        const events = readline.createInterface({ input: Readable.from(["one\\ntw", "o\\r\\nthree"]) });
        events.on("line", (line) => seen.push(line));
        await new Promise((resolve) => events.on("close", resolve));
        const iterated = [];
        for await (const line of readline.createInterface({ input: Readable.from([Buffer.from("a\\nb\\n")]), crlfDelay: Infinity })) iterated.push(line);
        return [seen, iterated];`),
    ).toEqual([["one", "two", "three"], ["a", "b"]]);
  });

  it("domain hands a synchronous throw to its error listeners", async () => {
    expect(
      await run(`const d = require("domain").create(); let caught;
        d.on("error", (e) => (caught = e.message)); d.run(() => { throw new Error("boom"); });
        return caught;`),
    ).toBe("boom");
  });
});
