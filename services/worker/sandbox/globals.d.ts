// Names the sandbox's own code uses that exist inside the isolate at run time but not in lib ES2022:
// esbuild resolves `require` of bundled packages at build time; the timers are the runtime's own.
declare function require(id: string): unknown;
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function queueMicrotask(callback: () => void): void;
declare const console: { warn(...args: unknown[]): void; log(...args: unknown[]): void };
