// `readline`: an Interface over a readable stream that emits each line, and yields them to
// `for await`, as functions use it to walk a file or a response line by line. There is no terminal:
// `question` and the cursor functions have nothing to talk to.
import { TextDecoder } from "../web/encoding.js";
import { notImplemented } from "./unsupported.js";

type Listener = (...args: unknown[]) => void;
interface Emitter {
  on(event: string, listener: Listener): this;
  emit(event: string, ...args: unknown[]): boolean;
  removeListener(event: string, listener: Listener): this;
}
interface Readable extends Emitter {
  setEncoding?(encoding: string): unknown;
  pause?(): unknown;
  resume?(): unknown;
}

export function createReadline(EventEmitter: new () => Emitter): Record<string, unknown> {
  class Interface extends EventEmitter {
    readonly terminal = false;
    line = "";
    closed = false;
    private readonly input: Readable | undefined;
    private readonly detach: () => void;

    constructor(options: unknown) {
      super();
      const input = (typeof options === "object" && options !== null && "input" in options ? (options as { input: Readable }).input : options) as Readable | undefined;
      this.input = input;
      let pending = "";
      const decoder = new TextDecoder();
      const onData = (chunk: unknown): void => {
        pending += typeof chunk === "string" ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
        const lines = pending.split(/\r?\n/);
        pending = lines.pop() ?? "";
        for (const line of lines) this.emit("line", line);
      };
      const onEnd = (): void => {
        pending += decoder.decode();
        if (pending.length > 0) this.emit("line", pending);
        pending = "";
        this.close();
      };
      input?.on("data", onData);
      input?.on("end", onEnd);
      this.detach = () => {
        input?.removeListener("data", onData);
        input?.removeListener("end", onEnd);
      };
    }

    close(): void {
      if (this.closed) return;
      this.closed = true;
      this.detach();
      this.emit("close");
    }

    pause(): this {
      this.input?.pause?.();
      this.emit("pause");
      return this;
    }

    resume(): this {
      this.input?.resume?.();
      this.emit("resume");
      return this;
    }

    setPrompt(): void {}
    prompt(): void {}
    write(): void {}
    question(): never {
      throw notImplemented("readline.Interface.question()");
    }

    [Symbol.asyncIterator](): AsyncIterableIterator<string> {
      const lines: string[] = [];
      const waiting: ((result: IteratorResult<string>) => void)[] = [];
      let done = this.closed;
      const onLine = (line: unknown): void => {
        const next = waiting.shift();
        if (next) next({ value: String(line), done: false });
        else lines.push(String(line));
      };
      const onClose = (): void => {
        done = true;
        for (const next of waiting.splice(0)) next({ value: undefined, done: true });
      };
      this.on("line", onLine);
      this.on("close", onClose);
      const iterator: AsyncIterableIterator<string> = {
        next: () => {
          const line = lines.shift();
          if (line !== undefined) return Promise.resolve({ value: line, done: false });
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => waiting.push(resolve));
        },
        return: () => {
          this.removeListener("line", onLine);
          this.removeListener("close", onClose);
          this.close();
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    }
  }

  const noTerminal = (): boolean => true;
  return {
    Interface,
    createInterface: (options: unknown) => new Interface(options),
    clearLine: noTerminal,
    clearScreenDown: noTerminal,
    cursorTo: noTerminal,
    moveCursor: noTerminal,
    emitKeypressEvents: () => undefined,
  };
}
