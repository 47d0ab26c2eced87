import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_FUNCTION_API_ANSWER_BYTES, type FunctionApiRequest } from "@lambent/protocol";
import { answerAsFunction, functionCallerOf } from "./bridge.js";

const CALLER = { principalArn: "arn:aws:iam::000000000000:role/fn", policy: { Version: "2012-10-17", Statement: [] } };

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function request(path: string, extra: Partial<FunctionApiRequest> = {}): FunctionApiRequest {
  return { roleArn: CALLER.principalArn, functionName: "fn", requestId: "r-1", method: "GET", path, headers: [], timeoutMs: 5000, ...extra };
}

/** A server answering who it thinks the caller is, unless the path asks for silence or a huge answer. */
function whoAmIServer(): Server {
  return createServer((incoming, response) => {
    if (incoming.url === "/silent") return;
    if (incoming.url === "/huge") {
      response.end(Buffer.alloc(MAX_FUNCTION_API_ANSWER_BYTES + 1));
      return;
    }
    const body = JSON.stringify({ caller: functionCallerOf(incoming)?.principalArn ?? null, claimed: incoming.headers["x-lambent-principal"] ?? null, host: incoming.headers.host });
    response.writeHead(200, { "content-type": "application/json" }).end(body);
  });
}

describe("serving a function's request through the HTTP server", () => {
  it("names the function's caller on its own connection only, whatever the request's headers say", async () => {
    server = whoAmIServer();
    const served = await answerAsFunction(server, CALLER, request("/who", { headers: [["x-lambent-principal", "arn:aws:iam::000000000000:root"], ["host", "frontend"]] }), new Uint8Array(0));
    expect(served.answer.status).toBe(200);
    expect(JSON.parse(Buffer.from(served.body).toString())).toEqual({ caller: CALLER.principalArn, claimed: "arn:aws:iam::000000000000:root", host: "lambda.lambent.internal" });

    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const outside = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/who`, { headers: { "x-lambent-principal": CALLER.principalArn } });
    expect(((await outside.json()) as { caller: unknown }).caller).toBeNull();
  });

  it("answers Lambda's errors for a method with no operation, an answer too large and a server that never answers", async () => {
    server = whoAmIServer();
    const brew = await answerAsFunction(server, CALLER, request("/who", { method: "BREW" }), new Uint8Array(0));
    expect(brew.answer).toMatchObject({ status: 404, headers: expect.arrayContaining([["x-amzn-errortype", "ResourceNotFoundException"]]) });
    const huge = await answerAsFunction(server, CALLER, request("/huge"), new Uint8Array(0));
    expect(huge.answer.headers).toContainEqual(["x-amzn-errortype", "ServiceException"]);
    expect(Buffer.from(huge.body).toString()).toContain(`larger than ${MAX_FUNCTION_API_ANSWER_BYTES} bytes`);
    const silent = await answerAsFunction(server, CALLER, request("/silent", { timeoutMs: 200 }), new Uint8Array(0));
    expect(silent.answer.status).toBe(500);
    expect(Buffer.from(silent.body).toString()).toContain("did not answer within 200 ms");
  });
});
