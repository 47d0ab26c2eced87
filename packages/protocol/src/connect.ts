// How every Lambent process connects to NATS: one place for the client options, the service's credentials
// and TLS, and the inbox its replies come back to (its permissions allow that one only).
import { connect } from "@nats-io/transport-node";
import { nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from "@nats-io/nats-core";
import { inboxPrefixOf, type NatsIdentity } from "./nats-permissions.js";
import { Subjects } from "./subjects.js";

/** The service's NATS credentials and TLS files, as @lambent/config reads them. */
export interface NatsClientAuth {
  nkeySeed: string | undefined;
  tls: { caFile: string | undefined; certFile: string | undefined; keyFile: string | undefined } | undefined;
}

export interface NatsClientOptions {
  /** NATS_URL: one server or several, separated by commas. */
  url: string;
  /** The connection's name, as NATS's monitoring shows it. */
  name: string;
  identity: NatsIdentity;
  auth: NatsClientAuth;
}

export function natsConnectionOptions(options: NatsClientOptions): ConnectionOptions {
  const { auth } = options;
  const tls = auth.tls;
  return {
    servers: options.url.split(",").map((server) => server.trim()),
    name: options.name,
    inboxPrefix: inboxPrefixOf(options.identity),
    ...(auth.nkeySeed ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(auth.nkeySeed)) } : {}),
    ...(tls
      ? {
          tls: {
            ...(tls.caFile ? { caFile: tls.caFile } : {}),
            ...(tls.certFile ? { certFile: tls.certFile } : {}),
            ...(tls.keyFile ? { keyFile: tls.keyFile } : {}),
          },
        }
      : {}),
    // Reconnect for as long as it takes: a NATS restart must not end a service.
    maxReconnectAttempts: -1,
    // Try again soon: while NATS is away, invocations and events cannot be accepted.
    reconnectTimeWait: 250,
    // A server cut off by the network (no RST, nothing answers) is noticed only by pings: ask every 2 s
    // and move to another server once 2 go unanswered, instead of NATS's default of minutes (a service on
    // the far side of a partition would stay there, cut off from the cluster, for that long).
    pingInterval: 2_000,
    maxPingOut: 2,
    // Async stack traces build two Error objects per request; on the invoke path that is a tenth of
    // the frontend's CPU.
    noAsyncTraces: true,
  };
}

export async function connectNats(options: NatsClientOptions): Promise<NatsConnection> {
  const nc = await connect(natsConnectionOptions(options));
  if (options.identity.role === "worker" && options.auth.nkeySeed) await checkOwnSubjects(nc, options.identity.workerNodeId);
  return nc;
}

/**
 * A worker's key is issued for one worker id: with another id, NATS would refuse every subscription of its
 * own, quietly, and the worker would never get a call. Refused here, the worker does not start.
 */
async function checkOwnSubjects(nc: NatsConnection, workerNodeId: string): Promise<void> {
  let refused: Error | undefined;
  const probe = nc.subscribe(Subjects.workerNodeAll(workerNodeId), {
    callback: (error) => {
      if (error) refused = error;
    },
  });
  // nats-server answers the subscription (a permission violation, if any) before the flush's pong.
  await nc.flush();
  if (!refused) {
    probe.unsubscribe();
    return;
  }
  await nc.close();
  throw new Error(`NATS refused worker ${workerNodeId} its own subjects (${refused.message}): its NATS credentials were issued for another LAMBENT_WORKER_ID`);
}
