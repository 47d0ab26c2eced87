// `timers` and `timers/promises`: the global timer functions, and their promise forms.

type TimerFunction = (callback: () => void, delay?: number) => unknown;

export function createTimers(): { timers: Record<string, unknown>; promises: Record<string, unknown> } {
  const global = globalThis as unknown as Record<string, unknown>;
  const abortable = <T>(signal: { aborted?: boolean; reason?: unknown; addEventListener?: (type: string, fn: () => void) => void } | undefined, start: (resolve: (value: T) => void) => unknown, stop: (handle: unknown) => void): Promise<T> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const handle = start(resolve);
      signal?.addEventListener?.("abort", () => {
        stop(handle);
        reject(signal.reason);
      });
    });
  const promises = {
    setTimeout: <T>(delay?: number, value?: T, options: { signal?: never } = {}) =>
      abortable<T | undefined>(options.signal, (resolve) => (global["setTimeout"] as TimerFunction)(() => resolve(value), delay), global["clearTimeout"] as (handle: unknown) => void),
    setImmediate: <T>(value?: T, options: { signal?: never } = {}) =>
      abortable<T | undefined>(options.signal, (resolve) => (global["setImmediate"] as TimerFunction)(() => resolve(value)), global["clearImmediate"] as (handle: unknown) => void),
    scheduler: {
      wait: (delay: number) => new Promise((resolve) => (global["setTimeout"] as TimerFunction)(() => resolve(undefined), delay)),
      yield: () => new Promise((resolve) => (global["setImmediate"] as TimerFunction)(() => resolve(undefined))),
    },
  };
  const timers: Record<string, unknown> = { promises };
  for (const name of ["setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate"]) timers[name] = global[name];
  return { timers, promises };
}
