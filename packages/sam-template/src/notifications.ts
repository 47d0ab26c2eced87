// S3 and SNS events as Lambent's bucket and topic triggers, and the AWS::S3::Bucket and AWS::SNS::Topic
// resources they name. Lambent creates neither: a bucket of the template is the JetStream Object Store
// bucket of its name, which must exist when the deploy creates the trigger, and a topic is the NATS subject
// of its name. What their properties ask for beyond a name is refused, naming it.
import { ResolveError } from "./errors.js";
import type { Resolved } from "./intrinsics.js";
import type { NotificationPlan } from "./model.js";
import { map, shortHash, text, type Properties } from "./values.js";

export const BUCKET_TYPE = "AWS::S3::Bucket";
export const TOPIC_TYPE = "AWS::SNS::Topic";

/** An Object Store bucket's name, as JetStream allows it. */
const BUCKET_NAME = /^[A-Za-z0-9_-]{1,63}$/;
/** An SNS topic name: it becomes a one-token NATS subject. */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
/** The bucket events Lambent's bucket triggers take (docs/triggers.md). */
const BUCKET_EVENTS = new Set(["s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete"]);

export const NOTIFICATION_EVENT_PROPERTIES: Readonly<Record<string, ReadonlySet<string>>> = {
  S3: new Set(["Bucket", "Events", "Filter"]),
  SNS: new Set(["Topic"]),
};

/** Why an SNS event property is refused. */
export const REFUSED_NOTIFICATION_PROPERTY_BECAUSE: Readonly<Record<string, string>> = {
  FilterPolicy: "a topic trigger takes every message on its subject: narrow the subject, or filter in the function",
  FilterPolicyScope: "a topic trigger takes every message on its subject",
  SqsSubscription: "a topic trigger invokes the function through its own asynchronous queue already",
  RedrivePolicy: "failed events go to the function's dead-letter target and destinations (lambent event-config)",
  Region: "a topic is a subject of the cluster's NATS",
};

/** Properties of the resources beyond their names, and why each is refused. */
const BUCKET_PROPERTIES_REFUSED_BECAUSE: Readonly<Record<string, string>> = {
  NotificationConfiguration: "give the function an S3 event instead",
};
const TOPIC_PROPERTIES_REFUSED_BECAUSE: Readonly<Record<string, string>> = {
  Subscription: "subscribe a function with an SNS event instead",
  FifoTopic: "a subject keeps no order across its subscribers",
};

/** `<stack>-<LogicalId>` in lower case, cut to 63 characters with a hash to keep it unique. */
export function defaultBucketName(stackName: string, logicalId: string): string {
  const name = `${stackName}-${logicalId}`.toLowerCase();
  return name.length <= 63 ? name : `${name.slice(0, 54)}-${shortHash(name)}`;
}

export function defaultTopicName(stackName: string, logicalId: string): string {
  return `${stackName}-${logicalId}`.slice(0, 256);
}

export function checkBucketName(name: string): string {
  if (!BUCKET_NAME.test(name)) throw new ResolveError(`'${name}' is not an Object Store bucket name: 1 to 63 letters, digits, '-' or '_'`, "BucketName");
  return name;
}

export function checkTopicName(name: string): string {
  if (!TOPIC_NAME.test(name)) throw new ResolveError(`'${name}' is not a topic name: 1 to 256 letters, digits, '-' or '_'`, "TopicName");
  return name;
}

/** An AWS::S3::Bucket or AWS::SNS::Topic: only its name (and tags, with a warning) are taken. */
export function checkNameResource(type: string, properties: Properties, logicalId: string, name: string, warnings: string[]): void {
  const bucket = type === BUCKET_TYPE;
  const nameProperty = bucket ? "BucketName" : "TopicName";
  const refused = bucket ? BUCKET_PROPERTIES_REFUSED_BECAUSE : TOPIC_PROPERTIES_REFUSED_BECAUSE;
  for (const key of Object.keys(properties)) {
    if (key === nameProperty) continue;
    if (key === "Tags" || (!bucket && key === "DisplayName")) {
      warnings.push(`${logicalId}: ${key} has no effect: Lambent's ${bucket ? "buckets" : "topics"} have none`);
      continue;
    }
    const because = Object.hasOwn(refused, key) ? refused[key] : undefined;
    throw new ResolveError(`${type} property ${key} is not supported by Lambent${because ? `: ${because}` : ""}`, key);
  }
  warnings.push(
    bucket
      ? `${logicalId}: Lambent creates no buckets: this is the Object Store bucket ${name}, which must exist (nats object add ${name}) before a trigger on it is created`
      : `${logicalId}: Lambent creates no topics: this is the NATS subject ${name}`,
  );
}

/** An S3 event: a bucket trigger on the bucket it names. */
export function bucketNotificationOf(eventId: string, name: string, properties: Record<string, Resolved>, where: string): NotificationPlan {
  if (properties.Bucket === undefined || properties.Events === undefined) throw new ResolveError("an S3 event needs Bucket and Events", where);
  const bucket = text(properties.Bucket, `${where}.Bucket`);
  if (!BUCKET_NAME.test(bucket)) throw new ResolveError(`'${bucket}' is not an Object Store bucket name: !Ref the template's AWS::S3::Bucket, or name a bucket (letters, digits, '-' or '_')`, `${where}.Bucket`);
  const listed: Resolved[] = Array.isArray(properties.Events) ? properties.Events : [properties.Events];
  const events = listed.map((event, index) => {
    const value = text(event, `${where}.Events`);
    if (!BUCKET_EVENTS.has(value)) throw new ResolveError(`${value} is not an event Lambent's buckets send: ${[...BUCKET_EVENTS].join(", ")}`, Array.isArray(properties.Events) ? `${where}.Events[${index}]` : `${where}.Events`);
    return value;
  });
  const plan: NotificationPlan = { eventId, name, bucket: { Bucket: bucket, Events: [...new Set(events)] } };
  if (properties.Filter !== undefined) {
    const filter = map(properties.Filter, `${where}.Filter`);
    for (const key of Object.keys(filter)) if (key !== "S3Key") throw new ResolveError(`Filter.${key} is not supported: only S3Key`, `${where}.Filter.${key}`);
    const rules = map(filter.S3Key, `${where}.Filter.S3Key`).Rules;
    if (!Array.isArray(rules)) throw new ResolveError("must be a list of {Name, Value}", `${where}.Filter.S3Key.Rules`);
    rules.forEach((rule, index) => {
      const at = `${where}.Filter.S3Key.Rules[${index}]`;
      const fields = map(rule, at);
      const ruleName = text(fields.Name, `${at}.Name`).toLowerCase();
      if (ruleName !== "prefix" && ruleName !== "suffix") throw new ResolveError(`must be prefix or suffix`, `${at}.Name`);
      const key = ruleName === "prefix" ? "Prefix" : "Suffix";
      if (plan.bucket![key] !== undefined) throw new ResolveError(`a second ${ruleName} rule: S3 takes one of each`, at);
      plan.bucket![key] = text(fields.Value, `${at}.Value`);
    });
  }
  return plan;
}

/** An SNS event: a topic trigger on the subject its topic ARN names. */
export function topicNotificationOf(eventId: string, name: string, properties: Record<string, Resolved>, where: string): NotificationPlan {
  if (properties.Topic === undefined) throw new ResolveError("an SNS event needs Topic", where);
  const arn = text(properties.Topic, `${where}.Topic`);
  const subject = /^arn:aws:sns:[^:]*:[^:]*:([^:]+)$/.exec(arn)?.[1];
  if (subject === undefined) throw new ResolveError(`'${arn}' is not a topic ARN: !Ref the template's AWS::SNS::Topic, or arn:aws:sns:<region>:<account>:<subject>`, `${where}.Topic`);
  return { eventId, name, topic: { Subject: subject } };
}
