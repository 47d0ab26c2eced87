// gRPC over Node's own HTTP/2 server: routing by path to services registered in @grpc/grpc-js's shape
// (a ServiceDefinition and its handlers, so generated services, health and reflection plug in as they
// are), reading length-prefixed messages with a size limit, an optional gate before each handler (SigV4),
// and graceful shutdown. Unary, server-streaming and bidirectional methods; client streaming is unused here.
import { createServer, type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { Metadata, status as GrpcStatus, type MethodDefinition, type ServiceDefinition, type ServiceError } from "@grpc/grpc-js";
import { toLambdaError } from "@lambent/errors";
import type { Logger } from "@lambent/telemetry";
import { MessageReader, MessageTooLargeError } from "./message-framing.js";
import { ServerCall, parseGrpcTimeout, type CallStatus } from "./server-call.js";
import { toGrpcServiceError } from "./error-status.js";

/** grpc-js's unary callback: an error, or the response (and optional trailing metadata). */
export type UnaryCallback<Response> = (error: Partial<ServiceError> | null, value?: Response | null, trailer?: Metadata) => void;
/** A unary or server-streaming call as a handler sees it: the decoded request on `request`. */
export type RequestCall<Request> = ServerCall & { request: Request };
export type UnaryHandler<Request, Response> = (call: RequestCall<Request>, callback: UnaryCallback<Response>) => void;
export type ServerStreamingHandler<Request> = (call: RequestCall<Request>) => void;
/** Bidirectional: requests arrive as `data` events, then `end`. */
export type BidiStreamingHandler = (call: ServerCall) => void;
export type ServiceImplementation = Record<string, unknown>;

/**
 * Runs before the handler once the request message is decoded (`undefined` for bidirectional calls);
 * a rejection ends the call with that error's gRPC status. Undefined means admitted at once.
 */
export type CallGate = (path: string, metadata: Metadata, message: unknown) => Promise<void> | undefined;

export interface Http2GrpcServerOptions {
  logger: Logger;
  maxReceiveBytes: number;
  maxSendBytes: number;
  gate?: CallGate;
}

interface Route {
  definition: MethodDefinition<unknown, unknown>;
  handler: (...args: never[]) => void;
}

export class Http2GrpcServer {
  private readonly routes = new Map<string, Route>();
  private readonly sessions = new Set<Http2Session>();
  private readonly server: Http2Server;

  constructor(private readonly options: Http2GrpcServerOptions) {
    // Sessions may hold as much as gRPC's own server lets them: the receive limit bounds each message.
    this.server = createServer({ maxSessionMemory: 1024 });
    this.server.on("stream", (stream, headers) => this.onStream(stream, headers));
    this.server.on("session", (session) => {
      this.sessions.add(session);
      session.once("close", () => this.sessions.delete(session));
      // A broken or hostile connection ends that session only.
      session.on("error", (error) => this.options.logger.debug("gRPC session error", { err: error }));
    });
    this.server.on("sessionError", (error) => this.options.logger.debug("gRPC session error", { err: error }));
  }

  /** Registers every method of a service; grpc-js's `addService`, so `addToServer(server)` helpers work. */
  addService(service: ServiceDefinition, implementation: ServiceImplementation): void {
    for (const [name, definition] of Object.entries(service) as [string, MethodDefinition<unknown, unknown> & { originalName?: string }][]) {
      const handler = implementation[name] ?? (definition.originalName === undefined ? undefined : implementation[definition.originalName]);
      if (typeof handler !== "function") continue;
      if (definition.requestStream && !definition.responseStream) throw new Error(`${definition.path}: client-streaming methods are not served`);
      this.routes.set(definition.path, { definition, handler: handler as Route["handler"] });
    }
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops taking connections, tells each session to go away once its running calls end, resolves when all did. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.close();
    return closed;
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    // A reset or a dead connection surfaces here; the call's close handling covers it.
    stream.on("error", (error) => this.options.logger.debug("gRPC stream error", { err: error }));
    try {
      this.dispatch(stream, headers);
    } catch (error) {
      this.options.logger.error("gRPC call failed", { err: error });
      if (!stream.destroyed) stream.close();
    }
  }

  private dispatch(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const contentType = headers["content-type"];
    if (headers[":method"] !== "POST" || typeof contentType !== "string" || !contentType.startsWith("application/grpc")) {
      stream.respond({ ":status": 415 }, { endStream: true });
      return;
    }
    const path = headers[":path"] ?? "";
    const route = this.routes.get(path);
    const timeoutMs = parseGrpcTimeout(headers["grpc-timeout"]);
    const call = new ServerCall(stream, headers, path, { serialize: (value) => route!.definition.responseSerialize(value) }, this.options.maxSendBytes, Number.isNaN(timeoutMs) ? undefined : timeoutMs);
    if (!route) {
      call.sendStatus({ code: GrpcStatus.UNIMPLEMENTED, details: `The server does not implement the method ${path}` });
      return drain(stream);
    }
    if (timeoutMs !== undefined && Number.isNaN(timeoutMs)) {
      call.sendStatus({ code: GrpcStatus.INTERNAL, details: `Invalid grpc-timeout value "${String(headers["grpc-timeout"])}"` });
      return drain(stream);
    }
    const encoding = headers["grpc-encoding"];
    const reader = new MessageReader(this.options.maxReceiveBytes);
    const requests: unknown[] = [];
    const bidi = route.definition.requestStream;
    let admitted: Promise<void> | undefined;
    if (bidi) {
      admitted = this.admit(call, undefined);
      const start = (): void => this.guard(call, () => (route.handler as BidiStreamingHandler)(call));
      if (admitted) admitted.then(() => !call.done && start(), () => undefined);
      else start();
    }
    const fail = (status: CallStatus): void => {
      call.sendStatus(status);
      drain(stream);
    };

    stream.on("data", (chunk: Buffer) => {
      if (call.done) return;
      let messages;
      try {
        messages = reader.push(chunk);
      } catch (error) {
        return fail({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: error instanceof MessageTooLargeError ? error.message : "Received message larger than max" });
      }
      for (const message of messages) {
        if (message.compressed) {
          // Only identity is served (grpc-accept-encoding says so): a compressed message is refused as gRPC does.
          return encoding === undefined || encoding === "identity"
            ? fail({ code: GrpcStatus.INTERNAL, details: "Compressed message received with identity encoding" })
            : fail({ code: GrpcStatus.UNIMPLEMENTED, details: `Received message compressed with unsupported encoding "${String(encoding)}"` });
        }
        let request: unknown;
        try {
          request = route.definition.requestDeserialize(message.bytes);
        } catch (error) {
          return fail({ code: GrpcStatus.INTERNAL, details: `Error deserializing request: ${error instanceof Error ? error.message : String(error)}` });
        }
        if (bidi) {
          const deliver = (): void => this.guard(call, () => !call.done && call.emit("data", request));
          if (admitted) void admitted.then(deliver, () => undefined);
          else deliver();
        } else if (requests.push(request) > 1) {
          return fail({ code: GrpcStatus.UNIMPLEMENTED, details: `Received a second request message for server streaming method ${path}` });
        }
      }
    });
    stream.once("end", () => {
      if (call.done) return;
      if (reader.partial) return call.sendStatus({ code: GrpcStatus.INTERNAL, details: "The request ended part way through a message" });
      if (bidi) {
        const halfClose = (): void => this.guard(call, () => !call.done && call.emit("end"));
        if (admitted) void admitted.then(halfClose, () => undefined);
        else halfClose();
        return;
      }
      if (requests.length === 0) return call.sendStatus({ code: GrpcStatus.UNIMPLEMENTED, details: `Received no request message for method ${path}` });
      call.request = requests[0];
      const gate = this.admit(call, call.request);
      if (gate) gate.then(() => !call.done && this.run(route, call), () => undefined);
      else this.run(route, call);
    });
  }

  /** The gate's verdict; a refusal ends the call here, so callers only continue on admission. */
  private admit(call: ServerCall, message: unknown): Promise<void> | undefined {
    const gate = this.options.gate?.(call.path, call.metadata, message);
    return gate?.catch((error: unknown) => {
      call.sendStatus(toGrpcServiceError(toLambdaError(error)));
      throw error;
    });
  }

  private run(route: Route, call: ServerCall): void {
    this.guard(call, () => {
      if (route.definition.responseStream) {
        (route.handler as ServerStreamingHandler<unknown>)(call as RequestCall<unknown>);
        return;
      }
      (route.handler as UnaryHandler<unknown, unknown>)(call as RequestCall<unknown>, (error, value, trailer) => {
        if (error) return call.sendStatus(error);
        let message: Uint8Array;
        try {
          message = route.definition.responseSerialize(value);
        } catch (serializeError) {
          this.options.logger.error("gRPC response did not serialize", { method: call.path, err: serializeError });
          return call.sendStatus({ code: GrpcStatus.INTERNAL, details: "Error serializing response" });
        }
        call.sendLastMessage(message, trailer);
      });
    });
  }

  /** Runs handler code; a throw ends that call with UNKNOWN, as grpc-js does, never the process. */
  private guard(call: ServerCall, run: () => unknown): void {
    try {
      run();
    } catch (error) {
      this.options.logger.error("gRPC handler threw", { method: call.path, err: error });
      call.sendStatus({ code: GrpcStatus.UNKNOWN, details: "Unknown error" });
    }
  }
}

/** After an early status, whatever the client still sends is read and dropped, so its flow control never stalls. */
function drain(stream: ServerHttp2Stream): void {
  stream.resume();
}
