// The watchdog thread of a sandbox process. It watches two things the main thread cannot watch itself:
// - the inline entry (see inline-watch.ts): when the main thread has been inside one far longer than any
//   entry may take, the isolate it entered has stopped it (a fatal out-of-memory error); the watchdog
//   names the call to the supervisor and ends the process;
// - the memory wall (see memory-wall.ts): when the process's resident memory, less functions' /tmp, is
//   above its limit, it asks the main thread to name the culprit and end the process; if the main thread
//   has not done so within WALL_GRACE_MS, the watchdog ends it without a name.
// Either way the supervisor starts a fresh process and fails the named call as the function's own error.
import { parentPort, workerData } from "node:worker_threads";
import { HEADER_BYTES, LENGTH_INDEX, STATE_INDEX, TEXT_BYTES, type OverMemory } from "./inline-watch.js";
import type { WallSettings } from "./memory-wall.js";
import { sendReport } from "./report-channel.js";

/** How often the resident memory is read: reading it costs a few microseconds. */
const WALL_POLL_MS = 100;
/** How long the main thread has to name the culprit once the wall is crossed. */
const WALL_GRACE_MS = 1_000;
const MB = 1024 * 1024;

const { memory, hungAfterMs, wall } = workerData as { memory: SharedArrayBuffer; hungAfterMs: number; wall?: WallSettings };
const flags = new Int32Array(memory, 0, 2);
const startedAt = new Float64Array(memory, 8, 1);
const text = new Uint8Array(memory, HEADER_BYTES, TEXT_BYTES);
const decoder = new TextDecoder();

setInterval(() => {
  if (Atomics.load(flags, STATE_INDEX) !== 1) return;
  const started = startedAt[0] ?? Date.now();
  if (Date.now() - started < hungAfterMs) return;
  const length = Atomics.load(flags, LENGTH_INDEX);
  const [requestId = "", functionName = "", version = ""] = decoder.decode(text.slice(0, length)).split("\n");
  sendReport({ kind: "hung", culprit: { requestId, functionName, version } });
  process.kill(process.pid, "SIGKILL");
}, Math.max(50, Math.floor(hungAfterMs / 4)));

if (wall) {
  const exempt = new BigInt64Array(wall.exempt);
  let crossedAt: number | undefined;
  let message = "";
  setInterval(() => {
    if (crossedAt !== undefined) {
      if (Date.now() - crossedAt < WALL_GRACE_MS) return;
      sendReport({ kind: "out-of-memory", message });
      process.kill(process.pid, "SIGKILL");
      return;
    }
    const residentBytes = process.memoryUsage.rss();
    const tmpBytes = Number(Atomics.load(exempt, 0));
    const countedBytes = residentBytes - tmpBytes;
    if (countedBytes <= wall.limitBytes) return;
    crossedAt = Date.now();
    message = `the sandbox process held ${Math.round(countedBytes / MB)} MB besides /tmp, over its limit of ${Math.round(wall.limitBytes / MB)} MB`;
    parentPort?.postMessage({ type: "over-memory", message, residentBytes, tmpBytes } satisfies OverMemory);
  }, WALL_POLL_MS);
}
