import { describe, expect, it } from "vitest";
import { encodeFrame } from "./frame.js";
import {
  FUNCTION_API_TIMEOUT_MS,
  MAX_FUNCTION_API_REQUEST_BYTES,
  decodeFunctionApiAnswer,
  decodeFunctionApiRequest,
  encodeFunctionApiAnswer,
  encodeFunctionApiRequest,
  type FunctionApiRequest,
} from "./function-api.js";

const REQUEST: FunctionApiRequest = {
  roleArn: "arn:aws:iam::000000000000:role/fn",
  functionName: "fn",
  requestId: "r-1",
  method: "GET",
  path: "/2016-08-19/account-settings",
  headers: [["x-amz-date", "20260101T000000Z"]],
  timeoutMs: 1000,
};

describe("function API frames", () => {
  it("carry a request and an answer through unchanged, the body as bytes", () => {
    const body = new Uint8Array([1, 2, 3]);
    expect(decodeFunctionApiRequest(encodeFunctionApiRequest(REQUEST, body))).toEqual({ request: REQUEST, body });
    const codeDeploy: FunctionApiRequest = { ...REQUEST, endpoint: "codedeploy", method: "POST", path: "/" };
    expect(decodeFunctionApiRequest(encodeFunctionApiRequest(codeDeploy, body))).toEqual({ request: codeDeploy, body });
    const answer = { status: 200, headers: [["content-type", "application/json"]] as [string, string][] };
    expect(decodeFunctionApiAnswer(encodeFunctionApiAnswer(answer, body))).toEqual({ answer, body });
  });

  it("refuse malformed requests and hold the timeout and body to their limits", () => {
    for (const broken of [{ ...REQUEST, endpoint: "s3" }, { ...REQUEST, method: "get " }, { ...REQUEST, path: "http://elsewhere/" }, { ...REQUEST, headers: [["a"]] }, { ...REQUEST, roleArn: 1 }, { ...REQUEST, timeoutMs: -1 }]) {
      expect(() => decodeFunctionApiRequest(encodeFrame(broken)), JSON.stringify(broken)).toThrow();
    }
    expect(decodeFunctionApiRequest(encodeFunctionApiRequest({ ...REQUEST, timeoutMs: 10 * FUNCTION_API_TIMEOUT_MS }, new Uint8Array(0))).request.timeoutMs).toBe(FUNCTION_API_TIMEOUT_MS);
    expect(() => decodeFunctionApiRequest(encodeFunctionApiRequest(REQUEST, new Uint8Array(MAX_FUNCTION_API_REQUEST_BYTES + 1)))).toThrow(/at most/);
    expect(() => decodeFunctionApiAnswer(encodeFrame({ status: 99, headers: [] }))).toThrow();
  });
});
