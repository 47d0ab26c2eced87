// Event source ARNs: what an event source mapping reads, in Lambda's ARN forms mapped onto JetStream
// (docs/triggers.md, "Event source mappings").
//   arn:aws:sqs:<region>:<account>:<subject>            queue semantics: the messages on <subject>, held by
//                                                        whichever JetStream stream captures it
//   arn:aws:kinesis:<region>:<account>:stream/<stream>  stream semantics: the JetStream stream <stream>, each
//                                                        of its subjects a partition
import { invalidParameter } from "@lambent/errors";
import { arnSubject } from "./destination-arn.js";

export type EventSource = { kind: "queue"; subject: string } | { kind: "stream"; stream: string };

/** Lambda's limit on an event source ARN's length. */
export const MAX_EVENT_SOURCE_ARN_LENGTH = 1024;

const ARN = /^arn:(aws[a-zA-Z-]*):([^:]*):([^:]*):([^:]*):(.*)$/;
const REGION = /^[a-z0-9-]+$/;
const ACCOUNT = /^\d{12}$/;
/** JetStream stream names Lambent accepts: letters, digits, `-` and `_` (JetStream itself refuses `.`, `*`, `>` and spaces). */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,256}$/;
/** Lambent's own streams (and the streams behind its KV and Object Store buckets) are not event sources. */
const RESERVED_STREAM_PREFIXES = ["LAMBENT_", "KV_lambent_", "OBJ_lambent_"];

const FORMS = "arn:aws:sqs:<region>:<account>:<subject> (a queue) or arn:aws:kinesis:<region>:<account>:stream/<stream> (a stream)";

/** Parses an EventSourceArn; InvalidParameterValueException when it is not one of the two forms. */
export function parseEventSourceArn(arn: string): EventSource {
  if (arn.length === 0) throw invalidParameter("EventSourceArn is required");
  if (arn.length > MAX_EVENT_SOURCE_ARN_LENGTH) throw invalidParameter(`EventSourceArn must be at most ${MAX_EVENT_SOURCE_ARN_LENGTH} characters long`);
  const match = ARN.exec(arn);
  if (!match) throw invalidParameter(`The event source ARN '${arn}' is not valid: expected ${FORMS}`);
  const [, , service, region, account, resource] = match as unknown as [string, string, string, string, string, string];
  if (service !== "sqs" && service !== "kinesis") {
    throw invalidParameter(`The event source ARN '${arn}' names service '${service}', which Lambent does not poll: use ${FORMS}`);
  }
  if (!REGION.test(region)) throw invalidParameter(`The event source ARN '${arn}' has no valid region`);
  if (!ACCOUNT.test(account)) throw invalidParameter(`The event source ARN '${arn}' has no valid 12-digit account id`);
  if (service === "sqs") return { kind: "queue", subject: arnSubject(arn, resource, "event source") };
  if (!resource.startsWith("stream/")) {
    throw invalidParameter(`The event source ARN '${arn}' is not a stream ARN: expected arn:aws:kinesis:<region>:<account>:stream/<stream>`);
  }
  const stream = resource.slice("stream/".length);
  if (!STREAM_NAME.test(stream)) {
    throw invalidParameter(`The event source ARN '${arn}' names '${stream}', which is not a JetStream stream name: 1 to 256 letters, digits, '-' and '_'`);
  }
  if (RESERVED_STREAM_PREFIXES.some((prefix) => stream.startsWith(prefix))) {
    throw invalidParameter(`The event source ARN '${arn}' names stream '${stream}', which is Lambent's own`);
  }
  return { kind: "stream", stream };
}
