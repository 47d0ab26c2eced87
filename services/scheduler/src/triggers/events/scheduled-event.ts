// What a schedule trigger sends: EventBridge's "Scheduled Event", or the trigger's constant input in its
// place (EventBridge's `Input`).
import type { ArnScope } from "@lambent/registry/functions";
import type { ScheduleSource } from "@lambent/registry/triggers";

export interface ScheduledEvent {
  version: "0";
  id: string;
  "detail-type": "Scheduled Event";
  source: "aws.events";
  account: string;
  /** The tick, ISO 8601 to the second, as EventBridge writes it. */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, never>;
}

/** The rule ARN EventBridge would name in `resources`. */
export function scheduleRuleArn(scope: ArnScope, triggerName: string): string {
  return `arn:aws:events:${scope.region}:${scope.accountId}:rule/${triggerName}`;
}

export function scheduledEvent(scope: ArnScope, triggerName: string, tick: number, id: string): ScheduledEvent {
  return {
    version: "0",
    id,
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: scope.accountId,
    time: isoSeconds(tick),
    region: scope.region,
    resources: [scheduleRuleArn(scope, triggerName)],
    detail: {},
  };
}

const encoder = new TextEncoder();

/** The payload of one tick: the constant input as given, or the scheduled event. */
export function schedulePayload(source: ScheduleSource, scope: ArnScope, triggerName: string, tick: number, id: string): Uint8Array {
  return encoder.encode(source.input ?? JSON.stringify(scheduledEvent(scope, triggerName, tick, id)));
}

/** ISO 8601 without milliseconds: `2024-01-01T00:00:00Z`. */
export function isoSeconds(time: number): string {
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
