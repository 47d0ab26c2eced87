// Every function's name, sorted, from a watch of the `$LATEST` keys' headers: the listings that page
// through all functions (the console's SearchFunctions) read it instead of listing the bucket's keys per
// request. It observes its own frontend's writes, so a function created or deleted there is listed or
// gone at once; another frontend's, as soon as the watch brings them.
import type { KV } from "@nats-io/kv";
import { LATEST } from "./function-record.js";
import { functionKey, parseFunctionKey } from "./function-store.js";
import { KeySpaceView } from "./key-space-view.js";
import type { WriteObserver } from "./observed-writes.js";

const LATEST_KEYS = functionKey("*", LATEST);

export class FunctionNamesView implements WriteObserver {
  private readonly view: KeySpaceView<true>;
  /** The names in code-unit order, worked out again only after a function came or went. */
  private sorted: readonly string[] | undefined;

  constructor(kv: KV) {
    this.view = new KeySpaceView<true>(kv, { filter: LATEST_KEYS, keysOnly: true, decode: () => true });
    this.view.onChange((_key, value, previous) => {
      if ((value === undefined) !== (previous === undefined)) this.sorted = undefined;
    });
  }

  /** Resolves once every existing name is known. */
  start(): Promise<void> {
    return this.view.start();
  }

  stop(): void {
    this.view.stop();
  }

  names(): readonly string[] {
    this.sorted ??= [...this.view.values()].map(([key]) => parseFunctionKey(key)!.functionName).sort();
    return this.sorted;
  }

  /** A write through this frontend's function store: only `$LATEST` keys say whether a function exists. */
  written(key: string, value: Uint8Array | undefined, revision: number): void {
    if (parseFunctionKey(key)?.version === LATEST) this.view.written(key, value, revision);
  }
}
