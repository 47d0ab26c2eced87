// Functions, versions and aliases (JetStream KV, environment variables sealed) and their code (JetStream Object Store).
export * from "./function-record.js";
export * from "./function-name.js";
export * from "./function-store.js";
export * from "./alias-record.js";
export * from "./alias-store.js";
export * from "./environment-cipher.js";
export * from "./code-store.js";
export * from "./registry-view.js";
export * from "./open.js";
export * from "./observed-writes.js";
export * from "./concurrency-settings.js";
export * from "./compare-and-set.js";
export * from "./event-invoke-config.js";
export * from "./function-url-config.js";
export * from "./destination-arn.js";
export * from "./usage-record.js";
