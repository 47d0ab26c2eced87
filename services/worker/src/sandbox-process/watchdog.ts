// The watchdog thread of a sandbox process (see inline-watch.ts): when the main thread has been inside
// one inline entry far longer than any entry may take, the isolate it entered has stopped it (a fatal
// out-of-memory error). The watchdog names the call to the supervisor and ends the process, so the
// supervisor can start a fresh one and fail that call as the function's own error.
import { workerData } from "node:worker_threads";
import { HEADER_BYTES, LENGTH_INDEX, STATE_INDEX, TEXT_BYTES } from "./inline-watch.js";
import { sendReport } from "./report-channel.js";

const { memory, hungAfterMs } = workerData as { memory: SharedArrayBuffer; hungAfterMs: number };
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
