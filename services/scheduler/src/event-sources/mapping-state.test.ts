// Progress is written by compare-and-set: once another scheduler claims a mapping, the one it replaced
// cannot write over its progress.
import { describe, expect, it } from "vitest";
import type { EventSourceMapping, EventSourceMappingState, EventSourceMappingStore } from "@lambent/registry/event-sources";
import { createLogger } from "@lambent/telemetry";
import { MappingStateWriter, StateLostError } from "./mapping-state.js";

/** The state key of one mapping, as KV keeps it: a value and a revision. */
function fakeStore(initial: EventSourceMappingState) {
  let current = { state: initial, revision: 1 };
  const store = {
    getState: async () => ({ ...current }),
    writeState: async (_uuid: string, state: EventSourceMappingState, revision: number) => {
      if (revision !== current.revision) return undefined;
      current = { state, revision: revision + 1 };
      return current.revision;
    },
  };
  return { store: store as unknown as EventSourceMappingStore, read: () => current.state };
}

const mapping = { uuid: "u", revisionId: "rev-1", enabled: true } as EventSourceMapping;
const logger = createLogger({ service: "test", level: "error", write: () => undefined });

describe("MappingStateWriter", () => {
  it("claims the state, records the configuration applied, and writes changes in order", async () => {
    const { store, read } = fakeStore({ lastProcessingResult: "No records processed", position: 5 });
    const writer = new MappingStateWriter(store, "u", "scheduler-a/1", logger);
    expect(await writer.claim(mapping)).toMatchObject({ position: 5, applied: { revisionId: "rev-1", enabled: true }, owner: "scheduler-a/1" });
    await Promise.all([writer.update((state) => ({ ...state, position: 6 })), writer.update((state) => ({ ...state, position: (state.position ?? 0) + 1 }))]);
    expect(read().position).toBe(7);
  });

  it("fails every write once another scheduler has claimed the mapping", async () => {
    const { store, read } = fakeStore({ lastProcessingResult: "OK", position: 1 });
    const deposed = new MappingStateWriter(store, "u", "scheduler-a/1", logger);
    await deposed.claim(mapping);
    const leader = new MappingStateWriter(store, "u", "scheduler-b/2", logger);
    await leader.claim(mapping);
    await leader.update((state) => ({ ...state, position: 10 }));
    await expect(deposed.update((state) => ({ ...state, position: 3 }))).rejects.toBeInstanceOf(StateLostError);
    expect(deposed.isLost).toBe(true);
    expect(read()).toMatchObject({ position: 10, owner: "scheduler-b/2" });
  });
});
