// The schedule trigger's payload: EventBridge's scheduled event, or the constant input in its place.
import { describe, expect, it } from "vitest";
import { isoSeconds, schedulePayload, scheduledEvent } from "./scheduled-event.js";

const scope = { region: "eu-west-1", accountId: "123456789012" };

describe("scheduled events", () => {
  it("are EventBridge's Scheduled Event, with the tick as time to the second", () => {
    expect(scheduledEvent(scope, "nightly", Date.parse("2024-03-10T02:00:00.000Z"), "a1b2")).toEqual({
      version: "0",
      id: "a1b2",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2024-03-10T02:00:00Z",
      region: "eu-west-1",
      resources: ["arn:aws:events:eu-west-1:123456789012:rule/nightly"],
      detail: {},
    });
    expect(isoSeconds(Date.parse("2024-03-10T02:00:07.999Z"))).toBe("2024-03-10T02:00:07Z");
  });

  it("give way to the trigger's input, sent as it is", () => {
    const source = { type: "schedule" as const, expression: "rate(1 minute)", timezone: "UTC", start: 0 };
    const tick = Date.parse("2024-03-10T02:00:00Z");
    expect(JSON.parse(new TextDecoder().decode(schedulePayload(source, scope, "t", tick, "id")))).toMatchObject({ time: "2024-03-10T02:00:00Z" });
    const input = '{ "report": "daily",  "n": 1 }';
    expect(new TextDecoder().decode(schedulePayload({ ...source, input }, scope, "t", tick, "id"))).toBe(input);
  });
});
