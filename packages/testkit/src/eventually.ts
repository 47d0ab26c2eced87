// The one way a test waits for a condition that offers no event to await: ask again until it holds or a
// deadline passes, then fail saying what never happened and what the last attempt saw.
import { setTimeout as sleep } from "node:timers/promises";

export interface EventuallyOptions {
  /** Milliseconds from the first check after which `eventually` gives up; generous, so a slow machine still passes. */
  deadline: number;
  /** What never happened, for the failure: "the mapping never reached Enabled". */
  message: string;
  /** Milliseconds between the end of one check and the start of the next; 50 by default. */
  interval?: number;
}

type Falsy = false | 0 | 0n | "" | null | undefined;

const DEFAULT_INTERVAL_MS = 50;

/**
 * Resolves with the first truthy value `check` returns. A check that throws or returns something falsy is
 * tried again after `interval`; once `deadline` has passed, the promise rejects with `message` and the last
 * failure (the thrown error is also the rejection's `cause`). A check still running at the deadline is not
 * waited for.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions): Promise<Exclude<T, Falsy>> {
  const { deadline, message, interval = DEFAULT_INTERVAL_MS } = options;
  if (!(deadline > 0)) throw new RangeError(`eventually: deadline must be a positive number of milliseconds, got ${deadline}`);
  if (!(interval >= 0)) throw new RangeError(`eventually: interval must be zero or more milliseconds, got ${interval}`);
  const giveUpAt = performance.now() + deadline;
  let last: Attempt;
  for (;;) {
    last = await attempt(check, giveUpAt - performance.now());
    if (last.kind === "held") return last.value as Exclude<T, Falsy>;
    const remaining = giveUpAt - performance.now();
    if (remaining <= 0 || last.kind === "unsettled") break;
    await sleep(Math.min(interval, remaining));
  }
  throw new Error(`${message} (gave up after ${deadline} ms; last check ${describeAttempt(last)})`, last.kind === "threw" ? { cause: last.error } : undefined);
}

type Attempt = { kind: "held"; value: unknown } | { kind: "falsy"; value: unknown } | { kind: "threw"; error: unknown } | { kind: "unsettled" };

/** One check, given at most `withinMs` to settle. */
async function attempt<T>(check: () => T | Promise<T>, withinMs: number): Promise<Attempt> {
  const settled = (async (): Promise<Attempt> => {
    try {
      const value = await check();
      return value ? { kind: "held", value } : { kind: "falsy", value };
    } catch (error) {
      return { kind: "threw", error };
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const unsettled = new Promise<Attempt>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "unsettled" }), Math.max(withinMs, 0));
  });
  try {
    return await Promise.race([settled, unsettled]);
  } finally {
    clearTimeout(timer);
  }
}

function describeAttempt(last: Attempt): string {
  switch (last.kind) {
    case "threw":
      return `threw ${last.error instanceof Error ? `${last.error.name}: ${last.error.message}` : String(last.error)}`;
    case "falsy":
      return `returned ${typeof last.value === "string" ? JSON.stringify(last.value) : String(last.value)}`;
    case "unsettled":
      return "had not settled by the deadline";
    case "held":
      return "held";
  }
}
