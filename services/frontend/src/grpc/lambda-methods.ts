// lambent.v1.Lambda's methods as types: each unary RPC's request and response message, and the table of
// handlers that handlers.ts builds (trigger-rpcs.ts a part of it) and server.ts binds.
import type * as proto from "@lambent/proto";
import type { TraceSpan } from "@lambent/telemetry";

/** The unary RPCs; the server-streaming ones are bound on their own (`GetLogs`, `InvokeWithResponseStream`). */
export type LambdaMethod = Exclude<keyof proto.LambdaService, StreamingLambdaMethod>;
export type StreamingLambdaMethod = "getLogs" | "invokeWithResponseStream";
export type RequestOf<M extends LambdaMethod> = ReturnType<proto.LambdaService[M]["requestDeserialize"]>;
export type ResponseOf<M extends LambdaMethod> = Parameters<proto.LambdaService[M]["responseSerialize"]>[0];

/** One async function per RPC of lambent.v1.Lambda; they throw LambdaError on failure. */
/** `span` is the call's server span when it is traced. */
export type LambdaRpcHandlers = { [M in LambdaMethod]: (request: RequestOf<M>, span?: TraceSpan) => Promise<ResponseOf<M>> };
