// Response streaming on a real cluster: `awslambda.streamifyResponse` handlers answered through the real
// AWS SDK's InvokeWithResponseStream (the event stream it decodes), through function URLs in
// RESPONSE_STREAM mode (chunked, each piece as the function writes it) and over gRPC's server-streaming
// call; failures mid-stream in InvokeComplete; the 20 MB limit; a client that does not read holds the
// function back rather than filling the platform's memory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeWithResponseStreamCommand, LambdaClient, type InvokeWithResponseStreamResponseEvent } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
});
afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

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
