// The warm path: synchronous calls straight to workers that keep warm environments and slots for them.
export { WarmCaller, type WarmCallerOptions, type WarmCallOptions } from "./warm-caller.js";
