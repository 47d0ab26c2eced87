// The host's checks of a function call's arguments (anything can come out of an isolate), and the
// in-flight limits it holds an environment to even when the sandbox's own bookkeeping is bypassed.
import { describe, expect, it } from "vitest";
import type { LambdaError } from "@lambent/errors";
import { MAX_CALLS_IN_FLIGHT, callLimits, parseFunctionCall, type FunctionCallOutput, type FunctionCalls } from "./function-calls.js";
import { SandboxHost } from "./sandbox-host.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const call = (fields: Record<string, unknown>): Record<string, unknown> => ({ functionName: "f", invocationType: "RequestResponse", logType: "None", payload: bytes("{}"), ...fields });

function refusal(data: unknown): { type: string; message: string } {
  try {
    parseFunctionCall(data);
  } catch (error) {
    return { type: (error as LambdaError).type, message: (error as LambdaError).message };
  }
  throw new Error("expected the call to be refused");
}

describe("parseFunctionCall", () => {
  it("takes a name, name:qualifier or ARN, as Lambda's FunctionName", () => {
    expect(parseFunctionCall(call({}))).toMatchObject({ functionName: "f", qualifier: undefined, invocationType: "RequestResponse", logType: "None" });
    expect(parseFunctionCall(call({ functionName: "f:prod" }))).toMatchObject({ functionName: "f", qualifier: "prod" });
    expect(parseFunctionCall(call({ functionName: "f", qualifier: "7" }))).toMatchObject({ functionName: "f", qualifier: "7" });
    expect(parseFunctionCall(call({ functionName: "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST" }))).toMatchObject({ functionName: "f", qualifier: "$LATEST" });
    expect(parseFunctionCall(call({ functionName: "000000000000:function:f" }))).toMatchObject({ functionName: "f", qualifier: undefined });
  });

  it("delivers an empty payload as {} and keeps the log tail for synchronous calls only", () => {
    expect(new TextDecoder().decode(parseFunctionCall(call({ payload: new Uint8Array(0) })).payload)).toBe("{}");
    expect(parseFunctionCall(call({ logType: "Tail" })).logType).toBe("Tail");
    expect(parseFunctionCall(call({ logType: "Tail", invocationType: "Event" })).logType).toBe("None");
  });

  it("refuses what is not a call at all", () => {
    for (const data of [undefined, null, "f", [], { functionName: "f" }, { functionName: 1, payload: bytes("{}") }, { functionName: "f", payload: "{}" }]) {
      expect(refusal(data).type).toBe("InvalidParameterValueException");
    }
    expect(refusal(call({ qualifier: 3 }))).toEqual({ type: "InvalidParameterValueException", message: "Qualifier must be a string" });
  });

  it("refuses bad names, qualifiers, invocation and log types", () => {
    expect(refusal(call({ functionName: "" })).type).toBe("InvalidParameterValueException");
    expect(refusal(call({ functionName: "a".repeat(171) })).message).toBe("FunctionName must be 1 to 170 characters long");
    expect(refusal(call({ functionName: "no spaces" })).message).toContain("failed to satisfy constraint");
    expect(refusal(call({ functionName: "f:a:b:c" })).type).toBe("InvalidParameterValueException");
    expect(refusal(call({ functionName: "f:prod", qualifier: "dev" })).message).toBe("The derived qualifier from the function name does not match the specified qualifier.");
    expect(refusal(call({ qualifier: "bad qualifier" })).message).toBe("Qualifier is not valid: bad qualifier");
    expect(refusal(call({ invocationType: "Later" }))).toEqual({
      type: "InvalidParameterValueException",
      message: "1 validation error detected: Value 'Later' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, Event, DryRun]",
    });
    expect(refusal(call({ logType: 5 })).message).toContain("at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]");
  });

  it("holds payloads to Lambda's limits: 6 MB synchronous, 1 MB as an event, JSON", () => {
    const json = (size: number): Uint8Array => bytes(JSON.stringify("x".repeat(size - 2)));
    expect(parseFunctionCall(call({ payload: json(6 * 1024 * 1024) })).payload.length).toBe(6 * 1024 * 1024);
    expect(refusal(call({ payload: json(6 * 1024 * 1024 + 1) })).type).toBe("RequestTooLargeException");
    expect(refusal(call({ payload: json(6 * 1024 * 1024 + 1), invocationType: "DryRun" })).type).toBe("RequestTooLargeException");
    expect(parseFunctionCall(call({ payload: json(1024 * 1024), invocationType: "Event" })).payload.length).toBe(1024 * 1024);
    expect(refusal(call({ payload: json(1024 * 1024 + 1), invocationType: "Event" })).type).toBe("RequestTooLargeException");
    expect(refusal(call({ payload: bytes("{oops") })).type).toBe("InvalidRequestContentException");
    expect(refusal(call({ payload: new Uint8Array([0x22, 0xff, 0x22]) })).type).toBe("InvalidRequestContentException");
  });

  it("takes a client context as an object's JSON or as base64 of a JSON object, within 3583 characters", () => {
    expect(parseFunctionCall(call({ clientContextJson: '{"custom":{"a":1}}' })).clientContext).toBe(Buffer.from('{"custom":{"a":1}}').toString("base64"));
    const encoded = Buffer.from('{"env":{}}').toString("base64");
    expect(parseFunctionCall(call({ clientContext: encoded })).clientContext).toBe(encoded);
    const notObject = "Client context must be a valid Base64-encoded JSON object.";
    expect(refusal(call({ clientContext: "not base64!" }))).toEqual({ type: "InvalidRequestContentException", message: notObject });
    expect(refusal(call({ clientContext: Buffer.from("[1]").toString("base64") })).message).toBe(notObject);
    expect(refusal(call({ clientContextJson: JSON.stringify({ big: "x".repeat(3000) }) })).message).toMatch(/^Client context must be at most 3583 characters of base64/);
  });
});

describe("EnvironmentHost calls", () => {
  const caller = { requestId: "r1", depth: 0, deadlineMs: Date.now() + 60_000 };

  /** A host whose calls wait until the test answers them. */
  function hostWithHeldCalls() {
    const held: ((output: FunctionCallOutput) => void)[] = [];
    const functions: FunctionCalls = { call: () => new Promise((resolve) => held.push(resolve)), close: () => undefined };
    const shared = new SandboxHost({ fetch: { allow: [], deny: [], timeoutMs: 1000, maxResponseBytes: 1024 }, packages: { getPackage: async () => undefined }, functions });
    return { host: shared.forEnvironment(undefined, 512, 128), held };
  }

  it("refuses calls past the limits even when the sandbox's bookkeeping was bypassed, and gives them all up at the end", async () => {
    const { host, held } = hostWithHeldCalls();
    expect(host.callLimits).toEqual(callLimits(128));
    const delivered: [number, boolean, unknown][] = [];
    const deliver = (id: number, ok: boolean, value: unknown): void => void delivered.push([id, ok, value]);
    for (let id = 1; id <= MAX_CALLS_IN_FLIGHT + 1; id++) host.startCall(id, call({}), deliver, caller);
    expect(held).toHaveLength(MAX_CALLS_IN_FLIGHT);
    expect(delivered).toEqual([[MAX_CALLS_IN_FLIGHT + 1, false, expect.objectContaining({ type: "TooManyRequestsException", fields: { Reason: "CallerRateLimitExceeded" } })]]);
    host.cancelCalls();
    for (const answer of held) answer({ statusCode: 202, payload: new Uint8Array(0) });
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Given up: the late answers are never delivered.
    expect(delivered).toHaveLength(1);
  });

  it("lets the arguments of calls in flight take at most the function's memory, one call always", () => {
    const { host, held } = hostWithHeldCalls();
    const delivered: unknown[] = [];
    const deliver = (_id: number, _ok: boolean, value: unknown): void => void delivered.push(value);
    const fiveMb = bytes(JSON.stringify("x".repeat(5 * 1024 * 1024)));
    for (let id = 1; id <= 26; id++) host.startCall(id, call({ payload: fiveMb }), deliver, caller);
    // 25 × 5 MB fit in 128 MB; the 26th does not.
    expect(held).toHaveLength(25);
    expect(delivered).toEqual([expect.objectContaining({ type: "TooManyRequestsException" })]);
  });

  it("refuses calls outside a handler's run and on a worker that cannot make them", () => {
    const { host } = hostWithHeldCalls();
    const delivered: unknown[] = [];
    host.startCall(1, call({}), (_id, _ok, value) => delivered.push(value), undefined);
    const bare = new SandboxHost({ fetch: { allow: [], deny: [], timeoutMs: 1000, maxResponseBytes: 1024 }, packages: { getPackage: async () => undefined } });
    bare.forEnvironment(undefined, 512, 128).startCall(2, call({}), (_id, _ok, value) => delivered.push(value), caller);
    expect(delivered).toEqual([
      { type: "ServiceException", message: "A function can invoke another only while its handler runs" },
      { type: "ServiceException", message: "This worker cannot carry out function calls" },
    ]);
  });
});
