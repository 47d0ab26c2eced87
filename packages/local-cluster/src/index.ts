// Starts nats-server and Lambent's services as child processes: `npm start` and the tests both use it.
export * from "./nats-server.js";
export * from "./service-process.js";
export * from "./local-cluster.js";
export * from "./health.js";
