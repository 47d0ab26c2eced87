// Destination and dead-letter ARNs: where an asynchronous invocation's outcome goes, in Lambda's ARN
// forms mapped onto NATS (docs/async.md, "Destination and dead-letter ARNs").
//   arn:aws:sns:<region>:<account>:<name>                          a plain NATS publish on <name>
//   arn:aws:sqs:<region>:<account>:<name>                          a JetStream publish on <name>
//   arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]  an asynchronous invocation
import { invalidParameter } from "@lambent/errors";
import { isValidFunctionName, isValidQualifier } from "./function-name.js";

export type Destination =
  | { kind: "topic"; subject: string }
  | { kind: "queue"; subject: string }
  | { kind: "function"; functionName: string; qualifier?: string };

/** Lambda's limit on a destination ARN's length. */
export const MAX_DESTINATION_ARN_LENGTH = 350;
/** NATS subjects a topic or queue name may become are at most this long. */
export const MAX_DESTINATION_SUBJECT_LENGTH = 256;

const ARN = /^arn:(aws[a-zA-Z-]*):([^:]*):([^:]*):([^:]*):(.*)$/;
const REGION = /^[a-z0-9-]+$/;
const ACCOUNT = /^\d{12}$/;
/** Dot-separated tokens of letters, digits, `-` and `_`: no wildcards, no empty tokens. */
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** First subject tokens Lambent and NATS use themselves; a destination publishing there could spoof them. */
const RESERVED_FIRST_TOKENS = new Set(["lambent", "_INBOX"]);

const FORMS =
  "arn:aws:sns:<region>:<account>:<topic>, arn:aws:sqs:<region>:<account>:<queue> or arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]";

/** Parses a destination ARN (OnSuccess, OnFailure, DeadLetterConfig); InvalidParameterValueException when it is not one. */
export function parseDestinationArn(arn: string): Destination {
  if (arn.length === 0) throw invalidParameter("The destination ARN is empty");
  if (arn.length > MAX_DESTINATION_ARN_LENGTH) {
    throw invalidParameter(`The destination ARN must be at most ${MAX_DESTINATION_ARN_LENGTH} characters long`);
  }
  const match = ARN.exec(arn);
  if (!match) throw invalidParameter(`The destination ARN '${arn}' is not valid: expected ${FORMS}`);
  const [, , service, region, account, resource] = match as unknown as [string, string, string, string, string, string];
  if (service !== "sns" && service !== "sqs" && service !== "lambda") {
    throw invalidParameter(`The destination ARN '${arn}' names service '${service}', which Lambent does not deliver to: use ${FORMS}`);
  }
  if (!REGION.test(region)) throw invalidParameter(`The destination ARN '${arn}' has no valid region`);
  if (!ACCOUNT.test(account)) throw invalidParameter(`The destination ARN '${arn}' has no valid 12-digit account id`);
  if (service === "lambda") return functionDestination(arn, resource);
  return { kind: service === "sns" ? "topic" : "queue", subject: arnSubject(arn, resource, "destination") };
}

/** DeadLetterConfig.TargetArn: an SNS topic or SQS queue only, as in Lambda. */
export function parseDeadLetterTargetArn(arn: string): Destination & { kind: "topic" | "queue" } {
  const destination = parseDestinationArn(arn);
  if (destination.kind === "function") {
    throw invalidParameter(`The dead-letter target '${arn}' is not valid: DeadLetterConfig.TargetArn must be an SNS topic or SQS queue ARN`);
  }
  return destination;
}

function functionDestination(arn: string, resource: string): Destination {
  const parts = resource.split(":");
  if (parts[0] !== "function" || parts.length < 2 || parts.length > 3) {
    throw invalidParameter(`The destination ARN '${arn}' is not a function ARN: expected arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`);
  }
  const [, functionName, qualifier] = parts as [string, string, string | undefined];
  if (!isValidFunctionName(functionName)) {
    throw invalidParameter(`The destination ARN '${arn}' names an invalid function: names are 1 to 64 letters, digits, '-' and '_'`);
  }
  if (qualifier === undefined) return { kind: "function", functionName };
  if (!isValidQualifier(qualifier)) throw invalidParameter(`The destination ARN '${arn}' has an invalid qualifier '${qualifier}'`);
  return { kind: "function", functionName, qualifier };
}

/**
 * The NATS subject an SNS or SQS ARN's name stands for (destinations here, event sources in
 * event-source-arn.ts); `role` names the ARN in the error ("destination", "event source").
 */
export function arnSubject(arn: string, name: string, role: string): string {
  if (name.length > MAX_DESTINATION_SUBJECT_LENGTH || !SUBJECT.test(name)) {
    throw invalidParameter(
      `The ${role} ARN '${arn}' names '${name}', which is not a NATS subject: tokens of letters, digits, '-' and '_' separated by '.', no wildcards, at most ${MAX_DESTINATION_SUBJECT_LENGTH} characters`,
    );
  }
  const first = name.split(".")[0]!;
  if (RESERVED_FIRST_TOKENS.has(first)) {
    throw invalidParameter(`The ${role} ARN '${arn}' names subject '${name}', but subjects under '${first}.' are reserved for Lambent and NATS`);
  }
  return name;
}
