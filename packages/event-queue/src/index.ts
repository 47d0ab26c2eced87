// The asynchronous event queue on JetStream: the stream, accepting an event, and what the queue holds.
export * from "./event-stream.js";
export * from "./queue-stats.js";
