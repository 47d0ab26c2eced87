// The topic trigger's payload: SNS's notification record with the NATS subject, body and headers.
import { describe, expect, it } from "vitest";
import { snsEnvelope } from "./sns-envelope.js";

const scope = { region: "us-east-1", accountId: "000000000000" };

describe("SNS envelopes", () => {
  it("carry the subject, the body as text and the headers as message attributes", () => {
    const envelope = snsEnvelope(
      scope,
      { name: "orders-in", subject: "orders.*" },
      {
        subject: "orders.created",
        data: new TextEncoder().encode('{"id":7} ✓'),
        headers: [
          ["Customer", ["ada"]],
          ["Tag", ["a", "b"]],
        ],
        messageId: "5f1b3c1e-0000-4000-8000-000000000000",
        receivedAt: Date.parse("2024-05-01T12:00:00.123Z"),
      },
    );
    expect(envelope).toEqual({
      Records: [
        {
          EventSource: "aws:sns",
          EventVersion: "1.0",
          EventSubscriptionArn: "arn:aws:sns:us-east-1:000000000000:orders.*:orders-in",
          Sns: {
            Type: "Notification",
            MessageId: "5f1b3c1e-0000-4000-8000-000000000000",
            TopicArn: "arn:aws:sns:us-east-1:000000000000:orders.*",
            Subject: "orders.created",
            Message: '{"id":7} ✓',
            Timestamp: "2024-05-01T12:00:00.123Z",
            SignatureVersion: "1",
            Signature: "",
            SigningCertUrl: "",
            UnsubscribeUrl: "",
            MessageAttributes: { Customer: { Type: "String", Value: "ada" }, Tag: { Type: "String.Array", Value: '["a","b"]' } },
          },
        },
      ],
    });
  });

  it("replace bytes that are not UTF-8", () => {
    const envelope = snsEnvelope(scope, { name: "t", subject: "raw" }, { subject: "raw", data: new Uint8Array([0x61, 0xff, 0x62]), headers: [], messageId: "m", receivedAt: 0 });
    expect(envelope.Records[0].Sns.Message).toBe("a\uFFFDb");
    expect(envelope.Records[0].Sns.MessageAttributes).toEqual({});
  });
});
