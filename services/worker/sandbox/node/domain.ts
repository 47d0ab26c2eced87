// `domain` (deprecated in Node, still imported by old packages): a domain is an emitter whose `run`
// hands a synchronous throw to its 'error' listeners. Errors thrown later, from callbacks, are not
// caught: the isolate cannot follow async work back to the domain that started it.

type Emitter = { emit(event: string, ...args: unknown[]): boolean; listenerCount(event: string): number };

export function createDomain(EventEmitter: new () => Emitter): Record<string, unknown> {
  class Domain extends EventEmitter {
    readonly members: unknown[] = [];

    run<R>(fn: (...args: unknown[]) => R, ...args: unknown[]): R | undefined {
      try {
        return fn(...args);
      } catch (error) {
        if (this.listenerCount("error") === 0) throw error;
        this.emit("error", error);
        return undefined;
      }
    }
    add(member: unknown): void {
      this.members.push(member);
    }
    remove(member: unknown): void {
      const index = this.members.indexOf(member);
      if (index >= 0) this.members.splice(index, 1);
    }
    bind<F extends (...args: unknown[]) => unknown>(fn: F): F {
      return ((...args: unknown[]) => this.run(fn, ...args)) as F;
    }
    intercept<F extends (...args: unknown[]) => unknown>(fn: F): (error: unknown, ...args: unknown[]) => unknown {
      return (error: unknown, ...args: unknown[]) => {
        if (error) {
          this.emit("error", error);
          return undefined;
        }
        return this.run(fn, ...args);
      };
    }
    enter(): void {}
    exit(): void {}
    dispose(): void {}
  }
  return { Domain, create: () => new Domain(), createDomain: () => new Domain(), active: null };
}
