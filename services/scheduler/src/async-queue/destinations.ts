// Sends to a dead-letter target or a destination named by an ARN (see docs/async.md): a NATS subject
// (sns), a JetStream-captured subject with an acknowledged publish (sqs), or another function's event
// queue (lambda). Resolves once the message is as durable as its kind allows; rejects otherwise.
import type { JetStreamClient } from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/nats-core";
import { enqueueInvocation } from "@lambent/event-queue";
import { parseDestinationArn, type ArnScope, type RegistryView } from "@lambent/registry/functions";

export interface DestinationSender {
  send(arn: string, payload: Uint8Array, attributes?: Record<string, string>): Promise<void>;
}

export function destinationSender(nc: NatsConnection, js: JetStreamClient, view: RegistryView, scope: ArnScope, now: () => number): DestinationSender {
  return {
    async send(arn, payload, attributes = {}) {
      const destination = parseDestinationArn(arn);
      const headers = natsHeaders();
      for (const [name, value] of Object.entries(attributes)) headers.set(name, value);
      switch (destination.kind) {
        case "topic":
          nc.publish(destination.subject, payload, { headers });
          await nc.flush();
          return;
        case "queue":
          await js.publish(destination.subject, payload, { headers });
          return;
        case "function": {
          const target = { functionName: destination.functionName, ...(destination.qualifier ? { qualifier: destination.qualifier } : {}) };
          await enqueueInvocation(js, view, scope, target, payload, { now });
          return;
        }
      }
    },
  };
}
