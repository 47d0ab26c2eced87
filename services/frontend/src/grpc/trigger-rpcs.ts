// CreateTrigger, GetTrigger, ListTriggers, UpdateTrigger and DeleteTrigger over the API's trigger calls:
// the gRPC twins of the REST routes in http/trigger-routes.ts. Requests become the same Lambda-shaped
// bodies, so both faces accept and refuse the same things.
import type { TriggerConfiguration } from "@lambent/lambda-api";
import type * as proto from "@lambent/proto";
import type { FrontendApi } from "../api.js";
import { triggersOf } from "../control-plane/triggers.js";
import type { LambdaRpcHandlers } from "./lambda-methods.js";

type TriggerRpcs = Pick<LambdaRpcHandlers, "createTrigger" | "getTrigger" | "listTriggers" | "updateTrigger" | "deleteTrigger">;

export function triggerRpcs(api: FrontendApi): TriggerRpcs {
  return {
    async createTrigger(request) {
      return { trigger: toProtoTrigger(await triggersOf(api).create(createBody(request))) };
    },
    async getTrigger(request) {
      return { trigger: toProtoTrigger(await triggersOf(api).get(request.name)) };
    },
    async listTriggers(request) {
      const response = await triggersOf(api).list(request.functionName || undefined, {
        marker: request.marker || undefined,
        maxItems: request.maxItems === 0 ? undefined : request.maxItems,
      });
      return { triggers: response.Triggers.map(toProtoTrigger), nextMarker: response.NextMarker ?? "" };
    },
    async updateTrigger(request) {
      return { trigger: toProtoTrigger(await triggersOf(api).update(request.name, updateBody(request))) };
    },
    async deleteTrigger(request) {
      await triggersOf(api).delete(request.name);
      return {};
    },
  };
}

function createBody(request: proto.CreateTriggerRequest): Record<string, unknown> {
  const { schedule, topic, bucket, keyValue } = request;
  return {
    Name: request.name,
    FunctionName: request.functionName,
    Qualifier: request.qualifier || undefined,
    Enabled: request.enabled,
    Description: request.description || undefined,
    Schedule: schedule && { Expression: schedule.expression, Timezone: schedule.timezone || undefined, Input: schedule.input || undefined },
    Topic: topic && { Subject: topic.subject },
    Bucket: bucket && {
      Bucket: bucket.bucket,
      Events: bucket.events.length === 0 ? undefined : bucket.events,
      Prefix: bucket.prefix || undefined,
      Suffix: bucket.suffix || undefined,
    },
    KeyValue: keyValue && { Bucket: keyValue.bucket, Keys: keyValue.keys || undefined },
  };
}

function updateBody(request: proto.UpdateTriggerRequest): Record<string, unknown> {
  const { schedule } = request;
  return {
    Enabled: request.enabled,
    Qualifier: request.qualifier,
    Description: request.description,
    Schedule: schedule && { Expression: schedule.expression, Timezone: schedule.timezone, Input: schedule.input },
  };
}

function toProtoTrigger(trigger: TriggerConfiguration): proto.Trigger {
  return {
    name: trigger.Name,
    functionName: trigger.FunctionName,
    functionArn: trigger.FunctionArn,
    qualifier: trigger.Qualifier,
    enabled: trigger.Enabled,
    description: trigger.Description,
    createdAt: trigger.CreatedAt,
    lastModified: trigger.LastModified,
    schedule: trigger.Schedule && { expression: trigger.Schedule.Expression, timezone: trigger.Schedule.Timezone, input: trigger.Schedule.Input ?? "" },
    topic: trigger.Topic && { subject: trigger.Topic.Subject },
    bucket: trigger.Bucket && { bucket: trigger.Bucket.Bucket, events: trigger.Bucket.Events, prefix: trigger.Bucket.Prefix ?? "", suffix: trigger.Bucket.Suffix ?? "" },
    keyValue: trigger.KeyValue && { bucket: trigger.KeyValue.Bucket, keys: trigger.KeyValue.Keys ?? "" },
    nextFireTime: trigger.NextFireTime ?? "",
    lastFireTime: trigger.LastFireTime ?? "",
  };
}
