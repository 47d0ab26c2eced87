// The gRPC wire of the frontend's own HTTP/2 server, at its edges: grpc-js clients (the reference
// implementation) where they can produce the case, raw HTTP/2 requests where they cannot (bad frames,
// compressed flags, malformed timeouts), and raw sockets for bytes that are not HTTP/2 at all.
import { connect as connectHttp2, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import { connect as connectTcp } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as proto from "@lambent/proto";
import { createLogger } from "@lambent/telemetry";
import { Http2GrpcServer, type RequestCall, type UnaryCallback } from "./http2-grpc-server.js";
import type { ServerCall } from "./server-call.js";

const MAX_RECEIVE = 4096;
const MAX_SEND = 8192;
const INVOKE_PATH = "/lambent.v1.Lambda/Invoke";

/** What each test's handlers see; `hold` keeps a call open until the test ends it. */
interface Observed {
  calls: ServerCall[];
  cancelled: Promise<void>;
}
let observed: Observed;
let markCancelled: () => void;
let server: Http2GrpcServer;
let address: string;
let port: number;
let client: proto.LambdaClient;

function answerOf(request: proto.InvokeRequest, payload: Buffer): proto.InvokeResponse {
  return { statusCode: 200, functionError: "", logResult: "", executedVersion: "$LATEST", payload, requestId: request.functionName };
}

beforeAll(async () => {
  server = new Http2GrpcServer({ logger: createLogger({ service: "grpc-wire-test", write: () => {} }), maxReceiveBytes: MAX_RECEIVE, maxSendBytes: MAX_SEND });
  server.addService(proto.LambdaService as unknown as grpc.ServiceDefinition, {
    invoke: (call: RequestCall<proto.InvokeRequest>, callback: UnaryCallback<proto.InvokeResponse>) => {
      observed.calls.push(call);
      call.on("cancelled", () => markCancelled());
      const name = call.request.functionName;
      if (name === "hold") return;
      if (name === "echo-metadata") {
        const binary = call.metadata.get("x-probe-bin")[0];
        const trailer = new grpc.Metadata();
        trailer.set("x-echo-bin", Buffer.concat([Buffer.from("echo:"), binary instanceof Buffer ? binary : Buffer.alloc(0)]));
        trailer.set("x-echo", String(call.metadata.get("x-probe")[0] ?? ""));
        callback(null, answerOf(call.request, Buffer.from("ok")), trailer);
        return;
      }
      if (name === "fail") {
        const metadata = new grpc.Metadata();
        metadata.set("x-amzn-errortype", "ResourceNotFoundException");
        callback({ code: grpc.status.NOT_FOUND, details: "Function not found: fäil 100%", metadata });
        return;
      }
      if (name === "throw") throw new Error("a handler bug");
      if (name === "too-big-answer") return callback(null, answerOf(call.request, Buffer.alloc(MAX_SEND + 1)));
      callback(null, answerOf(call.request, Buffer.from(call.request.payload)));
    },
    invokeWithResponseStream: (call: RequestCall<proto.InvokeWithResponseStreamRequest>) => {
      observed.calls.push(call);
      call.on("cancelled", () => markCancelled());
      // Streams until the client goes away.
      const next = (): void => {
        if (call.cancelled) return;
        call.write({ payloadChunk: Buffer.from("tick") }, () => setImmediate(next));
      };
      next();
    },
  });
  port = await server.listen("127.0.0.1", 0);
  address = `127.0.0.1:${port}`;
  client = new proto.LambdaClient(address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await server.close();
});

beforeEach(() => {
  observed = { calls: [], cancelled: new Promise<void>((resolve) => (markCancelled = resolve)) };
});

function invokeRequest(functionName: string, payload = Buffer.from("{}")): proto.InvokeRequest {
  return { functionName, qualifier: "", payload, invocationType: proto.InvocationType.REQUEST_RESPONSE, logType: proto.LogType.NONE, clientContext: "" };
}

function invoke(request: proto.InvokeRequest, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}): Promise<{ response?: proto.InvokeResponse; error?: grpc.ServiceError; trailer?: grpc.Metadata }> {
  return new Promise((resolve) => {
    // grpc-js runs the callback before it emits the status, so the answer is complete at the status.
    let answer: { response?: proto.InvokeResponse; error?: grpc.ServiceError } = {};
    const call = client.invoke(request, metadata, options, (error, response) => (answer = error ? { error } : { response }));
    call.on("status", (status: grpc.StatusObject) => resolve({ ...answer, trailer: status.metadata }));
  });
}

function framed(message: Uint8Array, flag = 0): Buffer {
  const bytes = Buffer.alloc(5 + message.length);
  bytes[0] = flag;
  bytes.writeUInt32BE(message.length, 1);
  bytes.set(message, 5);
  return bytes;
}

interface RawAnswer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  data: Buffer;
}

/** One request on a raw HTTP/2 connection; the status is in the trailers, or in the headers when trailers-only. */
function rawCall(headers: OutgoingHttpHeaders, body: Buffer[]): Promise<RawAnswer> {
  const session: ClientHttp2Session = connectHttp2(`http://${address}`);
  return new Promise<RawAnswer>((resolve, reject) => {
    session.on("error", reject);
    const request = session.request({ ":method": "POST", ":path": INVOKE_PATH, "content-type": "application/grpc", te: "trailers", ...headers });
    const answer: RawAnswer = { headers: {}, trailers: {}, data: Buffer.alloc(0) };
    request.on("response", (received) => (answer.headers = received));
    request.on("trailers", (received) => (answer.trailers = received));
    request.on("data", (chunk: Buffer) => (answer.data = Buffer.concat([answer.data, chunk])));
    request.on("close", () => resolve(answer));
    request.on("error", reject);
    for (const chunk of body) request.write(chunk);
    request.end();
  }).finally(() => session.close());
}

function statusOf(answer: RawAnswer): { code: string | undefined; message: string | undefined } {
  const source = answer.trailers["grpc-status"] !== undefined ? answer.trailers : answer.headers;
  return { code: source["grpc-status"] as string | undefined, message: source["grpc-message"] as string | undefined };
}

const validMessage = (): Buffer => framed(proto.InvokeRequest.encode(invokeRequest("raw")).finish());

describe("the gRPC wire, through grpc-js", () => {
  it("answers a unary call with its message and OK", async () => {
    const { response, error } = await invoke(invokeRequest("echo", Buffer.from("payload")));
    expect(error).toBeUndefined();
    expect(Buffer.from(response!.payload).toString()).toBe("payload");
    expect(response!.requestId).toBe("echo");
  });

  it("passes metadata both ways, binary `-bin` values included", async () => {
    const metadata = new grpc.Metadata();
    metadata.set("x-probe", "plain");
    metadata.set("x-probe-bin", Buffer.from([0, 1, 2, 255]));
    const { error, trailer } = await invoke(invokeRequest("echo-metadata"), metadata);
    expect(error).toBeUndefined();
    expect(trailer!.get("x-echo")).toEqual(["plain"]);
    expect(trailer!.get("x-echo-bin")).toEqual([Buffer.concat([Buffer.from("echo:"), Buffer.from([0, 1, 2, 255])])]);
  });

  it("answers an error as its status, with non-ASCII details and trailing metadata intact", async () => {
    const { error } = await invoke(invokeRequest("fail"));
    expect(error!.code).toBe(grpc.status.NOT_FOUND);
    expect(error!.details).toBe("Function not found: fäil 100%");
    expect(error!.metadata.get("x-amzn-errortype")).toEqual(["ResourceNotFoundException"]);
  });

  it("answers an unknown method with UNIMPLEMENTED", async () => {
    const generic = new grpc.Client(address, grpc.credentials.createInsecure());
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      generic.makeUnaryRequest("/lambent.v1.Lambda/NoSuchMethod", (value: Buffer) => value, (value: Buffer) => value, Buffer.alloc(0), (failure) => resolve(failure)),
    );
    generic.close();
    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(error?.details).toContain("/lambent.v1.Lambda/NoSuchMethod");
  });

  it("refuses a request message over the receive limit with RESOURCE_EXHAUSTED", async () => {
    const { error } = await invoke(invokeRequest("echo", Buffer.alloc(MAX_RECEIVE + 1)));
    expect(error!.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error!.details).toMatch(/larger than max/);
  });

  it("refuses to send an answer over the send limit with RESOURCE_EXHAUSTED", async () => {
    const { error } = await invoke(invokeRequest("too-big-answer"));
    expect(error!.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it("answers a handler that throws with UNKNOWN and keeps serving", async () => {
    const { error } = await invoke(invokeRequest("throw"));
    expect(error!.code).toBe(grpc.status.UNKNOWN);
    expect((await invoke(invokeRequest("echo"))).error).toBeUndefined();
  });

  it("tells the handler when the client cancels a unary call part way", async () => {
    const call = client.invoke(invokeRequest("hold"), () => undefined);
    await expect.poll(() => observed.calls.length).toBe(1);
    call.cancel();
    await observed.cancelled;
    expect(observed.calls[0]!.cancelled).toBe(true);
  });

  it("tells a streaming handler when the client cancels part way, and stops writing", async () => {
    const stream = client.invokeWithResponseStream({ functionName: "stream", qualifier: "", payload: Buffer.alloc(0), logType: proto.LogType.NONE, clientContext: "" });
    stream.on("error", () => undefined);
    await new Promise<void>((resolve) => stream.once("data", () => resolve()));
    stream.cancel();
    await observed.cancelled;
    expect(observed.calls[0]!.cancelled).toBe(true);
    expect((await invoke(invokeRequest("echo"))).error).toBeUndefined();
  });

  it("ends a call whose deadline passes with DEADLINE_EXCEEDED and cancels it on the server", async () => {
    const { error } = await invoke(invokeRequest("hold"), new grpc.Metadata(), { deadline: Date.now() + 200 });
    expect(error!.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await observed.cancelled;
  });
});

describe("the gRPC wire, raw HTTP/2", () => {
  it("sends DEADLINE_EXCEEDED itself when grpc-timeout passes", async () => {
    const answer = await rawCall({ "grpc-timeout": "100m" }, [framed(proto.InvokeRequest.encode(invokeRequest("hold")).finish())]);
    expect(statusOf(answer).code).toBe(String(grpc.status.DEADLINE_EXCEEDED));
    await observed.cancelled;
  });

  it("refuses a malformed grpc-timeout with INTERNAL", async () => {
    const answer = await rawCall({ "grpc-timeout": "soon" }, [validMessage()]);
    expect(statusOf(answer).code).toBe(String(grpc.status.INTERNAL));
  });

  it("answers a compressed message without an encoding with INTERNAL", async () => {
    const answer = await rawCall({}, [framed(proto.InvokeRequest.encode(invokeRequest("raw")).finish(), 1)]);
    expect(statusOf(answer).code).toBe(String(grpc.status.INTERNAL));
  });

  it("answers a message compressed with an encoding it does not serve with UNIMPLEMENTED, naming identity as the one it accepts", async () => {
    const answer = await rawCall({ "grpc-encoding": "gzip" }, [framed(proto.InvokeRequest.encode(invokeRequest("raw")).finish(), 1)]);
    expect(statusOf(answer).code).toBe(String(grpc.status.UNIMPLEMENTED));
    expect(answer.headers["grpc-accept-encoding"]).toBe("identity");
  });

  it("answers a request that ends part way through a message with INTERNAL", async () => {
    const whole = validMessage();
    const answer = await rawCall({}, [whole.subarray(0, whole.length - 3)]);
    expect(statusOf(answer).code).toBe(String(grpc.status.INTERNAL));
    expect(observed.calls).toHaveLength(0);
  });

  it("answers bytes that are not the method's message with INTERNAL", async () => {
    const answer = await rawCall({}, [framed(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]))]);
    expect(statusOf(answer).code).toBe(String(grpc.status.INTERNAL));
    expect(statusOf(answer).message).toMatch(/deserializing/);
  });

  it("refuses a prefix that declares an oversized message before it arrives", async () => {
    const prefix = Buffer.from([0, 0x7f, 0xff, 0xff, 0xff]);
    const answer = await rawCall({}, [prefix]);
    expect(statusOf(answer).code).toBe(String(grpc.status.RESOURCE_EXHAUSTED));
  });

  it("answers a unary call with no message, or with two, with UNIMPLEMENTED", async () => {
    expect(statusOf(await rawCall({}, [])).code).toBe(String(grpc.status.UNIMPLEMENTED));
    expect(statusOf(await rawCall({}, [validMessage(), validMessage()])).code).toBe(String(grpc.status.UNIMPLEMENTED));
  });

  it("answers a request that is not gRPC with HTTP 415", async () => {
    expect((await rawCall({ "content-type": "application/json" }, [Buffer.from("{}")])).headers[":status"]).toBe(415);
    expect((await rawCall({ ":method": "GET" }, [])).headers[":status"]).toBe(415);
  });

  it("answers with a trailers-only response for an error before any message", async () => {
    const answer = await rawCall({ ":path": "/lambent.v1.Lambda/NoSuchMethod" }, [validMessage()]);
    expect(answer.headers["grpc-status"]).toBe(String(grpc.status.UNIMPLEMENTED));
    expect(answer.data.length).toBe(0);
  });
});

describe("a stranger on the network", () => {
  it("does not stop the server with bytes that are not HTTP/2, or a connection cut mid-message", async () => {
    await new Promise<void>((resolve) => {
      const socket = connectTcp(port, "127.0.0.1", () => socket.end("GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01\x02garbage"));
      socket.on("error", () => resolve());
      socket.on("close", () => resolve());
      socket.resume();
    });
    const session = connectHttp2(`http://${address}`);
    session.on("error", () => undefined);
    const request = session.request({ ":method": "POST", ":path": INVOKE_PATH, "content-type": "application/grpc" });
    request.on("error", () => undefined);
    request.write(validMessage().subarray(0, 8));
    await new Promise<void>((resolve) => request.once("ready", () => resolve()));
    session.destroy();
    expect((await invoke(invokeRequest("echo"))).error).toBeUndefined();
  });
});

describe("close", () => {
  it("lets a running call finish and stops taking new connections", async () => {
    const own = new Http2GrpcServer({ logger: createLogger({ service: "grpc-close-test", write: () => {} }), maxReceiveBytes: MAX_RECEIVE, maxSendBytes: MAX_SEND });
    let answer: (() => void) | undefined;
    own.addService(proto.LambdaService as unknown as grpc.ServiceDefinition, {
      invoke: (call: RequestCall<proto.InvokeRequest>, callback: UnaryCallback<proto.InvokeResponse>) => {
        answer = () => callback(null, answerOf(call.request, Buffer.from("late")));
      },
    });
    const ownPort = await own.listen("127.0.0.1", 0);
    const ownClient = new proto.LambdaClient(`127.0.0.1:${ownPort}`, grpc.credentials.createInsecure());
    const running = new Promise<proto.InvokeResponse>((resolve, reject) => ownClient.invoke(invokeRequest("slow"), (error, response) => (error ? reject(error) : resolve(response))));
    await expect.poll(() => answer).toBeDefined();
    const closed = own.close();
    answer!();
    expect(Buffer.from((await running).payload).toString()).toBe("late");
    await closed;
    ownClient.close();
    const refused = await new Promise<Error | undefined>((resolve) => {
      const socket = connectTcp(ownPort, "127.0.0.1", () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.on("error", (error) => resolve(error));
    });
    expect(refused).toBeDefined();
  });
});
