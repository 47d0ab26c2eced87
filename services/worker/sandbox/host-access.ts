// The host capabilities, kept once at boot for the globals and modules that are built lazily later.
import type { HostCapabilities } from "./host.js";

let capabilities: HostCapabilities | undefined;

const COPY = { arguments: { copy: true }, result: { copy: true } } as const;

export function setHost(host: HostCapabilities): void {
  capabilities = host;
}

export function host(): HostCapabilities {
  if (!capabilities) throw new Error("The runtime has not booted");
  return capabilities;
}

/** A synchronous host call (see HostCapabilities.call); arguments and result cross as copies. */
export function callHost(op: string, ...args: unknown[]): unknown {
  return host().call.applySync(undefined, [op, args], COPY);
}
