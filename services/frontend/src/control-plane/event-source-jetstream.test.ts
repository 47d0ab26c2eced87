// Subject filters as JetStream matches them, for refusing an on-failure destination a stream captures itself.
import { describe, expect, it } from "vitest";
import { subjectMatches } from "./event-source-jetstream.js";

describe("subjectMatches", () => {
  it("matches literal tokens, '*' for one token and '>' for one or more", () => {
    expect(subjectMatches("orders.new", "orders.new")).toBe(true);
    expect(subjectMatches("orders.*", "orders.new")).toBe(true);
    expect(subjectMatches("orders.*", "orders.new.eu")).toBe(false);
    expect(subjectMatches("orders.>", "orders.new.eu")).toBe(true);
    expect(subjectMatches("orders.>", "orders")).toBe(false);
    expect(subjectMatches(">", "anything.at.all")).toBe(true);
    expect(subjectMatches("orders.new", "orders")).toBe(false);
    expect(subjectMatches("*.failed", "sensors.failed")).toBe(true);
  });
});
