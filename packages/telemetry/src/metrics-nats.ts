// `lambent_nats_connected`: 1 while the service's NATS connection is up, 0 while it is away or closed,
// followed from the connection's status events. Typed by shape, so telemetry needs no NATS dependency.
import type { MetricsRegistry } from "./metrics.js";

/** What a NATS connection (nats.js v3) offers that this needs. */
export interface ObservableConnection {
  status(): AsyncIterable<{ type: string }>;
  closed(): Promise<unknown>;
}

export function trackNatsConnection(registry: MetricsRegistry, connection: ObservableConnection): void {
  const connected = registry.gauge("lambent_nats_connected", "1 while this service's NATS connection is up, 0 while it is disconnected or closed.").labels();
  connected.set(1);
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === "disconnect" || status.type === "close") connected.set(0);
      else if (status.type === "reconnect") connected.set(1);
    }
  })();
  // A closed connection ends its status stream; the gauge stays at 0 whether or not it closed with an error.
  void connection.closed().then(() => connected.set(0));
}
