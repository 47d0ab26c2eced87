// @lambent/worker: runs functions in V8 isolates. `buildWorker` is the service; main.ts is its process.
export { buildWorker, type Worker, type WorkerDeps, type WorkerStatus } from "./server.js";
export { Invoker, type InvocationReply, type RevisionLookup } from "./invoke.js";
export type { InvocationLog, InvocationLogSink } from "./log-buffer.js";
export type { BundleSource } from "./code-cache.js";
