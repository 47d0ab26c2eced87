import { describe, expect, it } from "vitest";
import { natsPermissionsOf, type NatsIdentity, type SubjectPermission } from "./nats-permissions.js";
import { Subjects } from "./subjects.js";

/** NATS subject matching: `*` is one token, `>` the rest (one token or more). */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

const permits = (permission: SubjectPermission, subject: string): boolean =>
  permission.allow.some((pattern) => matches(pattern, subject)) && !permission.deny.some((pattern) => matches(pattern, subject));

const SERVICES: NatsIdentity[] = [{ role: "frontend" }, { role: "scheduler" }, { role: "worker", workerNodeId: "w1" }];

/** Every concrete subject subjects.ts spells, with a sample argument (patterns and prefixes left out). */
function concreteSubjects(): string[] {
  const skipped = new Set(["keyValuePrefix", "keyValueKeys", "objectMetaAll", "workerNodeAll"]);
  return Object.entries(Subjects)
    .filter(([name, value]) => !skipped.has(name) && !(typeof value === "string" && /[*>]/.test(value)))
    .map(([, value]) => (typeof value === "function" ? (value as (argument: string) => string)("w1.0-0") : value));
}

describe("the NATS permission table", () => {
  it("lets some service publish, and some service subscribe to, every subject Lambent spells", () => {
    for (const subject of concreteSubjects()) {
      expect(SERVICES.some((identity) => permits(natsPermissionsOf(identity).publish, subject)), `publish ${subject}`).toBe(true);
      expect(SERVICES.some((identity) => permits(natsPermissionsOf(identity).subscribe, subject)), `subscribe ${subject}`).toBe(true);
    }
  });

  it("gives only workers the worker's voice, and a worker only its own calls", () => {
    const worker = natsPermissionsOf({ role: "worker", workerNodeId: "w1" });
    for (const identity of SERVICES.slice(0, 2)) {
      expect(permits(natsPermissionsOf(identity).publish, Subjects.workerHeartbeat)).toBe(false);
      expect(permits(natsPermissionsOf(identity).subscribe, Subjects.workerInvoke("w1.0-0"))).toBe(false);
    }
    expect(permits(worker.subscribe, Subjects.workerInvoke("w1.0-0"))).toBe(true);
    expect(permits(worker.subscribe, Subjects.workerInvoke("w1"))).toBe(true);
    expect(permits(worker.subscribe, Subjects.workerInvoke("w10.0-0"))).toBe(false);
    expect(permits(worker.subscribe, Subjects.workerInvoke("w2.0-0"))).toBe(false);
    expect(permits(worker.publish, Subjects.workerRecall("w2.0-0"))).toBe(false);
    expect(permits(worker.subscribe, Subjects.schedulerInvoke("f"))).toBe(false);
  });

  it("lets only a scheduler grant a worker's lease on its kept slots", () => {
    for (const identity of [{ role: "frontend" }, { role: "worker", workerNodeId: "w2" }, { role: "worker", workerNodeId: "w1" }] as const) {
      expect(permits(natsPermissionsOf(identity).publish, Subjects.workerLease("w1.0-0")), identity.role).toBe(false);
      expect(permits(natsPermissionsOf(identity).publish, Subjects.workerLease("w1")), identity.role).toBe(false);
    }
    expect(permits(natsPermissionsOf({ role: "scheduler" }).publish, Subjects.workerLease("w1.0-0"))).toBe(true);
    expect(permits(natsPermissionsOf({ role: "worker", workerNodeId: "w1" }).subscribe, Subjects.workerLease("w1.0-0"))).toBe(true);
    expect(permits(natsPermissionsOf({ role: "scheduler" }).subscribe, Subjects.workerLease("w1.0-0"))).toBe(false);
  });
});
