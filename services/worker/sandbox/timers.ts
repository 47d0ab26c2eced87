// Timers, kept entirely in the sandbox: the host holds one wake-up per environment (the earliest due
// time, handed over in the outbox) and enters `fire` when it comes, so a function's timers cost the host
// nothing however many it sets. Every timer belongs to the invocation that set it: `clearAll` runs when an
// invocation ends, so nothing carries over into the next one. A timer keeps the event loop alive
// (event-loop.ts) until it is unref'd, as in Node.
import { reportUncaught } from "./invocation-state.js";
import { setWake } from "./outbox.js";

type Callback = (...args: unknown[]) => void;

interface PendingTimer {
  id: number;
  callback: Callback;
  args: unknown[];
  repeat: boolean;
  delay: number;
  dueAt: number;
  /** Whether the timer keeps the event loop alive. */
  ref: boolean;
}

const MAX_DELAY = 2_147_483_647;
/** Pending timers live in the function's heap; this bound keeps a runaway loop's error early and clear. */
const MAX_PENDING_TIMERS = 100_000;

/** What Node's timer functions return; code commonly calls `unref()` on it. Holds nothing of the host. */
class Timeout {
  readonly #id: number;
  readonly #timers: Timers;
  #ref = true;
  constructor(id: number, timers: Timers) {
    this.#id = id;
    this.#timers = timers;
  }
  ref(): this {
    this.#ref = true;
    this.#timers.setRef(this.#id, true);
    return this;
  }
  unref(): this {
    this.#ref = false;
    this.#timers.setRef(this.#id, false);
    return this;
  }
  hasRef(): boolean {
    return this.#ref;
  }
  refresh(): this {
    this.#timers.refresh(this.#id);
    return this;
  }
  close(): this {
    this.#timers.clear(this.#id);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.#id;
  }
  static idOf(handle: unknown): number | undefined {
    if (typeof handle === "number") return handle;
    return handle instanceof Timeout ? handle.#id : undefined;
  }
}

/** Unrefs a timer handle (one of ours, or whatever function code put in the globals' place) and hands it back. */
export function unref<T>(handle: T): T {
  const unrefMethod = (handle as { unref?: unknown } | null | undefined)?.unref;
  if (typeof unrefMethod === "function") unrefMethod.call(handle);
  return handle;
}

/** A min-heap of due times; entries whose timer was cleared or re-armed are skipped when they surface. */
class DueHeap {
  private readonly items: { dueAt: number; id: number; seq: number }[] = [];

  push(dueAt: number, id: number, seq: number): void {
    const items = this.items;
    items.push({ dueAt, id, seq });
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(items[index]!, items[parent]!)) break;
      [items[index], items[parent]] = [items[parent]!, items[index]!];
      index = parent;
    }
  }

  peek(): { dueAt: number; id: number; seq: number } | undefined {
    return this.items[0];
  }

  pop(): void {
    const items = this.items;
    const last = items.pop();
    if (items.length === 0 || !last) return;
    items[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === index) return;
      [items[index], items[smallest]] = [items[smallest]!, items[index]!];
      index = smallest;
    }
  }

  clear(): void {
    this.items.length = 0;
  }
}

function before(a: { dueAt: number; seq: number }, b: { dueAt: number; seq: number }): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
}

export class Timers {
  readonly #pending = new Map<number, PendingTimer & { seq: number }>();
  readonly #heap = new DueHeap();
  #nextId = 1;
  #seq = 0;
  /** Pending timers that keep the event loop alive. */
  #refed = 0;

  set(callback: unknown, delay: unknown, args: unknown[], repeat: boolean): Timeout {
    if (typeof callback !== "function") {
      throw new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`);
    }
    if (this.#pending.size >= MAX_PENDING_TIMERS) {
      throw new RangeError(`Too many pending timers: an invocation may have at most ${MAX_PENDING_TIMERS}`);
    }
    const id = this.#nextId++;
    let ms = Number(delay);
    if (!(ms >= 1 && ms <= MAX_DELAY)) ms = 1;
    ms = Math.trunc(ms);
    this.#arm({ id, callback: callback as Callback, args, repeat, delay: ms, dueAt: Date.now() + ms, ref: true, seq: 0 });
    return new Timeout(id, this);
  }

  clear(handle: unknown): void {
    const id = Timeout.idOf(handle);
    if (id === undefined || !this.#forget(id)) return;
    this.#reportWake();
  }

  setRef(id: number, ref: boolean): void {
    const timer = this.#pending.get(id);
    if (!timer || timer.ref === ref) return;
    timer.ref = ref;
    this.#refed += ref ? 1 : -1;
  }

  /** Whether a pending timer keeps the event loop alive. */
  pending(): boolean {
    return this.#refed > 0;
  }

  refresh(id: number): void {
    const timer = this.#pending.get(id);
    if (timer) this.#arm({ ...timer, dueAt: Date.now() + timer.delay });
  }

  /** Runs every timer due at `now` (not ones set by those callbacks, which wait for the next wake-up). */
  fire(now: number): void {
    const due: (PendingTimer & { seq: number })[] = [];
    for (let top = this.#heap.peek(); top && top.dueAt <= now; top = this.#heap.peek()) {
      this.#heap.pop();
      const timer = this.#pending.get(top.id);
      if (!timer || timer.seq !== top.seq) continue;
      due.push(timer);
    }
    for (const timer of due) {
      if (this.#pending.get(timer.id) !== timer) continue;
      if (timer.repeat) this.#arm({ ...timer, dueAt: now + timer.delay });
      else this.#forget(timer.id);
      try {
        timer.callback(...timer.args);
      } catch (error) {
        reportUncaught(error);
      }
    }
    this.#reportWake();
  }

  /** Forgets every pending timer. */
  clearAll(): void {
    this.#pending.clear();
    this.#refed = 0;
    this.#heap.clear();
    setWake(null);
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

  #arm(timer: PendingTimer & { seq: number }): void {
    const armed = { ...timer, seq: ++this.#seq };
    const previous = this.#pending.get(armed.id);
    if (armed.ref) this.#refed++;
    if (previous?.ref) this.#refed--;
    this.#pending.set(armed.id, armed);
    this.#heap.push(armed.dueAt, armed.id, armed.seq);
    this.#reportWake();
  }

  /** Drops a pending timer; false when it was not pending. */
  #forget(id: number): boolean {
    const timer = this.#pending.get(id);
    if (!timer) return false;
    this.#pending.delete(id);
    if (timer.ref) this.#refed--;
    return true;
  }

  /** Tells the outbox when the earliest live timer is due (stale heap entries are dropped first). */
  #reportWake(): void {
    for (let top = this.#heap.peek(); top; top = this.#heap.peek()) {
      const timer = this.#pending.get(top.id);
      if (timer && timer.seq === top.seq) {
        setWake(top.dueAt);
        return;
      }
      this.#heap.pop();
    }
    setWake(null);
  }
}
