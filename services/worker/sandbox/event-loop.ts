// Whether the running call's event loop is empty: nothing is pending that would enter the isolate again.
// Referenced timers (intervals among them), fetches, function calls, and sockets and name lookups keep it
// alive, as their handles keep Node's loop alive; unreferenced timers and sockets do not. A callback-style
// handler's answer waits for this (runtime.ts), as Lambda's runtime waits for Node's `beforeExit`.
import type { Timers } from "./timers.js";
import { fetchesPending } from "./web/fetch.js";
import { callsPending } from "./lambent/functions.js";
import { socketsPending } from "./node/net.js";

export function loopIsEmpty(timers: Timers): boolean {
  return !timers.pending() && !fetchesPending() && !callsPending() && !socketsPending();
}
