import { describe, expect, it } from "vitest";
import { corsHeaders, httpAnswer } from "./http-event.js";

const encode = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

describe("httpAnswer", () => {
  it("uses a shaped answer, decoding a base64 body", () => {
    const answer = httpAnswer(encode({ statusCode: 404, headers: { "X-A": "b" }, cookies: ["c=1"], body: "AAE=", isBase64Encoded: true }));
    expect(answer).toEqual({ statusCode: 404, headers: { "x-a": "b", "set-cookie": ["c=1"] }, body: Buffer.from([0, 1]) });
  });

  it("makes any other value a JSON 200, and sends a string as it is", () => {
    expect(httpAnswer(encode({ statusCode: "200", a: 1 }))).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: Buffer.from('{"statusCode":"200","a":1}'),
    });
    expect(httpAnswer(encode("hi")).body.toString()).toBe("hi");
    expect(httpAnswer(encode(null)).body.toString()).toBe("null");
  });
});

describe("corsHeaders", () => {
  it("allows listed origins and any origin for *, echoing the origin when credentials are allowed", () => {
    expect(corsHeaders({ allowOrigins: ["https://A.example"] }, "https://a.example")?.["access-control-allow-origin"]).toBe("https://a.example");
    expect(corsHeaders({ allowOrigins: ["https://a.example"] }, "https://b.example")).toBeUndefined();
    expect(corsHeaders({ allowOrigins: ["*"] }, "https://b.example")?.["access-control-allow-origin"]).toBe("*");
    expect(corsHeaders({ allowOrigins: ["*"], allowCredentials: true }, "https://b.example")).toMatchObject({
      "access-control-allow-origin": "https://b.example",
      "access-control-allow-credentials": "true",
    });
  });
});
