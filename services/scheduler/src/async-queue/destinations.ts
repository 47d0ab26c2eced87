// Sends to a dead-letter target or a destination named by an ARN (see docs/async.md): a NATS subject
// (sns), a JetStream-captured subject with an acknowledged publish (sqs), or another function's event
// queue (lambda). Resolves once the message is as durable as its kind allows; rejects otherwise. Every
// send says the depth of the invocation it comes from: a subject or stream gets it as the
// Lambent-Call-Depth header, for the triggers and mappings reading there to add one to; a function's
// event is the next hop itself, and a hop from a stopped invocation is not made.
import type { JetStreamClient } from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/nats-core";
import { enqueueInvocation } from "@lambent/event-queue";
import { nextHop, withCallDepth } from "@lambent/protocol";
import { parseDestinationArn, type ArnScope, type RegistryView } from "@lambent/registry/functions";
import type { LoopStopsReport } from "../invocation/loop-stops.js";

export interface SendOptions {
  /** The depth of the invocation the message is about (0: from outside the cluster). */
  callDepth: number;
  /** NATS headers of a subject or stream message (a dead letter's RequestID, ErrorCode, ErrorMessage). */
  attributes?: Record<string, string>;
}

export interface DestinationSender {
  send(arn: string, payload: Uint8Array, options: SendOptions): Promise<void>;
}

export function destinationSender(nc: NatsConnection, js: JetStreamClient, view: RegistryView, scope: ArnScope, now: () => number, loops: LoopStopsReport): DestinationSender {
  return {
    async send(arn, payload, { callDepth, attributes = {} }) {
      const destination = parseDestinationArn(arn);
      const headers = natsHeaders();
      for (const [name, value] of Object.entries(attributes)) headers.set(name, value);
      withCallDepth(callDepth, headers);
      switch (destination.kind) {
        case "topic":
          nc.publish(destination.subject, payload, { headers });
          await nc.flush();
          return;
        case "queue":
          await js.publish(destination.subject, payload, { headers });
          return;
        case "function": {
          const hop = nextHop(callDepth);
          if (hop.kind === "drop") {
            loops.stopped(destination.functionName, "destination", { destination: arn, callDepth });
            return;
          }
          const target = { functionName: destination.functionName, ...(destination.qualifier ? { qualifier: destination.qualifier } : {}) };
          await enqueueInvocation(js, view, scope, target, payload, { now, callDepth: hop.callDepth });
          return;
        }
      }
    },
  };
}
