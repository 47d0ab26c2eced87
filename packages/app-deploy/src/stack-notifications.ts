// A stack function's S3 and SNS events as Lambent's bucket and topic triggers, named `<function>-<EventId>`:
// each created, or updated in place while its source is the same (a trigger's source is fixed, so one that
// differs is deleted and created again), and the function's bucket and topic triggers named for its events
// that the template no longer lists removed. Every change is journaled before it is made.
import type { TriggerConfiguration } from "@lambent/lambda-api";
import type { FunctionPlan, NotificationPlan, TemplateProblem } from "@lambent/sam-template";
import { collectPages, getOrUndefined, type ApiClient } from "./api-client.js";
import type { HeldLock } from "./application-lock.js";
import type { TriggerSnapshot } from "./deploy-journal.js";

/** The triggers of the template's S3 and SNS events that another function already has: found before any change. */
export async function notificationConflicts(client: ApiClient, functions: readonly FunctionPlan[]): Promise<TemplateProblem[]> {
  const problems: TemplateProblem[] = [];
  for (const fn of functions) {
    for (const notification of fn.notifications ?? []) {
      const trigger = await getOrUndefined(() => client.getTrigger(notification.name));
      if (trigger !== undefined && trigger.FunctionName !== fn.functionName) {
        problems.push({ where: fn.logicalId, property: `Events.${notification.eventId}`, message: `the trigger ${notification.name} already exists for the function ${trigger.FunctionName}` });
      }
    }
  }
  return problems;
}

export async function applyNotifications(client: ApiClient, fn: FunctionPlan, lock: HeldLock): Promise<void> {
  const qualifier = fn.alias ?? "$LATEST";
  const wanted = fn.notifications ?? [];
  for (const notification of wanted) {
    const existing = await getOrUndefined(() => client.getTrigger(notification.name));
    if (existing !== undefined && sameSource(existing, notification)) {
      await lock.record({ kind: "trigger-updated", name: notification.name, before: snapshotOf(existing) });
      await client.updateTrigger(notification.name, { Enabled: true, Qualifier: qualifier, Description: "" });
      continue;
    }
    if (existing !== undefined) {
      await lock.record({ kind: "trigger-deleted", name: notification.name, before: snapshotOf(existing) });
      await client.deleteTrigger(notification.name);
    }
    await lock.record({ kind: "trigger-created", name: notification.name });
    await client.createTrigger({ Name: notification.name, FunctionName: fn.functionName, Qualifier: qualifier, Enabled: true, ...(notification.topic ? { Topic: notification.topic } : { Bucket: notification.bucket! }) });
  }
  const names = new Set(wanted.map((notification) => notification.name));
  const triggers = await collectPages((marker) => client.listTriggers({ functionName: fn.functionName, ...(marker ? { marker } : {}) }), (page) => page.Triggers);
  for (const trigger of triggers) {
    if ((trigger.Topic === undefined && trigger.Bucket === undefined) || !trigger.Name.startsWith(`${fn.functionName}-`) || names.has(trigger.Name)) continue;
    await lock.record({ kind: "trigger-deleted", name: trigger.Name, before: snapshotOf(trigger) });
    await client.deleteTrigger(trigger.Name);
  }
}

function sameSource(trigger: TriggerConfiguration, notification: NotificationPlan): boolean {
  if (notification.topic !== undefined) return trigger.Topic?.Subject === notification.topic.Subject;
  const want = notification.bucket!;
  const have = trigger.Bucket;
  return have !== undefined && have.Bucket === want.Bucket && have.Prefix === want.Prefix && have.Suffix === want.Suffix && [...have.Events].sort().join() === [...want.Events].sort().join();
}

function snapshotOf(trigger: TriggerConfiguration): TriggerSnapshot {
  const snapshot: TriggerSnapshot = { FunctionName: trigger.FunctionName, Qualifier: trigger.Qualifier, Enabled: trigger.Enabled, Description: trigger.Description };
  if (trigger.Schedule !== undefined) snapshot.Schedule = trigger.Schedule;
  if (trigger.Topic !== undefined) snapshot.Topic = trigger.Topic;
  if (trigger.Bucket !== undefined) snapshot.Bucket = trigger.Bucket;
  return snapshot;
}
