// Functions' logs on JetStream: the stream, shipping one invocation's lines into it, and reading them back.
export * from "./log-record.js";
export * from "./log-stream.js";
export * from "./log-reader.js";
