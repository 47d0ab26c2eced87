// `async_hooks`: AsyncLocalStorage as far as it can go without V8's promise hooks, which an isolate does
// not expose. An environment runs one invocation at a time (Lambda's model), so a store set by `run`
// holds while its callback runs and, when the callback returns a promise, until that promise settles:
// code awaited inside `run` (timers, callbacks, emitters included) sees the store. What it cannot keep
// apart is two `run`s racing inside one invocation; both then see the one entered last.

type Callback<R> = (...args: unknown[]) => R;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

export class AsyncLocalStorage<T> {
  #store: T | undefined;

  static bind<F>(fn: F): F {
    return fn;
  }

  static snapshot(): <R>(fn: Callback<R>, ...args: unknown[]) => R {
    return (fn, ...args) => fn(...args);
  }

  getStore(): T | undefined {
    return this.#store;
  }

  enterWith(store: T): void {
    this.#store = store;
  }

  disable(): void {
    this.#store = undefined;
  }

  run<R>(store: T, fn: Callback<R>, ...args: unknown[]): R {
    return this.#within(store, fn, args);
  }

  exit<R>(fn: Callback<R>, ...args: unknown[]): R {
    return this.#within(undefined, fn, args);
  }

  #within<R>(store: T | undefined, fn: Callback<R>, args: unknown[]): R {
    const previous = this.#store;
    this.#store = store;
    const restore = (): void => {
      if (this.#store === store) this.#store = previous;
    };
    let result: R;
    try {
      result = fn(...args);
    } catch (error) {
      restore();
      throw error;
    }
    if (isThenable(result)) result.then(restore, restore);
    else restore();
    return result;
  }
}

let nextAsyncId = 2;

export class AsyncResource {
  readonly type: string;
  readonly #asyncId = nextAsyncId++;

  constructor(type: string) {
    this.type = String(type);
  }

  static bind<F extends (...args: unknown[]) => unknown>(fn: F): F {
    return fn;
  }

  bind<F extends (...args: unknown[]) => unknown>(fn: F): F {
    return fn;
  }

  runInAsyncScope<R>(fn: (...args: unknown[]) => R, thisArg?: unknown, ...args: unknown[]): R {
    return fn.apply(thisArg, args);
  }

  emitDestroy(): this {
    return this;
  }

  asyncId(): number {
    return this.#asyncId;
  }

  triggerAsyncId(): number {
    return 1;
  }
}

export function createAsyncHooks(): Record<string, unknown> {
  const hook = { enable: () => hook, disable: () => hook };
  return {
    AsyncLocalStorage,
    AsyncResource,
    // Hooks never fire: the isolate does not report async resources being made or run.
    createHook: () => hook,
    executionAsyncId: () => 1,
    triggerAsyncId: () => 0,
    executionAsyncResource: () => ({}),
  };
}
