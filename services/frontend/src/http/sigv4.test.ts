// verifySigV4 against requests signed by the AWS SDK's own signer: it accepts what the SDK signs and
// refuses any change to what was signed, unknown keys, the wrong scope and stale dates.
import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { presignedQuery, signedHeaders } from "../../../../test/fixtures/sigv4-signer.js";
import { verifySigV4, type SigV4Request } from "./sigv4.js";

const KEYS = new Map([["AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"]]);
const SCOPE = { region: "us-east-1", service: "lambda" };
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

interface Unsigned {
  method?: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

/** Signs as the SDK does, then gives the request as the frontend receives it. */
async function signed(request: Unsigned, secret = KEYS.get("AKIDEXAMPLE")!, accessKeyId = "AKIDEXAMPLE", region = "us-east-1", service = "lambda"): Promise<SigV4Request> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) for (const one of [value].flat()) query.append(name, one);
  const rawQuery = query.toString().replace(/\+/g, "%20");
  const rawUrl = `${request.path}${rawQuery ? `?${rawQuery}` : ""}`;
  const method = request.method ?? "GET";
  const body = request.body ?? "";
  const headers: IncomingHttpHeaders = await signedHeaders(
    { method, host: "127.0.0.1:8080", path: request.path, query: request.query ?? {}, ...(request.headers ? { headers: request.headers } : {}), body },
    { accessKeyId, secretAccessKey: secret },
    { region, service, signingDate: new Date(NOW) },
  );
  return { method, rawUrl, headers, body: Buffer.from(body) };
}

describe("verifySigV4", () => {
  it("accepts what the SDK signs: paths with escapes and dot segments, repeated query parameters, bodies", async () => {
    const get = await signed({ path: "/lambent-url/abc/orders/a%20b/./c", query: { z: "1", a: ["2", "1"], "sp ace": "x y" }, headers: { "x-custom": "  two   words " } });
    expect(await verifySigV4(get, KEYS, SCOPE, NOW)).toEqual({ ok: true, accessKeyId: "AKIDEXAMPLE" });
    const post = await signed({ method: "POST", path: "/lambent-url/abc/", headers: { "content-type": "application/json" }, body: '{"n":1}' });
    expect(await verifySigV4(post, KEYS, SCOPE, NOW)).toEqual({ ok: true, accessKeyId: "AKIDEXAMPLE" });
    expect((await verifySigV4(post, KEYS, SCOPE, NOW + 14 * 60_000)).ok).toBe(true);
  });

  it("refuses a changed method, path, query, signed header or body", async () => {
    const request = await signed({ method: "POST", path: "/lambent-url/abc/x", query: { a: "1" }, headers: { "x-custom": "v" }, body: "payload" });
    const reasonOf = async (changed: SigV4Request): Promise<string> => {
      const result = await verifySigV4(changed, KEYS, SCOPE, NOW);
      return result.ok ? "accepted" : result.reason;
    };
    expect(await reasonOf({ ...request, method: "PUT" })).toBe("the signature does not match");
    expect(await reasonOf({ ...request, rawUrl: "/lambent-url/abc/y?a=1" })).toBe("the signature does not match");
    expect(await reasonOf({ ...request, rawUrl: "/lambent-url/abc/x?a=2" })).toBe("the signature does not match");
    expect(await reasonOf({ ...request, headers: { ...request.headers, "x-custom": "w" } })).toBe("the signature does not match");
    expect(await reasonOf({ ...request, body: Buffer.from("other") })).toBe("the body does not match X-Amz-Content-Sha256");
    const { ["x-amz-content-sha256"]: _hash, ...withoutHash } = request.headers;
    expect(await reasonOf({ ...request, headers: withoutHash, body: Buffer.from("other") })).toBe("signed header x-amz-content-sha256 is missing");
  });

  it("refuses unsigned requests, unknown keys, wrong secrets, other scopes and stale dates", async () => {
    const reasonOf = async (request: SigV4Request, now = NOW): Promise<string> => {
      const result = await verifySigV4(request, KEYS, SCOPE, now);
      return result.ok ? "accepted" : result.reason;
    };
    expect(await reasonOf({ method: "GET", rawUrl: "/x", headers: { host: "h" }, body: Buffer.alloc(0) })).toMatch(/not signed/);
    expect(await reasonOf({ method: "GET", rawUrl: "/x", headers: { host: "h", authorization: "Bearer token" }, body: Buffer.alloc(0) })).toMatch(/AWS4-HMAC-SHA256/);
    expect(await reasonOf(await signed({ path: "/x" }, "secret", "AKIDOTHER"))).toBe("access key AKIDOTHER is not known");
    expect(await reasonOf(await signed({ path: "/x" }, "not-the-secret"))).toBe("the signature does not match");
    expect(await reasonOf(await signed({ path: "/x" }, undefined, undefined, "eu-west-1"))).toMatch(/signed for lambda in eu-west-1/);
    expect(await reasonOf(await signed({ path: "/x" }, undefined, undefined, undefined, "s3"))).toMatch(/signed for s3/);
    expect(await reasonOf(await signed({ path: "/x" }), NOW + 16 * 60_000)).toMatch(/expired/);
    expect(await reasonOf(await signed({ path: "/x" }), NOW - 16 * 60_000)).toMatch(/expired/);
  });
});

describe("verifySigV4 with a presigned URL", () => {
  /** Presigns as the SDK does, then gives the request as the frontend receives it: the signature in the query. */
  async function presigned(request: Unsigned & { expiresIn?: number }, accessKeyId = "AKIDEXAMPLE"): Promise<SigV4Request> {
    const method = request.method ?? "GET";
    const host = "127.0.0.1:8080";
    const query = await presignedQuery(
      { method, host, path: request.path, query: request.query ?? {}, ...(request.headers ? { headers: request.headers } : {}), ...(request.body !== undefined ? { body: request.body } : {}) },
      { accessKeyId, secretAccessKey: KEYS.get("AKIDEXAMPLE")! },
      { signingDate: new Date(NOW), ...(request.expiresIn !== undefined ? { expiresIn: request.expiresIn } : {}) },
    );
    const rawQuery = new URLSearchParams(query).toString().replace(/\+/g, "%20");
    return { method, rawUrl: `${request.path}?${rawQuery}`, headers: { host, ...request.headers }, body: Buffer.from(request.body ?? "") };
  }

  it("accepts what the SDK presigns, for as long as X-Amz-Expires says", async () => {
    const request = await presigned({ path: "/lambent-url/abc/report", query: { day: "monday" }, expiresIn: 300 });
    expect(await verifySigV4(request, KEYS, SCOPE, NOW)).toEqual({ ok: true, accessKeyId: "AKIDEXAMPLE" });
    expect((await verifySigV4(request, KEYS, SCOPE, NOW + 299_000)).ok).toBe(true);
    expect(await verifySigV4(request, KEYS, SCOPE, NOW + 301_000)).toEqual({ ok: false, reason: "the presigned URL has expired", refusal: "expired" });
    const post = await presigned({ method: "POST", path: "/lambent-url/abc/", body: '{"n":1}' });
    expect((await verifySigV4(post, KEYS, SCOPE, NOW)).ok).toBe(true);
  });

  it("refuses a changed path or query, an unknown key and a lifetime past seven days", async () => {
    const request = await presigned({ path: "/lambent-url/abc/report", query: { day: "monday" } });
    expect(await verifySigV4({ ...request, rawUrl: request.rawUrl.replace("monday", "tuesday") }, KEYS, SCOPE, NOW)).toEqual({ ok: false, reason: "the signature does not match", refusal: "mismatch" });
    expect((await verifySigV4({ ...request, rawUrl: request.rawUrl.replace("/report", "/other") }, KEYS, SCOPE, NOW)).ok).toBe(false);
    expect(await verifySigV4(await presigned({ path: "/x" }, "AKIDOTHER"), KEYS, SCOPE, NOW)).toEqual({ ok: false, reason: "access key AKIDOTHER is not known", refusal: "unknown-key" });
    const forever = { ...request, rawUrl: request.rawUrl.replace(/X-Amz-Expires=\d+/, "X-Amz-Expires=604801") };
    expect(await verifySigV4(forever, KEYS, SCOPE, NOW)).toEqual({ ok: false, reason: "X-Amz-Expires must be 1 to 604800 seconds", refusal: "mismatch" });
  });
});
