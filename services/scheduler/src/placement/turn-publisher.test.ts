import { describe, expect, it } from "vitest";
import { TurnPublisher } from "./turn-publisher.js";

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("TurnPublisher", () => {
  it("sends what was published in a turn at its end, in order, with its options", async () => {
    const sent: string[] = [];
    const publisher = new TurnPublisher((subject, _data, options) => sent.push(`${subject}:${options?.reply ?? ""}`), () => undefined);
    publisher.publish("a", new Uint8Array([1]), { reply: "r" });
    publisher.publish("b", new Uint8Array([2]));
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toEqual(["a:r", "b:"]);
    publisher.publish("c", new Uint8Array([3]));
    await turn();
    expect(sent).toEqual(["a:r", "b:", "c:"]);
  });

  it("reports a publish that fails and sends the rest", async () => {
    const sent: string[] = [];
    const failed: string[] = [];
    const publisher = new TurnPublisher(
      (subject) => {
        if (subject === "bad") throw new Error("connection closed");
        sent.push(subject);
      },
      (_error, subject) => failed.push(subject),
    );
    publisher.publish("bad", new Uint8Array());
    publisher.publish("good", new Uint8Array());
    await turn();
    expect(failed).toEqual(["bad"]);
    expect(sent).toEqual(["good"]);
  });
});
