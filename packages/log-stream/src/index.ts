// Functions' logs and per-minute metrics on JetStream: the streams, writing into them, and reading them back.
export * from "./log-record.js";
export * from "./log-stream.js";
export * from "./log-reader.js";
export * from "./metric-minutes.js";
export * from "./metrics-stream.js";
