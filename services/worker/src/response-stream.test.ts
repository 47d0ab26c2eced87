// Streamed responses through a real isolate, with a sink standing in for the caller: bytes pass on in
// order as the function writes them, and a caller that acknowledges nothing holds the function to the
// window (hostile: a function that writes without waiting for 'drain' gains nothing on the host's side).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RESPONSE_STREAM_WINDOW_BYTES } from "@lambent/protocol";
import { esmBundle, functionRecord, testInvoker, type TestInvoker } from "./testing/fixtures.js";
import type { StreamSink } from "./invoke.js";

/** A caller that takes bytes and acknowledges them only when the test says so. */
class RecordingSink implements StreamSink {
  readonly window = RESPONSE_STREAM_WINDOW_BYTES;
  pieces = 0;
  bytes = 0;
  readonly chunks: string[] = [];
  contentType: string | undefined;
  closed = false;
  private listener: ((bytes: number) => void) | undefined;

  constructor(private readonly acknowledge: boolean) {}

  write(bytes: Uint8Array, contentType: string | undefined): void {
    if (contentType !== undefined) this.contentType ??= contentType;
    if (bytes.length === 0) return;
    this.pieces++;
    this.bytes += bytes.length;
    if (this.chunks.length < 100) this.chunks.push(new TextDecoder().decode(bytes.subarray(0, 64)));
    if (this.acknowledge) queueMicrotask(() => this.listener?.(bytes.length));
  }

  onDrain(listener: (bytes: number) => void): void {
    this.listener = listener;
  }

  close(): void {
    this.closed = true;
  }
}

let t: TestInvoker;
let sink: RecordingSink;
beforeEach(() => {
  sink = new RecordingSink(true);
  t = testInvoker({}, { responseSink: () => sink });
});
afterEach(() => t.close());

const streamified = (body: string) => esmBundle(`const userModule = { handler: awslambda.streamifyResponse(async (event, responseStream) => { ${body} }) };`);

describe("streamed responses", () => {
  it("pass each write on in order, with the content type, and name the count in the result", async () => {
    t.deploy(functionRecord(), streamified(`responseStream.setContentType("text/plain"); responseStream.write("a;"); await Promise.resolve(); responseStream.write("b;"); responseStream.end("c;");`));
    const result = await t.invoke("fn", {}, { responseStream: "stream.subject" });
    expect(result.header.functionError).toBeUndefined();
    expect(sink.chunks.join("")).toBe("a;b;c;");
    expect(sink.contentType).toBe("text/plain");
    expect(result.header.streamedPieces).toBe(sink.pieces);
    expect(result.payload.length).toBe(0);
    expect(sink.closed).toBe(true);
  });

  it("answer a handler that is not streamified with its whole answer as one piece", async () => {
    t.deploy(functionRecord(), esmBundle(`const userModule = { handler: async () => ({ whole: true }) };`));
    const result = await t.invoke("fn", {}, { responseStream: "stream.subject" });
    expect(sink.chunks).toEqual(['{"whole":true}']);
    expect(result.header.streamedPieces).toBe(1);
  });

  it("gather a streamified handler's bytes into the answer of a plain Invoke", async () => {
    t.deploy(functionRecord(), streamified(`responseStream.write("x"); responseStream.end("y");`));
    const result = await t.invoke("fn");
    expect(result.text).toBe("xy");
    expect(sink.pieces).toBe(0);
  });

  it("(hostile) hold a function that writes without waiting for 'drain' to the window when the caller acknowledges nothing", async () => {
    sink = new RecordingSink(false);
    t.deploy(
      functionRecord({ timeout: 1 }),
      streamified(`const piece = new Uint8Array(64 * 1024).fill(120); for (let i = 0; i < 160; i++) responseStream.write(piece); responseStream.end();`),
    );
    const result = await t.invoke("fn", {}, { responseStream: "stream.subject" });
    // 10 MB written; the host took exactly the window and the function waited until its timeout.
    expect(sink.bytes).toBe(RESPONSE_STREAM_WINDOW_BYTES);
    expect(result.header.functionError).toBe("Unhandled");
    expect((result.json as { errorType: string }).errorType).toBe("Sandbox.Timedout");
  });
});
