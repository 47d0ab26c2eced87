// How every Lambent process connects to NATS: one place for the client options.
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";

export function connectNats(natsUrl: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: natsUrl.split(",").map((server) => server.trim()),
    name,
    // Reconnect for as long as it takes: a NATS restart must not end a service.
    maxReconnectAttempts: -1,
    // Try again soon: while NATS is away, invocations and events cannot be accepted.
    reconnectTimeWait: 250,
    // Async stack traces build two Error objects per request; on the invoke path that is a tenth of
    // the frontend's CPU.
    noAsyncTraces: true,
  });
}
