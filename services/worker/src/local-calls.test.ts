// The worker's Unix socket names: two clusters on one machine reuse worker ids and the run directory,
// so each socket gets a name of its own, a live one is never taken over, and a dead one (its process
// killed) is swept when a worker of that id listens again.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "@lambent/telemetry";
import type { CallIntake } from "./call-intake.js";
import { LocalCalls, localSocketPath } from "./local-calls.js";

const logger = createLogger({ service: "worker-test", level: "error", write: () => undefined });
const intake = { take: () => undefined } as unknown as CallIntake;

let runDir: string;
const open: LocalCalls[] = [];

beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), "lambent-local-calls-"));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((local) => local.close()));
  await rm(runDir, { recursive: true, force: true });
});

async function listen(workerId: string): Promise<LocalCalls> {
  const local = new LocalCalls(localSocketPath(runDir, workerId), intake, logger, workerId);
  await local.listen();
  open.push(local);
  return local;
}

function connects(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("the worker's local socket", () => {
  it("has a name of its own, so a second cluster's worker of the same id leaves the first one's socket alone", async () => {
    const first = await listen("worker-0.0-0");
    const second = await listen("worker-0.0-0");
    expect(second.path).not.toBe(first.path);
    expect(await connects(first.path)).toBe(true);
    expect(await connects(second.path)).toBe(true);
  });

  it("sweeps a socket of its id that nothing listens on, and keeps other ids' files", async () => {
    const dead = join(runDir, "worker-1.0-0.0badc0de.sock");
    const otherWorker = join(runDir, "worker-2.0-0.0badc0de.sock");
    await writeFile(dead, "");
    await writeFile(otherWorker, "");
    const local = await listen("worker-1.0-0");
    const names = await readdir(runDir);
    expect(names).not.toContain("worker-1.0-0.0badc0de.sock");
    expect(names).toContain("worker-2.0-0.0badc0de.sock");
    expect(names).toContain(local.path.slice(runDir.length + 1));
  });
});
