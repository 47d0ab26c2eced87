// A function's Events: Api and HttpApi → Lambent routes, Schedule and ScheduleV2 → schedule triggers, SQS
// and Kinesis → event source mappings, S3 and SNS → bucket and topic triggers. Other event types, and properties of these Lambent has nothing for,
// are refused, naming them.
import { isValidTimeZone, parseScheduleExpression } from "@lambent/schedule-expression";
import { ResolveError } from "./errors.js";
import type { Resolved } from "./intrinsics.js";
import type { MappingPlan, NotificationPlan, RoutePlan, SchedulePlan } from "./model.js";
import { mappingOf, MAPPING_EVENT_PROPERTIES } from "./mappings.js";
import { bucketNotificationOf, NOTIFICATION_EVENT_PROPERTIES, REFUSED_NOTIFICATION_PROPERTY_BECAUSE, topicNotificationOf } from "./notifications.js";
import { map, oneOf, own, shortHash, text } from "./values.js";

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
const TRIGGER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Lambent's own paths, which a route cannot take (docs/triggers.md). */
const RESERVED_SEGMENT = /^(\d{4}-\d{2}-\d{2}|lambent.*|healthz|livez|metrics)$/i;

const EVENT_PROPERTIES: Readonly<Record<string, ReadonlySet<string>>> = {
  Api: new Set(["Path", "Method"]),
  HttpApi: new Set(["Path", "Method", "PayloadFormatVersion", "TimeoutInMillis"]),
  Schedule: new Set(["Schedule", "Input", "Enabled", "State", "Name", "Description"]),
  ScheduleV2: new Set(["ScheduleExpression", "ScheduleExpressionTimezone", "Input", "State", "Name", "Description", "FlexibleTimeWindow"]),
  ...MAPPING_EVENT_PROPERTIES,
  ...NOTIFICATION_EVENT_PROPERTIES,
};

/** Why an event property is refused, where there is more to say than "not supported". */
const REFUSED_PROPERTY_BECAUSE: Readonly<Record<string, string>> = {
  RetryPolicy: "a schedule's events are retried as the function's asynchronous events are: set them with lambent event-config",
  DeadLetterConfig: "a schedule's failed events go to the function's own dead-letter target and destinations",
  Auth: "Lambent's routes have no authorizers",
  RequestParameters: "Lambent's routes pass every parameter through",
  ...REFUSED_NOTIFICATION_PROPERTY_BECAUSE,
};

const REFUSED_EVENT_BECAUSE: Readonly<Record<string, string>> = {
  DynamoDB: "Lambent's event source mappings read JetStream queues (SQS) and streams (Kinesis); it has no DynamoDB streams",
};

export function planEvents(value: Resolved, functionName: string): { routes: RoutePlan[]; schedules: SchedulePlan[]; mappings?: MappingPlan[]; notifications?: NotificationPlan[] } {
  const routes: RoutePlan[] = [];
  const schedules: SchedulePlan[] = [];
  const mappings: MappingPlan[] = [];
  const notifications: NotificationPlan[] = [];
  for (const [eventId, event] of Object.entries(map(value, "Events"))) {
    const where = `Events.${eventId}`;
    const fields = map(event, where);
    const type = text(fields.Type, `${where}.Type`);
    const allowed = own(EVENT_PROPERTIES, type);
    if (allowed === undefined) {
      const because = own(REFUSED_EVENT_BECAUSE, type);
      throw new ResolveError(`event type ${type} is not supported by Lambent${because ? `: ${because}` : ""}`, `${where}.Type`);
    }
    const properties = fields.Properties === undefined ? {} : map(fields.Properties, `${where}.Properties`);
    for (const key of Object.keys(properties)) {
      if (allowed.has(key)) continue;
      const because = own(REFUSED_PROPERTY_BECAUSE, key);
      throw new ResolveError(`${type} event property ${key} is not supported by Lambent${because ? `: ${because}` : ""}`, `${where}.Properties.${key}`);
    }
    if (type === "Api" || type === "HttpApi") routes.push(routeOf(eventId, type, properties, where));
    else if (type === "SQS" || type === "Kinesis") mappings.push(mappingOf(eventId, type, properties, `${where}.Properties`));
    else if (type === "S3") notifications.push(bucketNotificationOf(eventId, triggerName(functionName, eventId), properties, `${where}.Properties`));
    else if (type === "SNS") notifications.push(topicNotificationOf(eventId, triggerName(functionName, eventId), properties, `${where}.Properties`));
    else schedules.push(scheduleOf(eventId, type, properties, where, functionName));
  }
  return { routes, schedules, ...(mappings.length > 0 ? { mappings } : {}), ...(notifications.length > 0 ? { notifications } : {}) };
}

function routeOf(eventId: string, type: string, properties: Record<string, Resolved>, where: string): RoutePlan {
  if (type === "Api" && (properties.Path === undefined || properties.Method === undefined)) throw new ResolveError("an Api event needs Path and Method", `${where}.Properties`);
  if (properties.PayloadFormatVersion !== undefined && text(properties.PayloadFormatVersion, `${where}.Properties.PayloadFormatVersion`) !== "2.0") {
    throw new ResolveError("Lambent's routes send the payload format 2.0 event only", `${where}.Properties.PayloadFormatVersion`);
  }
  const rawPath = properties.Path === undefined ? "$default" : text(properties.Path, `${where}.Properties.Path`);
  const rawMethod = properties.Method === undefined ? "ANY" : text(properties.Method, `${where}.Properties.Method`).toUpperCase();
  const method = rawMethod === "X-AMAZON-APIGATEWAY-ANY-METHOD" || rawMethod === "*" ? "ANY" : rawMethod;
  if (method !== "ANY" && !METHODS.has(method)) throw new ResolveError(`'${rawMethod}' is not a method: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY`, `${where}.Properties.Method`);
  return { eventId, path: routePath(rawPath, `${where}.Properties.Path`), methods: [method] };
}

/**
 * An API Gateway path as a route prefix. A route serves its prefix and everything beneath it, so `/a` and a
 * trailing `/{proxy+}` (`/a/{proxy+}`) are both the prefix `/a`; a path parameter anywhere else (`/items/{id}`)
 * is refused, as a route has no way to give it to the function as `pathParameters.id`.
 */
export function routePath(raw: string, property: string): string {
  if (raw === "$default" || raw === "/{proxy+}") return "/";
  if (!raw.startsWith("/")) throw new ResolveError(`'${raw}' must start with /`, property);
  let path = raw.replace(/\/\{proxy\+\}$/, "").replace(/\/+$/, "");
  if (path === "") path = "/";
  if (path.includes("{")) throw new ResolveError(`'${raw}': a path parameter other than a trailing {proxy+} is not supported by Lambent's routes, which match a prefix`, property);
  const segments = path.split("/").slice(1);
  if (path !== "/" && segments.some((segment) => segment === "" || segment === "." || segment === ".." || !/^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/.test(segment))) {
    throw new ResolveError(`'${raw}' has a segment a route cannot take: letters, digits and -._~!$&'()*+,;=:@ only`, property);
  }
  if (RESERVED_SEGMENT.test(segments[0] ?? "")) throw new ResolveError(`'${raw}' is one of Lambent's own paths (its API, health and metrics)`, property);
  return path;
}

function scheduleOf(eventId: string, type: string, properties: Record<string, Resolved>, where: string, functionName: string): SchedulePlan {
  const expressionKey = type === "Schedule" ? "Schedule" : "ScheduleExpression";
  if (properties[expressionKey] === undefined) throw new ResolveError(`a ${type} event needs ${expressionKey}`, `${where}.Properties`);
  const expression = text(properties[expressionKey], `${where}.Properties.${expressionKey}`);
  try {
    parseScheduleExpression(expression);
  } catch (error) {
    throw new ResolveError(error instanceof Error ? error.message : String(error), `${where}.Properties.${expressionKey}`);
  }
  const name = properties.Name === undefined ? triggerName(functionName, eventId) : text(properties.Name, `${where}.Properties.Name`);
  if (!TRIGGER_NAME.test(name)) throw new ResolveError(`'${name}' is not a trigger name: 1 to 64 letters, digits, '-' or '_'`, `${where}.Properties.Name`);
  let enabled = true;
  if (properties.Enabled !== undefined) {
    if (typeof properties.Enabled !== "boolean") throw new ResolveError("must be true or false", `${where}.Properties.Enabled`);
    enabled = properties.Enabled;
  }
  if (properties.State !== undefined) enabled = oneOf(properties.State, ["ENABLED", "DISABLED"], `${where}.Properties.State`) === "ENABLED";
  if (properties.FlexibleTimeWindow !== undefined) {
    const window = map(properties.FlexibleTimeWindow, `${where}.Properties.FlexibleTimeWindow`);
    if (window.Mode !== "OFF") throw new ResolveError("only Mode OFF is supported: Lambent fires every schedule at its time", `${where}.Properties.FlexibleTimeWindow`);
  }
  const plan: SchedulePlan = { eventId, name, expression, enabled };
  if (properties.ScheduleExpressionTimezone !== undefined) {
    const timezone = text(properties.ScheduleExpressionTimezone, `${where}.Properties.ScheduleExpressionTimezone`);
    if (!isValidTimeZone(timezone)) throw new ResolveError(`'${timezone}' is not an IANA time zone`, `${where}.Properties.ScheduleExpressionTimezone`);
    plan.timezone = timezone;
  }
  if (properties.Input !== undefined) plan.input = text(properties.Input, `${where}.Properties.Input`);
  if (properties.Description !== undefined) plan.description = text(properties.Description, `${where}.Properties.Description`);
  return plan;
}

/** `<function>-<EventId>`, cut to 64 characters with a hash to keep it unique. */
export function triggerName(functionName: string, eventId: string): string {
  const name = `${functionName}-${eventId}`;
  return name.length <= 64 ? name : `${name.slice(0, 55)}-${shortHash(name)}`;
}
