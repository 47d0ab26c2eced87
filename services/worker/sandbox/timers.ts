// Timers backed by host timers. Every timer belongs to the invocation that set it: `clearAll` runs
// when an invocation ends, so nothing carries over into the next one.
import type { HostCapabilities } from "./host.js";
import { reportUncaught } from "./invocation-state.js";

type Callback = (...args: unknown[]) => void;

interface PendingTimer {
  callback: Callback;
  args: unknown[];
  repeat: boolean;
}

const MAX_DELAY = 2_147_483_647;
/** Each pending timer is a host timer too; this bounds what one invocation can make the host hold. */
const MAX_PENDING_TIMERS = 10_000;

/** What Node's timer functions return; code commonly calls `unref()` on it. */
class Timeout {
  constructor(readonly id: number, private readonly owner: Timers) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  refresh(): this {
    this.owner.refresh(this.id);
    return this;
  }
  close(): this {
    this.owner.clear(this);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

export class Timers {
  private readonly pending = new Map<number, PendingTimer & { delay: number }>();
  private nextId = 1;

  constructor(private readonly host: HostCapabilities) {}

  set(callback: unknown, delay: unknown, args: unknown[], repeat: boolean): Timeout {
    if (typeof callback !== "function") {
      throw new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`);
    }
    if (this.pending.size >= MAX_PENDING_TIMERS) {
      throw new RangeError(`Too many pending timers: an invocation may have at most ${MAX_PENDING_TIMERS}`);
    }
    const id = this.nextId++;
    let ms = Number(delay);
    if (!(ms >= 1 && ms <= MAX_DELAY)) ms = 1;
    ms = Math.trunc(ms);
    this.pending.set(id, { callback: callback as Callback, args, repeat, delay: ms });
    this.host.startTimer.applyIgnored(undefined, [id, ms, repeat ? 1 : 0]);
    return new Timeout(id, this);
  }

  clear(handle: unknown): void {
    const id = typeof handle === "number" ? handle : handle instanceof Timeout ? handle.id : undefined;
    if (id === undefined || !this.pending.delete(id)) return;
    this.host.stopTimer.applyIgnored(undefined, [id]);
  }

  refresh(id: number): void {
    const timer = this.pending.get(id);
    if (!timer) return;
    this.host.stopTimer.applyIgnored(undefined, [id]);
    this.host.startTimer.applyIgnored(undefined, [id, timer.delay, timer.repeat ? 1 : 0]);
  }

  fire(id: number): void {
    const timer = this.pending.get(id);
    if (!timer) return;
    if (!timer.repeat) this.pending.delete(id);
    try {
      timer.callback(...timer.args);
    } catch (error) {
      reportUncaught(error);
    }
  }

  /** Forgets every pending timer; the host cancels its side of them at the same moment. */
  clearAll(): void {
    this.pending.clear();
  }

  install(global: Record<string, unknown>): void {
    global["setTimeout"] = (callback: unknown, delay?: unknown, ...args: unknown[]) => this.set(callback, delay, args, false);
    global["setInterval"] = (callback: unknown, delay?: unknown, ...args: unknown[]) => this.set(callback, delay, args, true);
    global["setImmediate"] = (callback: unknown, ...args: unknown[]) => this.set(callback, 0, args, false);
    global["clearTimeout"] = (handle: unknown) => this.clear(handle);
    global["clearInterval"] = (handle: unknown) => this.clear(handle);
    global["clearImmediate"] = (handle: unknown) => this.clear(handle);
    global["queueMicrotask"] = (callback: unknown) => {
      if (typeof callback !== "function") throw new TypeError('The "callback" argument must be of type function');
      void Promise.resolve().then(() => {
        try {
          (callback as Callback)();
        } catch (error) {
          reportUncaught(error);
        }
      });
    };
  }
}
