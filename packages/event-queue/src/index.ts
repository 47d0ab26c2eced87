// The asynchronous event queue on JetStream: the stream, accepting an event (from a caller or from inside
// the cluster), and what the queue holds.
export * from "./event-stream.js";
export * from "./queue-stats.js";
export * from "./enqueue.js";
