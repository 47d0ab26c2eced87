// What a topic trigger sends for one NATS message: SNS's notification as Lambda receives it, with the
// NATS subject as `Subject`, the body as UTF-8 text in `Message`, and the NATS headers as
// `MessageAttributes`. Lambent does not sign messages: the signature fields are empty.
import type { ArnScope } from "@lambent/registry/functions";

export interface TopicMessage {
  /** The subject the message was published on. */
  subject: string;
  data: Uint8Array;
  /** Header name → values, as NATS carries them. */
  headers: ReadonlyArray<readonly [string, readonly string[]]>;
  messageId: string;
  receivedAt: number;
}

export interface SnsMessageAttribute {
  Type: "String" | "String.Array";
  Value: string;
}

export interface SnsEnvelope {
  Records: [
    {
      EventSource: "aws:sns";
      EventVersion: "1.0";
      EventSubscriptionArn: string;
      Sns: {
        Type: "Notification";
        MessageId: string;
        TopicArn: string;
        Subject: string;
        Message: string;
        Timestamp: string;
        SignatureVersion: "1";
        Signature: "";
        SigningCertUrl: "";
        UnsubscribeUrl: "";
        MessageAttributes: Record<string, SnsMessageAttribute>;
      };
    },
  ];
}

/** The topic ARN of a trigger's subject (wildcards kept), as destinations write SNS ARNs. */
export function topicArn(scope: ArnScope, subject: string): string {
  return `arn:aws:sns:${scope.region}:${scope.accountId}:${subject}`;
}

const decoder = new TextDecoder();

export function snsEnvelope(scope: ArnScope, trigger: { name: string; subject: string }, message: TopicMessage): SnsEnvelope {
  const arn = topicArn(scope, trigger.subject);
  const attributes: Record<string, SnsMessageAttribute> = {};
  for (const [name, values] of message.headers) {
    attributes[name] = values.length === 1 ? { Type: "String", Value: values[0]! } : { Type: "String.Array", Value: JSON.stringify(values) };
  }
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `${arn}:${trigger.name}`,
        Sns: {
          Type: "Notification",
          MessageId: message.messageId,
          TopicArn: arn,
          Subject: message.subject,
          Message: decoder.decode(message.data),
          Timestamp: new Date(message.receivedAt).toISOString(),
          SignatureVersion: "1",
          Signature: "",
          SigningCertUrl: "",
          UnsubscribeUrl: "",
          MessageAttributes: attributes,
        },
      },
    ],
  };
}
