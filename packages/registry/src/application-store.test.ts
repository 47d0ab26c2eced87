// ApplicationStore over a real nats-server: the lock taken by exactly one of two actors, taken over once
// abandoned with its journal handed on, held only by its id; revisions numbered in order.
import { describe, expect, it } from "vitest";
import { useFunctionsBucket } from "./testing/functions-bucket.js";
import { ApplicationStore, openApplicationBucket, type ApplicationLock } from "./application-store.js";

const bucket = useFunctionsBucket("application-store-test");
const store = async (): Promise<ApplicationStore> => new ApplicationStore(await openApplicationBucket(bucket.nc));

function lock(lockId: string, expiresAt: number, journal: Record<string, unknown> = {}): ApplicationLock {
  return { lockId, owner: `owner-${lockId}`, acquiredAt: 0, expiresAt, journal };
}

describe("ApplicationStore", () => {
  it("gives the lock to one of two actors taking it at once, and refuses the other naming the holder", async () => {
    const applications = await store();
    const [a, b] = await Promise.all([applications.acquireLock("race", lock("a", 2_000), 1_000), applications.acquireLock("race", lock("b", 2_000), 1_000)]);
    const winners = [a, b].filter((outcome) => "acquired" in outcome);
    expect(winners).toHaveLength(1);
    const loser = [a, b].find((outcome) => "heldBy" in outcome);
    expect(loser && "heldBy" in loser ? loser.heldBy.lockId : undefined).toBe(winners[0] && "acquired" in winners[0] ? winners[0].acquired.lockId : "none");
  });

  it("hands an abandoned lock's journal to the actor that takes it over, and keeps the lock from its old holder", async () => {
    const applications = await store();
    await applications.acquireLock("stale", lock("old", 2_000), 1_000);
    expect(await applications.updateLock("stale", "old", (held) => ({ ...held, journal: { steps: [{ kind: "function-created" }] } }))).toBeDefined();
    const taken = await applications.acquireLock("stale", lock("new", 9_000), 3_000);
    expect(taken).toMatchObject({ acquired: { lockId: "new" }, abandoned: { lockId: "old", journal: { steps: [{ kind: "function-created" }] } } });
    expect(await applications.updateLock("stale", "old", (held) => held)).toBeUndefined();
    expect(await applications.releaseLock("stale", "old")).toBe(false);
    expect(await applications.releaseLock("stale", "new")).toBe(true);
    expect(await applications.lock("stale")).toBeUndefined();
    expect(await applications.acquireLock("stale", lock("again", 9_000), 3_000)).toEqual({ acquired: lock("again", 9_000) });
  });

  it("numbers revisions in order, lists them oldest first, and forgets them", async () => {
    const applications = await store();
    for (const label of ["one", "two", "three"]) await applications.addRevision("numbered", { label }, 5);
    expect((await applications.head("numbered"))?.currentRevision).toBe(3);
    expect((await applications.revisions("numbered")).map((revision) => [revision.revision, revision.document.label])).toEqual([
      [1, "one"],
      [2, "two"],
      [3, "three"],
    ]);
    expect((await applications.revision("numbered", 2))?.document).toEqual({ label: "two" });
    expect((await applications.heads()).map((head) => head.stackName)).toContain("numbered");
    await applications.forget("numbered");
    expect(await applications.head("numbered")).toBeUndefined();
    expect(await applications.revisions("numbered")).toEqual([]);
  });
});
