// Destination and dead-letter ARNs: each accepted form and what it maps to, and every refusal.
import { describe, expect, it } from "vitest";
import { LambdaError } from "@lambent/errors";
import { MAX_DESTINATION_SUBJECT_LENGTH, parseDeadLetterTargetArn, parseDestinationArn } from "./destination-arn.js";

function refusal(parse: () => unknown): LambdaError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(LambdaError);
    expect((error as LambdaError).type).toBe("InvalidParameterValueException");
    return error as LambdaError;
  }
  throw new Error("expected the ARN to be refused");
}

describe("parseDestinationArn", () => {
  it("maps an SNS topic ARN to a plain publish on its name", () => {
    expect(parseDestinationArn("arn:aws:sns:us-east-1:000000000000:orders")).toEqual({ kind: "topic", subject: "orders" });
  });

  it("maps an SQS queue ARN to a JetStream publish on its name", () => {
    expect(parseDestinationArn("arn:aws:sqs:eu-west-2:123456789012:failed-orders")).toEqual({ kind: "queue", subject: "failed-orders" });
  });

  it("keeps dots in a name as subject tokens", () => {
    expect(parseDestinationArn("arn:aws:sqs:us-east-1:000000000000:orders.failed.v2")).toEqual({ kind: "queue", subject: "orders.failed.v2" });
    expect(parseDestinationArn("arn:aws:sns:us-east-1:000000000000:a_b-C.9")).toEqual({ kind: "topic", subject: "a_b-C.9" });
  });

  it("maps a function ARN, with or without a qualifier, to an asynchronous invocation", () => {
    expect(parseDestinationArn("arn:aws:lambda:us-east-1:000000000000:function:audit")).toEqual({ kind: "function", functionName: "audit" });
    expect(parseDestinationArn("arn:aws:lambda:us-east-1:000000000000:function:audit:prod")).toEqual({
      kind: "function",
      functionName: "audit",
      qualifier: "prod",
    });
    expect(parseDestinationArn("arn:aws:lambda:us-east-1:000000000000:function:audit:$LATEST")).toMatchObject({ qualifier: "$LATEST" });
    expect(parseDestinationArn("arn:aws:lambda:us-east-1:000000000000:function:audit:7")).toMatchObject({ qualifier: "7" });
  });

  it("accepts other partitions and any region name", () => {
    expect(parseDestinationArn("arn:aws-cn:sns:cn-north-1:000000000000:t")).toEqual({ kind: "topic", subject: "t" });
    expect(parseDestinationArn("arn:aws:sns:local:000000000000:t")).toEqual({ kind: "topic", subject: "t" });
  });

  it.each([
    ["", /empty/],
    ["orders", /not valid: expected arn:aws:sns/],
    ["arn:aws:sns:us-east-1:000000000000", /not valid/],
    ["arn:gcp:sns:us-east-1:000000000000:t", /not valid/],
    ["arn:aws:events:us-east-1:000000000000:event-bus/default", /service 'events'/],
    ["arn:aws:s3:::bucket", /service 's3'/],
    ["arn:aws:sns::000000000000:t", /region/],
    ["arn:aws:sns:US-EAST-1:000000000000:t", /region/],
    ["arn:aws:sns:us-east-1:1234:t", /account/],
    ["arn:aws:sns:us-east-1::t", /account/],
  ])("refuses %j", (arn, message) => {
    expect(refusal(() => parseDestinationArn(arn)).message).toMatch(message);
  });

  it.each(["", "orders.", ".orders", "a..b", "orders.*", "orders.>", ">", "with space", "with:colon", "ümlaut", "a/b"])(
    "refuses the topic and queue name %j, which is not a NATS subject",
    (name) => {
      expect(refusal(() => parseDestinationArn(`arn:aws:sns:us-east-1:000000000000:${name}`)).message).toMatch(/not a NATS subject/);
      expect(refusal(() => parseDestinationArn(`arn:aws:sqs:us-east-1:000000000000:${name}`)).message).toMatch(/not a NATS subject/);
    },
  );

  it("refuses names past 256 characters and ARNs past 350", () => {
    const longest = "a".repeat(MAX_DESTINATION_SUBJECT_LENGTH);
    expect(parseDestinationArn(`arn:aws:sqs:us-east-1:000000000000:${longest}`)).toEqual({ kind: "queue", subject: longest });
    expect(refusal(() => parseDestinationArn(`arn:aws:sqs:us-east-1:000000000000:${longest}a`)).message).toMatch(/not a NATS subject/);
    expect(refusal(() => parseDestinationArn(`arn:aws:sqs:us-east-1:000000000000:${"a.".repeat(160)}a`)).message).toMatch(/at most 350/);
  });

  it("refuses subjects Lambent and NATS keep for themselves", () => {
    expect(refusal(() => parseDestinationArn("arn:aws:sqs:us-east-1:000000000000:lambent.event.victim")).message).toMatch(/reserved/);
    expect(refusal(() => parseDestinationArn("arn:aws:sns:us-east-1:000000000000:lambent")).message).toMatch(/reserved/);
    expect(refusal(() => parseDestinationArn("arn:aws:sns:us-east-1:000000000000:_INBOX.abc")).message).toMatch(/reserved/);
    expect(parseDestinationArn("arn:aws:sns:us-east-1:000000000000:lambent-orders")).toEqual({ kind: "topic", subject: "lambent-orders" });
  });

  it.each([
    ["arn:aws:lambda:us-east-1:000000000000:audit", /not a function ARN/],
    ["arn:aws:lambda:us-east-1:000000000000:layer:audit:1", /not a function ARN/],
    ["arn:aws:lambda:us-east-1:000000000000:function:", /invalid function/],
    ["arn:aws:lambda:us-east-1:000000000000:function:a.b", /invalid function/],
    ["arn:aws:lambda:us-east-1:000000000000:function:audit:", /invalid qualifier/],
    ["arn:aws:lambda:us-east-1:000000000000:function:audit:pr.od", /invalid qualifier/],
    ["arn:aws:lambda:us-east-1:000000000000:function:audit:prod:extra", /not a function ARN/],
  ])("refuses the function ARN %j", (arn, message) => {
    expect(refusal(() => parseDestinationArn(arn)).message).toMatch(message);
  });
});

describe("parseDeadLetterTargetArn", () => {
  it("takes topics and queues", () => {
    expect(parseDeadLetterTargetArn("arn:aws:sns:us-east-1:000000000000:dlq")).toEqual({ kind: "topic", subject: "dlq" });
    expect(parseDeadLetterTargetArn("arn:aws:sqs:us-east-1:000000000000:dlq")).toEqual({ kind: "queue", subject: "dlq" });
  });

  it("refuses functions, as Lambda does, and anything parseDestinationArn refuses", () => {
    expect(refusal(() => parseDeadLetterTargetArn("arn:aws:lambda:us-east-1:000000000000:function:audit")).message).toMatch(
      /must be an SNS topic or SQS queue ARN/,
    );
    expect(refusal(() => parseDeadLetterTargetArn("arn:aws:sqs:us-east-1:000000000000:a..b")).message).toMatch(/not a NATS subject/);
  });
});
