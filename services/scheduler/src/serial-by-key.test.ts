// SerialByKey: one key's work runs in order, one piece at a time; other keys are not held back; a failure
// is reported and does not stop the key's later work.
import { describe, expect, it } from "vitest";
import { SerialByKey } from "./serial-by-key.js";

/** A promise with its resolve, to hold a piece of work until the test lets it finish. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("SerialByKey", () => {
  it("runs one key's work in order and other keys' at once", async () => {
    const errors: string[] = [];
    const serial = new SerialByKey((key, error) => errors.push(`${key}: ${String(error)}`));
    const log: string[] = [];
    const first = gate();
    void serial.run("a", async () => {
      log.push("a1 start");
      await first.opened;
      log.push("a1 end");
    });
    void serial.run("a", async () => {
      log.push("a2");
    });
    await serial.run("b", async () => {
      log.push("b1");
    });
    expect(log).toEqual(["a1 start", "b1"]);
    first.open();
    await serial.settled();
    expect(log).toEqual(["a1 start", "b1", "a1 end", "a2"]);
    expect(errors).toEqual([]);
  });

  it("reports a failure and goes on with the key's next work", async () => {
    const errors: string[] = [];
    const serial = new SerialByKey((key, error) => errors.push(`${key}: ${(error as Error).message}`));
    const ran: string[] = [];
    void serial.run("k", async () => {
      throw new Error("boom");
    });
    await serial.run("k", async () => {
      ran.push("after");
    });
    expect(errors).toEqual(["k: boom"]);
    expect(ran).toEqual(["after"]);
  });
});
