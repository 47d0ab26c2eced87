// The host's one Reference (see host.ts), kept in this module's closure at boot: no object function code
// can reach holds it. `callHost` and `callHostWaiting` are how the sandbox's modules use it.
import type { HostCall, HostErrorData, HostReply } from "./host.js";

let hostCall: HostCall | undefined;
let pieceBytes = 1024 * 1024;

// Taken before function code runs, which may replace the prototypes' methods.
const apply = Reflect.apply;
const includes = String.prototype.includes;

const COPY = { arguments: { copy: true }, result: { copy: true } } as const;
const COPY_ARGUMENTS = { arguments: { copy: true } } as const;

export function setHostCall(call: HostCall, hostCallBytes: number): void {
  hostCall = call;
  pieceBytes = hostCallBytes;
}

/** The most bytes one synchronous host call may carry: larger data crosses in pieces of this size. */
export function hostCallBytes(): number {
  return pieceBytes;
}

/** A synchronous host call; a host failure is thrown as an Error built here, carrying no host stack. */
export function callHost(op: string, ...args: unknown[]): unknown {
  if (!hostCall) throw new Error("The runtime has not booted");
  const reply: HostReply = hostCall.applySync(undefined, [op, args], COPY);
  return unwrap(reply);
}

/**
 * A host call whose work runs off the host's main thread while this isolate waits for it (compression).
 * Waiting is only possible on one of isolated-vm's threads: a call entered inline, on the host's main
 * thread, cannot wait there, so it leaves that thread the way any inline entry that takes too long does:
 * it runs on until the host stops it at its slice's end and runs the call again, on a thread of its own
 * (pool/entry-modes.ts). Stopping is not an exception function code could catch.
 */
export function callHostWaiting(op: string, ...args: unknown[]): unknown {
  if (!hostCall) throw new Error("The runtime has not booted");
  let reply: HostReply;
  try {
    reply = hostCall.applySyncPromise(undefined, [op, args], COPY_ARGUMENTS);
  } catch (error) {
    if (error instanceof Error && apply(includes, String(error.message), ["default thread"])) for (;;);
    throw error;
  }
  return unwrap(reply);
}

function unwrap(reply: HostReply): unknown {
  if (reply[0] === 0) return reply[1];
  throw hostError(reply[1]);
}

const ERROR_CLASSES: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError };

function hostError(data: HostErrorData): Error {
  const Class = ERROR_CLASSES[data.name] ?? Error;
  const error = new Class(String(data.message)) as Error & { code?: string };
  if (Class === Error && data.name && data.name !== "Error") error.name = String(data.name);
  if (data.code !== undefined) error.code = String(data.code);
  return error;
}
