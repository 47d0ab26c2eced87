// Everything services say to each other over NATS: subjects, buckets, and message codecs.
export * from "./subjects.js";
export * from "./invocation.js";
export { CALL_DEPTH_HEADER, MAX_CALL_DEPTH, callDepthOf, nextHop, withCallDepth, type Hop } from "./call-depth.js";
export * from "./cluster.js";
export * from "./frame.js";
export * from "./connect.js";
export * from "./nats-permissions.js";
export * from "./request-reply.js";
export * from "./leader-request.js";
export * from "./invocation-payload.js";
export * from "./trace-headers.js";
export { isRecord } from "./guards.js";
export * from "./local-frames.js";
export * from "./response-stream.js";
export * from "./function-api.js";
