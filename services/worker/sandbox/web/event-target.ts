// DOMException, Event, EventTarget, AbortController and AbortSignal, enough for fetch cancellation and
// for libraries that listen for `abort`.

const DOM_CODES: Record<string, number> = { AbortError: 20, TimeoutError: 23, DataCloneError: 25, InvalidCharacterError: 5, NotSupportedError: 9, SyntaxError: 12 };

export class DOMException extends Error {
  readonly code: number;
  constructor(message = "", name = "Error") {
    super(message);
    Object.defineProperty(this, "name", { value: name, configurable: true, writable: true });
    this.code = DOM_CODES[name] ?? 0;
  }
}

export class Event {
  readonly type: string;
  readonly bubbles: boolean;
  readonly cancelable: boolean;
  readonly timeStamp = Date.now();
  defaultPrevented = false;
  target: EventTarget | null = null;
  currentTarget: EventTarget | null = null;
  /** @internal */ stopped = false;

  constructor(type: string, init: { bubbles?: boolean; cancelable?: boolean } = {}) {
    if (arguments.length === 0) throw new TypeError('The "type" argument must be specified');
    this.type = String(type);
    this.bubbles = init.bubbles === true;
    this.cancelable = init.cancelable === true;
  }
  preventDefault(): void {
    if (this.cancelable) this.defaultPrevented = true;
  }
  stopImmediatePropagation(): void {
    this.stopped = true;
  }
  stopPropagation(): void {}
}

type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

interface Registration {
  listener: Listener;
  once: boolean;
}

export class EventTarget {
  private readonly listeners = new Map<string, Registration[]>();

  addEventListener(type: string, listener: Listener | null, options?: boolean | { once?: boolean; signal?: AbortSignal }): void {
    if (!listener) return;
    const list = this.listeners.get(type) ?? [];
    if (list.some((entry) => entry.listener === listener)) return;
    const once = typeof options === "object" && options.once === true;
    const signal = typeof options === "object" ? options.signal : undefined;
    if (signal?.aborted) return;
    list.push({ listener, once });
    this.listeners.set(type, list);
    signal?.addEventListener("abort", () => this.removeEventListener(type, listener), { once: true });
  }

  removeEventListener(type: string, listener: Listener | null): void {
    const list = this.listeners.get(type);
    if (!list) return;
    const index = list.findIndex((entry) => entry.listener === listener);
    if (index >= 0) list.splice(index, 1);
  }

  dispatchEvent(event: Event): boolean {
    event.target = this;
    event.currentTarget = this;
    const handler = (this as unknown as Record<string, unknown>)[`on${event.type}`];
    const list = [...(this.listeners.get(event.type) ?? [])];
    if (typeof handler === "function") list.unshift({ listener: handler as Listener, once: false });
    for (const entry of list) {
      if (entry.once) this.removeEventListener(event.type, entry.listener);
      try {
        if (typeof entry.listener === "function") entry.listener.call(this, event);
        else entry.listener.handleEvent(event);
      } catch (error) {
        // A listener's exception does not stop the others, as in Node; it surfaces as an uncaught error.
        queueMicrotask(() => {
          throw error;
        });
      }
      if (event.stopped) break;
    }
    return !event.defaultPrevented;
  }
}

export class AbortSignal extends EventTarget {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((event: Event) => void) | null = null;

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  static abort(reason?: unknown): AbortSignal {
    const signal = new AbortSignal();
    signalAbort(signal, reason ?? new DOMException("This operation was aborted", "AbortError"));
    return signal;
  }

  static timeout(ms: number): AbortSignal {
    const signal = new AbortSignal();
    setTimeout(() => signalAbort(signal, new DOMException("The operation was aborted due to timeout", "TimeoutError")), ms);
    return signal;
  }

  static any(signals: Iterable<AbortSignal>): AbortSignal {
    const combined = new AbortSignal();
    for (const signal of signals) {
      if (signal.aborted) {
        signalAbort(combined, signal.reason);
        return combined;
      }
      signal.addEventListener("abort", () => signalAbort(combined, signal.reason), { once: true });
    }
    return combined;
  }
}

function signalAbort(signal: AbortSignal, reason: unknown): void {
  if (signal.aborted) return;
  signal.aborted = true;
  signal.reason = reason;
  signal.dispatchEvent(new Event("abort"));
}

export class AbortController {
  readonly signal = new AbortSignal();
  abort(reason?: unknown): void {
    signalAbort(this.signal, reason ?? new DOMException("This operation was aborted", "AbortError"));
  }
}
