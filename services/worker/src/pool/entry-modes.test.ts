import { describe, expect, it } from "vitest";
import { DEMOTE_INLINE_MS, EntryHistory, EntryModes, PROMOTE_AFTER_QUICK_CALLS, QUICK_CALL_CPU_MS } from "./entry-modes.js";

describe("entry modes", () => {
  it("starts threaded and goes inline after quick calls in a row", () => {
    const history = new EntryHistory("fn:1:r", new EntryModes());
    expect(history.next()).toBe("threaded");
    for (let i = 1; i < PROMOTE_AFTER_QUICK_CALLS; i++) {
      history.threadedStart(QUICK_CALL_CPU_MS / 2);
      expect(history.next()).toBe("threaded");
    }
    history.threadedStart(QUICK_CALL_CPU_MS / 2);
    expect(history.next()).toBe("inline");
  });

  it("counts only an unbroken run of quick calls", () => {
    const history = new EntryHistory("fn:1:r", new EntryModes());
    history.threadedStart(0);
    history.threadedStart(QUICK_CALL_CPU_MS * 5);
    for (let i = 1; i < PROMOTE_AFTER_QUICK_CALLS; i++) history.threadedStart(0);
    expect(history.next()).toBe("threaded");
  });

  it("goes back to threaded after a slow inline call, and keeps a version threaded once it overran", () => {
    const modes = new EntryModes();
    const history = new EntryHistory("fn:1:r", modes);
    for (let i = 0; i < PROMOTE_AFTER_QUICK_CALLS; i++) history.threadedStart(0);
    history.inlineStart(DEMOTE_INLINE_MS / 2);
    expect(history.next()).toBe("inline");
    history.inlineStart(DEMOTE_INLINE_MS * 2);
    expect(history.next()).toBe("threaded");

    for (let i = 0; i < PROMOTE_AFTER_QUICK_CALLS; i++) history.threadedStart(0);
    history.overran();
    const another = new EntryHistory("fn:1:r", modes);
    for (let i = 0; i < PROMOTE_AFTER_QUICK_CALLS * 3; i++) another.threadedStart(0);
    expect(another.next()).toBe("threaded");
    expect(modes.allowsInline("fn:2:r")).toBe(true);
  });
});
