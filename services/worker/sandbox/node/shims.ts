// What the bundled packages import under Node's names, answered by the sandbox's own pieces: the
// build script points `process/` and `abort-controller` here.
export const process = (globalThis as unknown as { process: unknown }).process;
export const nextTick = (callback: (...args: unknown[]) => void, ...args: unknown[]): void =>
  (globalThis as unknown as { process: { nextTick(cb: unknown, ...a: unknown[]): void } }).process.nextTick(callback, ...args);
export { AbortController, AbortSignal } from "../web/event-target.js";
