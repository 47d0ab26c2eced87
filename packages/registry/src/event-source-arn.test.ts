// Event source ARNs: the two forms Lambent polls and every refusal.
import { describe, expect, it } from "vitest";
import { LambdaError } from "@lambent/errors";
import { parseEventSourceArn } from "./event-source-arn.js";

function refusal(arn: string): string {
  try {
    parseEventSourceArn(arn);
  } catch (error) {
    expect(error).toBeInstanceOf(LambdaError);
    expect((error as LambdaError).type).toBe("InvalidParameterValueException");
    return (error as LambdaError).message;
  }
  throw new Error(`expected '${arn}' to be refused`);
}

describe("parseEventSourceArn", () => {
  it("maps an SQS ARN to the messages on its subject, dots included", () => {
    expect(parseEventSourceArn("arn:aws:sqs:us-east-1:000000000000:orders.created")).toEqual({ kind: "queue", subject: "orders.created" });
  });

  it("maps a Kinesis stream ARN to a JetStream stream", () => {
    expect(parseEventSourceArn("arn:aws:kinesis:eu-west-1:123456789012:stream/ORDERS")).toEqual({ kind: "stream", stream: "ORDERS" });
  });

  it("refuses other services, malformed ARNs, wildcards, Lambent's own subjects and streams", () => {
    expect(refusal("")).toMatch(/required/);
    expect(refusal("orders")).toMatch(/not valid/);
    expect(refusal("arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024")).toMatch(/does not poll/);
    expect(refusal("arn:aws:sqs:us-east-1:000000000000:orders.*")).toMatch(/not a NATS subject/);
    expect(refusal("arn:aws:sqs:us-east-1:000000000000:lambent.event.f")).toMatch(/reserved/);
    expect(refusal("arn:aws:sqs:us-east-1:0000:orders")).toMatch(/account/);
    expect(refusal("arn:aws:kinesis:us-east-1:000000000000:ORDERS")).toMatch(/not a stream ARN/);
    expect(refusal("arn:aws:kinesis:us-east-1:000000000000:stream/OR.DERS")).toMatch(/stream name/);
    expect(refusal("arn:aws:kinesis:us-east-1:000000000000:stream/LAMBENT_EVENTS")).toMatch(/Lambent's own/);
    expect(refusal("arn:aws:kinesis:us-east-1:000000000000:stream/KV_lambent_functions")).toMatch(/Lambent's own/);
  });
});
