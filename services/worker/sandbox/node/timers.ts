// `timers` and `timers/promises`: the global timer functions, and their promise forms.

import { unref } from "../timers.js";

type TimerFunction = (callback: () => void, delay?: number) => unknown;
/** What the promise forms take: an AbortSignal, and `ref: false` for a wait that keeps no event loop alive. */
interface TimerOptions {
  signal?: never;
  ref?: boolean;
}

export function createTimers(): { timers: Record<string, unknown>; promises: Record<string, unknown> } {
  const global = globalThis as unknown as Record<string, unknown>;
  const abortable = <T>(options: TimerOptions, start: (resolve: (value: T) => void) => unknown, stop: (handle: unknown) => void): Promise<T> =>
    new Promise((resolve, reject) => {
      const signal = options.signal as { aborted?: boolean; reason?: unknown; addEventListener?: (type: string, fn: () => void) => void } | undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const handle = start(resolve);
      if (options.ref === false) unref(handle);
      signal?.addEventListener?.("abort", () => {
        stop(handle);
        reject(signal.reason);
      });
    });
  const promises = {
    setTimeout: <T>(delay?: number, value?: T, options: TimerOptions = {}) =>
      abortable<T | undefined>(options, (resolve) => (global["setTimeout"] as TimerFunction)(() => resolve(value), delay), global["clearTimeout"] as (handle: unknown) => void),
    setImmediate: <T>(value?: T, options: TimerOptions = {}) =>
      abortable<T | undefined>(options, (resolve) => (global["setImmediate"] as TimerFunction)(() => resolve(value)), global["clearImmediate"] as (handle: unknown) => void),
    scheduler: {
      wait: (delay: number) => new Promise((resolve) => (global["setTimeout"] as TimerFunction)(() => resolve(undefined), delay)),
      yield: () => new Promise((resolve) => (global["setImmediate"] as TimerFunction)(() => resolve(undefined))),
    },
  };
  const timers: Record<string, unknown> = { promises };
  for (const name of ["setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate"]) timers[name] = global[name];
  return { timers, promises };
}
