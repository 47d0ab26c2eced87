// The host's one Reference (see host.ts), kept in this module's closure at boot: no object function code
// can reach holds it. `callHost` is how the sandbox's modules use it.
import type { HostCall, HostErrorData, HostReply } from "./host.js";

let hostCall: HostCall | undefined;

const COPY = { arguments: { copy: true }, result: { copy: true } } as const;

export function setHostCall(call: HostCall): void {
  hostCall = call;
}

/** A synchronous host call; a host failure is thrown as an Error built here, carrying no host stack. */
export function callHost(op: string, ...args: unknown[]): unknown {
  if (!hostCall) throw new Error("The runtime has not booted");
  const reply: HostReply = hostCall.applySync(undefined, [op, args], COPY);
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
