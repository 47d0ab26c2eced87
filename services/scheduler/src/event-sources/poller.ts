// What the event source supervisor runs per enabled mapping, and what every poller is given.
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { EventSourceMapping } from "@lambent/registry/event-sources";
import type { Logger } from "@lambent/telemetry";
import type { DestinationSender } from "../async-queue/destinations.js";
import type { LoopStopsReport } from "../invocation/loop-stops.js";
import type { BatchInvoker } from "./batch-invoker.js";

export interface PollerDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  invoker: BatchInvoker;
  destinations: DestinationSender;
  loops: LoopStopsReport;
  scope: { region: string; accountId: string };
  logger: Logger;
  now: () => number;
  /** The first delay before a failed stream batch runs again; it doubles with each retry. */
  retryBaseMs: number;
}

export interface Poller {
  readonly kind: EventSourceMapping["kind"];
  start(): Promise<void>;
  /** A new configuration of the same mapping (batch size, retries, function, …); the poller keeps its progress. */
  update(mapping: EventSourceMapping): Promise<void>;
  /** Stops polling; resolves once batches in flight have settled and progress is stored. */
  stop(): Promise<void>;
  /** Seconds from the arrival of the last record processed to now, 0 when caught up (stream mappings). */
  iteratorAgeSeconds?(): number;
}

/** LastProcessingResult as Lambda words it, and Lambent's word for a missing function. */
export const OK = "OK";
export const FUNCTION_CALL_FAILED = "PROBLEM: Function call failed";
export const FUNCTION_NOT_FOUND = "PROBLEM: Function not found";
