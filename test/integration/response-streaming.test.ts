// Response streaming on a real cluster: `awslambda.streamifyResponse` handlers answered through the real
// AWS SDK's InvokeWithResponseStream (the event stream it decodes), through function URLs in
// RESPONSE_STREAM mode (chunked, each piece as the function writes it) and over gRPC's server-streaming
// call; failures mid-stream in InvokeComplete; the 20 MB limit; a client that does not read holds the
// function back rather than filling the platform's memory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { CreateFunctionUrlConfigCommand, InvokeWithResponseStreamCommand, LambdaClient, type InvokeWithResponseStreamResponseEvent } from "@aws-sdk/client-lambda";
import * as grpc from "@grpc/grpc-js";
import * as proto from "@lambent/proto";
import { startGate, type Gate } from "../fixtures/gate.js";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

let cluster: TestCluster;
let lambda: LambdaClient;
let gate: Gate;

beforeAll(async () => {
  gate = await startGate();
  cluster = await startTestCluster({ env: { LAMBENT_FETCH_ALLOW: "127.0.0.1" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
});
afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  await gate?.close();
});

/** Opens a function URL and resolves with the response as soon as its headers arrive. */
function openUrl(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: "GET" }, resolve);
    outgoing.on("error", reject);
    outgoing.end();
  });
}

/** The next piece of body the client receives. */
function nextData(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => response.once("data", (data: Buffer) => resolve(data.toString("utf8"))));
}

function rest(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    response.on("data", (data: Buffer) => (text += data.toString("utf8")));
    response.on("end", () => resolve(text));
  });
}

const streamer = zipFiles({
  "index.mjs": `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
    responseStream.setContentType("text/plain");
    for (let i = 0; i < event.chunks; i++) {
      responseStream.write("chunk " + i + ";");
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    if (event.fail) throw new TypeError("broke after " + event.chunks);
    responseStream.end();
  });`,
});

async function readEvents(stream: AsyncIterable<InvokeWithResponseStreamResponseEvent> | undefined): Promise<{ chunks: string[]; complete: InvokeWithResponseStreamResponseEvent["InvokeComplete"] }> {
  const chunks: string[] = [];
  let complete: InvokeWithResponseStreamResponseEvent["InvokeComplete"];
  for await (const event of stream ?? []) {
    if (event.PayloadChunk?.Payload) chunks.push(new TextDecoder().decode(event.PayloadChunk.Payload));
    if (event.InvokeComplete) complete = event.InvokeComplete;
  }
  return { chunks, complete };
}

describe("InvokeWithResponseStream", () => {
  it("delivers a streamified handler's chunks in order, then InvokeComplete", async () => {
    await createTestFunction(lambda, "rs-basic", streamer);
    const output = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "rs-basic", Payload: JSON.stringify({ chunks: 5 }) }));
    expect(output.StatusCode).toBe(200);
    expect(output.ExecutedVersion).toBe("$LATEST");
    const { chunks, complete } = await readEvents(output.EventStream);
    expect(chunks.join("")).toBe("chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;");
    expect(complete).toEqual({});
  });

  it("reports a failure after some chunks in InvokeComplete's ErrorCode and ErrorDetails", async () => {
    await createTestFunction(lambda, "rs-fail", streamer);
    const output = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "rs-fail", Payload: JSON.stringify({ chunks: 2, fail: true }) }));
    const { chunks, complete } = await readEvents(output.EventStream);
    expect(chunks.join("")).toBe("chunk 0;chunk 1;");
    expect(complete).toMatchObject({ ErrorCode: "TypeError", ErrorDetails: "broke after 2" });
  });
});

describe("function URLs in RESPONSE_STREAM mode", () => {
  it("deliver the first chunk before the function ends: the function waits at the gate after writing it", async () => {
    const gatedStreamer = zipFiles({
      "index.mjs": `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
        responseStream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { "x-stream": "yes" }, cookies: ["a=1"] });
        responseStream.write("first;");
        await (await fetch(process.env.GATE_URL + "/enter?key=url-stream")).text();
        responseStream.write("second;");
        responseStream.end();
      });`,
    });
    await createTestFunction(lambda, "rs-url", gatedStreamer, { Environment: { Variables: { GATE_URL: gate.url } } });
    const url = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "rs-url", AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }));
    expect(url.InvokeMode).toBe("RESPONSE_STREAM");
    gate.shut();
    const response = await openUrl(`${cluster.httpUrl}${new URL(url.FunctionUrl!).pathname}`);
    expect(response.statusCode).toBe(201);
    expect(response.headers["x-stream"]).toBe("yes");
    expect(response.headers["set-cookie"]).toEqual(["a=1"]);
    expect(response.headers["transfer-encoding"]).toBe("chunked");
    // The first chunk comes while the function runs: it then waits at the gate, which only the test opens.
    expect(await nextData(response)).toBe("first;");
    await gate.until(() => gate.inside("url-stream") === 1);
    expect(response.complete).toBe(false);
    const remainder = rest(response);
    gate.open();
    expect(await remainder).toBe("second;");
  });
});

describe("a client that goes away mid-stream", () => {
  it("lets the function run to its end, its further bytes dropped, instead of holding it until its timeout", async () => {
    const long = zipFiles({
      "index.mjs": `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
        const piece = new Uint8Array(256 * 1024).fill(98);
        for (let i = 0; i < 16; i++) {
          if (!responseStream.write(piece)) await new Promise((resolve) => responseStream.once("drain", resolve));
        }
        responseStream.end();
        await (await fetch(process.env.GATE_URL + "/enter?key=gone-done")).text();
      });`,
    });
    await createTestFunction(lambda, "rs-gone", long, { Timeout: 60, Environment: { Variables: { GATE_URL: gate.url } } });
    const url = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "rs-gone", AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }));
    gate.open();
    const response = await openUrl(`${cluster.httpUrl}${new URL(url.FunctionUrl!).pathname}`);
    await nextData(response);
    response.destroy();
    // 4 MB is four windows: the function only gets there if the platform keeps taking its bytes.
    await gate.until(() => gate.entries("gone-done") === 1);
  });
});

describe("limits", () => {
  it("a stream past 20 MB ends with Function.ResponseSizeTooLarge in InvokeComplete", async () => {
    const flood = zipFiles({
      "index.mjs": `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
        const piece = new Uint8Array(1024 * 1024).fill(97);
        for (let i = 0; i < 25; i++) {
          if (!responseStream.write(piece)) await new Promise((resolve) => responseStream.once("drain", resolve));
        }
        responseStream.end();
      });`,
    });
    await createTestFunction(lambda, "rs-flood", flood, { Timeout: 30 });
    const output = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "rs-flood" }));
    let bytes = 0;
    let complete: InvokeWithResponseStreamResponseEvent["InvokeComplete"];
    for await (const event of output.EventStream ?? []) {
      if (event.PayloadChunk?.Payload) bytes += event.PayloadChunk.Payload.length;
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    expect(bytes).toBeLessThanOrEqual(20 * 1024 * 1024);
    expect(complete).toMatchObject({ ErrorCode: "Function.ResponseSizeTooLarge" });
  });
});

describe("gRPC InvokeWithResponseStream", () => {
  function streamOverGrpc(request: Partial<proto.InvokeWithResponseStreamRequest>): Promise<proto.InvokeWithResponseStreamEvent[]> {
    const client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    return new Promise((resolve, reject) => {
      const events: proto.InvokeWithResponseStreamEvent[] = [];
      const call = client.invokeWithResponseStream({ functionName: "", qualifier: "", payload: Buffer.from("{}"), logType: proto.LogType.NONE, clientContext: "", ...request });
      call.on("data", (event: proto.InvokeWithResponseStreamEvent) => events.push(event));
      call.on("error", (error) => {
        client.close();
        reject(error);
      });
      call.on("end", () => {
        client.close();
        resolve(events);
      });
    });
  }

  it("streams the chunks in order, then invoke_complete; a failure mid-stream is in invoke_complete", async () => {
    await createTestFunction(lambda, "rs-grpc", streamer);
    const events = await streamOverGrpc({ functionName: "rs-grpc", payload: Buffer.from(JSON.stringify({ chunks: 3 })) });
    const chunks = events.filter((event) => event.payloadChunk).map((event) => Buffer.from(event.payloadChunk!).toString("utf8"));
    expect(chunks.join("")).toBe("chunk 0;chunk 1;chunk 2;");
    expect(events.at(-1)?.invokeComplete).toMatchObject({ errorCode: "", executedVersion: "$LATEST" });

    const failed = await streamOverGrpc({ functionName: "rs-grpc", payload: Buffer.from(JSON.stringify({ chunks: 1, fail: true })) });
    expect(failed.at(-1)?.invokeComplete).toMatchObject({ errorCode: "TypeError", errorDetails: "broke after 1" });
  });

  it("answers a function that does not exist with NOT_FOUND before any message", async () => {
    await expect(streamOverGrpc({ functionName: "rs-nobody" })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
