// Reading CreateTrigger and UpdateTrigger bodies: every field checked, every failure naming the field.
// The sources: a schedule (EventBridge's rate and cron expressions, a time zone, a constant input), a
// topic (a NATS subject, wildcards allowed, none of Lambent's or NATS's own), an Object Store bucket
// (event types, key prefix and suffix) and a KV bucket (a key filter).
import { invalidParameter } from "@lambent/errors";
import { Buckets } from "@lambent/protocol";
import { OBJECT_EVENT_TYPES, TRIGGER_NAME_PATTERN, type ObjectEventType, type TriggerSource } from "@lambent/registry/triggers";
import { DEFAULT_TIME_ZONE, ScheduleExpressionError, createSchedule, nextFireTime } from "@lambent/schedule-expression";
import { type Body, optionalBoolean, optionalObject, optionalString, optionalStringList, requireString } from "./fields.js";

/** Lambda's limit on descriptions. */
export const MAX_DESCRIPTION_LENGTH = 256;
/** EventBridge's limit on a target's constant input. */
export const MAX_INPUT_LENGTH = 8192;
export const MAX_SUBJECT_LENGTH = 256;
/** S3's limit on a key, and so on a filter's prefix or suffix. */
export const MAX_KEY_FILTER_LENGTH = 1024;
const BUCKET_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_TOKEN = /^[^\s.*>]+$/;
const KV_KEY_TOKEN = /^[-/_=A-Za-z0-9]+$/;
/** Subjects that belong to Lambent (`lambent.…`) and to NATS itself (`$JS.…`, `$KV.…`, `_INBOX.…`). */
const RESERVED_FIRST_TOKENS = new Set(["lambent", "_INBOX"]);
const SOURCE_FIELDS = ["Schedule", "Topic", "Bucket", "KeyValue"] as const;

export function readTriggerName(name: unknown): string {
  if (typeof name !== "string" || !TRIGGER_NAME_PATTERN.test(name)) {
    throw invalidParameter(`Name must be 1 to 64 letters, digits, '-' or '_', got '${String(name)}'`);
  }
  return name;
}

export function readDescription(body: Body): string | undefined {
  return optionalString(body, "Description", MAX_DESCRIPTION_LENGTH);
}

export function readEnabled(body: Body): boolean | undefined {
  return optionalBoolean(body, "Enabled");
}

/** The one source a CreateTrigger body names. `start` is when a schedule starts counting. */
export function readSource(body: Body, start: number): TriggerSource {
  const given = SOURCE_FIELDS.filter((field) => body[field] !== undefined && body[field] !== null);
  if (given.length !== 1) {
    throw invalidParameter(`A trigger has exactly one source: one of ${SOURCE_FIELDS.join(", ")}${given.length > 1 ? `, not ${given.join(" and ")}` : ""}`);
  }
  const field = given[0]!;
  const source = optionalObject(body, field)!;
  switch (field) {
    case "Schedule":
      return readSchedule(source, start);
    case "Topic":
      return { type: "topic", subject: readSubject(requireString(source, "Subject")) };
    case "Bucket":
      return readBucketSource(source);
    case "KeyValue":
      return readKeyValueSource(source);
  }
}

function readSchedule(body: Body, start: number): TriggerSource {
  const expression = requireString(body, "Expression");
  const timezone = optionalString(body, "Timezone") || DEFAULT_TIME_ZONE;
  const input = readInput(body);
  checkSchedule(expression, timezone, start);
  return { type: "schedule", expression, timezone, ...(input === undefined ? {} : { input }), start };
}

/** Parses the expression and time zone, and refuses a schedule that would never fire again. */
export function checkSchedule(expression: string, timezone: string, start: number): void {
  try {
    const schedule = createSchedule(expression, timezone, start);
    if (nextFireTime(schedule, start) === undefined) throw invalidParameter(`Schedule.Expression '${expression}' never fires after now`);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw invalidParameter(`Schedule is not valid: ${error.message}`);
    throw error;
  }
}

/** `Input`: JSON text sent in place of the scheduled event; "" (in an update) removes it. */
export function readInput(body: Body): string | undefined {
  const input = optionalString(body, "Input", MAX_INPUT_LENGTH);
  if (input === undefined || input === "") return input;
  try {
    JSON.parse(input);
  } catch {
    throw invalidParameter("Schedule.Input must be JSON text");
  }
  return input;
}

/** A NATS subject with wildcards (`*` for one token, `>` for the rest), not one of Lambent's or NATS's own. */
export function readSubject(subject: string): string {
  const tokens = subject.split(".");
  const wellFormed =
    subject.length <= MAX_SUBJECT_LENGTH &&
    tokens.every((token, index) => token === "*" || (token === ">" && index === tokens.length - 1) || SUBJECT_TOKEN.test(token));
  if (!wellFormed) {
    throw invalidParameter(
      `Topic.Subject '${subject}' is not a NATS subject: tokens separated by '.', no spaces, '*' for one whole token, '>' only as the last, at most ${MAX_SUBJECT_LENGTH} characters`,
    );
  }
  const first = tokens[0]!;
  if (first === "*" || first === ">") throw invalidParameter(`Topic.Subject '${subject}' may not start with a wildcard: it would take Lambent's own messages`);
  if (RESERVED_FIRST_TOKENS.has(first) || first.startsWith("$")) {
    throw invalidParameter(`Topic.Subject '${subject}' is reserved: subjects starting with 'lambent.', '$' or '_INBOX' belong to Lambent and NATS`);
  }
  return subject;
}

function readBucketName(body: Body, field: string, lambentBuckets: readonly string[]): string {
  const bucket = requireString(body, "Bucket");
  if (!BUCKET_NAME.test(bucket)) throw invalidParameter(`${field}.Bucket '${bucket}' is not a bucket name: 1 to 64 letters, digits, '-' or '_'`);
  if (lambentBuckets.includes(bucket)) throw invalidParameter(`${field}.Bucket '${bucket}' is Lambent's own bucket`);
  return bucket;
}

function readBucketSource(body: Body): TriggerSource {
  const bucket = readBucketName(body, "Bucket", [Buckets.code]);
  const given = optionalStringList(body, "Events");
  if (given !== undefined && given.length === 0) throw invalidParameter("Bucket.Events must name at least one event type when given");
  for (const event of given ?? []) {
    if (!(OBJECT_EVENT_TYPES as readonly string[]).includes(event)) {
      throw invalidParameter(`Bucket.Events: '${event}' is not one of ${OBJECT_EVENT_TYPES.join(", ")}`);
    }
  }
  const events = given ? [...new Set(given as ObjectEventType[])] : (["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] as ObjectEventType[]);
  const prefix = optionalString(body, "Prefix", MAX_KEY_FILTER_LENGTH) || undefined;
  const suffix = optionalString(body, "Suffix", MAX_KEY_FILTER_LENGTH) || undefined;
  return { type: "bucket", bucket, events, ...(prefix === undefined ? {} : { prefix }), ...(suffix === undefined ? {} : { suffix }) };
}

function readKeyValueSource(body: Body): TriggerSource {
  const bucket = readBucketName(body, "KeyValue", [Buckets.functions, Buckets.cluster]);
  const keys = optionalString(body, "Keys", MAX_SUBJECT_LENGTH) || undefined;
  if (keys !== undefined) {
    const tokens = keys.split(".");
    const valid = tokens.every((token, index) => token === "*" || (token === ">" && index === tokens.length - 1) || KV_KEY_TOKEN.test(token));
    if (!valid) {
      throw invalidParameter(`KeyValue.Keys '${keys}' is not a key filter: tokens of letters, digits, '-', '_', '/', '=' separated by '.', '*' for one token, '>' only as the last`);
    }
  }
  return { type: "keyValue", bucket, ...(keys === undefined ? {} : { keys }) };
}
