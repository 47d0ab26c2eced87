// Event source mappings (Lambda's EventSourceMapping) in the functions KV bucket: the configuration under
// `esm.<uuid>` (the frontend writes it, the leading scheduler watches `esm.>` and polls), and the runtime
// state under `esmstate.<uuid>` (the leading scheduler writes it by compare-and-set: which configuration it
// applied, the last processing result, and a stream mapping's checkpoints).
import type { KV } from "@nats-io/kv";
import { isRecord } from "@lambent/protocol";
import { updateByRevision, writeAtRevision } from "./compare-and-set.js";
import type { ObservedWrites } from "./observed-writes.js";
import { listKeys } from "./kv-keys.js";

export const ReportBatchItemFailures = "ReportBatchItemFailures";
export const StartingPositions = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] as const;
export type StartingPosition = (typeof StartingPositions)[number];

/** What every mapping has, whatever it reads. */
interface MappingCommon {
  /** A random UUID, the mapping's name in the API. */
  uuid: string;
  functionName: string;
  /** The version or alias named in FunctionName; absent when unqualified (`$LATEST`). */
  qualifier?: string;
  /** As given at creation. */
  eventSourceArn: string;
  enabled: boolean;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** FunctionResponseTypes holds ReportBatchItemFailures. */
  reportBatchItemFailures: boolean;
  /** Retries after a failed batch (stream) or receive (queue) before giving up; -1 is unlimited. */
  maximumRetryAttempts: number;
  /** DestinationConfig.OnFailure.Destination: an SNS or SQS ARN (destination-arn.ts). */
  onFailure?: string;
  /** FilterCriteria's patterns (@lambent/event-filter), as given; a record any of them matches is sent. Absent: every record. */
  filters?: string[];
  /** A new random id on every write, so the scheduler can say which configuration it applied. */
  revisionId: string;
  /** Epoch milliseconds of the last write (Lambda reports seconds). */
  lastModified: number;
}

/** Queue semantics: the messages on `subject`, consumed by the durable consumer `consumer` of `stream`. */
export interface QueueMapping extends MappingCommon {
  kind: "queue";
  subject: string;
  /** The stream that captured `subject` when the mapping was created. */
  stream: string;
  consumer: string;
  /** How long a failed message stays invisible before it is received again (the consumer's ack wait). */
  visibilityTimeoutSeconds: number;
  /** ScalingConfig.MaximumConcurrency when set: batches in flight at most. */
  maximumConcurrency?: number;
}

/** Stream semantics: the stream's records in order per subject (partition). */
export interface StreamMapping extends MappingCommon {
  kind: "stream";
  stream: string;
  startingPosition: StartingPosition;
  /** Epoch seconds, with AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
  parallelizationFactor: number;
  /** -1 is unlimited. */
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  /** TumblingWindowInSeconds when windows are on (1–900); absent: no windows. */
  tumblingWindowInSeconds?: number;
}

/** A stream partition's open tumbling window: its start (epoch ms) and the state the function returned last. */
export interface OpenWindow {
  start: number;
  state: Record<string, unknown>;
}

export type EventSourceMapping = QueueMapping | StreamMapping;

/** The JSON under `esmstate.<uuid>`. */
export interface EventSourceMappingState {
  /** The configuration the leading scheduler runs now; absent until one has picked the mapping up. */
  applied?: { revisionId: string; enabled: boolean };
  /** Lambda's LastProcessingResult: "No records processed", "OK", "PROBLEM: …". */
  lastProcessingResult: string;
  /** Stream mappings: every record below this stream sequence is finished (processed or given up). */
  position?: number;
  /** Stream mappings: the last finished sequence of each partition (subject) that is ahead of `position`. */
  partitions?: Record<string, number>;
  /** Stream mappings with tumbling windows: each partition's open window, kept with the checkpoint it goes with. */
  windows?: Record<string, OpenWindow>;
  /** The scheduler that wrote last (`<schedulerId>/<term>`), for logs. */
  owner?: string;
}

export const NO_RECORDS_PROCESSED = "No records processed";

export const eventSourceMappingKey = (uuid: string): string => `esm.${uuid}`;
export const eventSourceMappingStateKey = (uuid: string): string => `esmstate.${uuid}`;
export const EVENT_SOURCE_MAPPING_KEYS = "esm.>";

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const decoder = new TextDecoder();

function parseObject(key: string, value: Uint8Array): Record<string, unknown> {
  const parsed = JSON.parse(decoder.decode(value)) as unknown;
  if (!isRecord(parsed)) throw new Error(`The value under ${key} is not an object`);
  return parsed;
}

const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
const optional = (value: unknown, check: (value: unknown) => boolean): boolean => value === undefined || check(value);
const isString = (value: unknown): boolean => typeof value === "string";

/** The mapping stored under `key`; throws when the value is malformed or names another uuid. */
export function decodeEventSourceMapping(key: string, value: Uint8Array): EventSourceMapping {
  const record = parseObject(key, value);
  const common =
    typeof record["uuid"] === "string" &&
    key === eventSourceMappingKey(record["uuid"]) &&
    typeof record["functionName"] === "string" &&
    optional(record["qualifier"], isString) &&
    typeof record["eventSourceArn"] === "string" &&
    typeof record["enabled"] === "boolean" &&
    isInteger(record["batchSize"]) &&
    isInteger(record["maximumBatchingWindowInSeconds"]) &&
    typeof record["reportBatchItemFailures"] === "boolean" &&
    isInteger(record["maximumRetryAttempts"]) &&
    optional(record["onFailure"], isString) &&
    optional(record["filters"], (value) => Array.isArray(value) && value.every(isString)) &&
    typeof record["revisionId"] === "string" &&
    typeof record["lastModified"] === "number";
  const specific =
    record["kind"] === "queue"
      ? typeof record["subject"] === "string" &&
        typeof record["stream"] === "string" &&
        typeof record["consumer"] === "string" &&
        isInteger(record["visibilityTimeoutSeconds"]) &&
        optional(record["maximumConcurrency"], isInteger)
      : record["kind"] === "stream" &&
        typeof record["stream"] === "string" &&
        (StartingPositions as readonly unknown[]).includes(record["startingPosition"]) &&
        optional(record["startingPositionTimestamp"], (value) => typeof value === "number") &&
        isInteger(record["parallelizationFactor"]) &&
        isInteger(record["maximumRecordAgeInSeconds"]) &&
        typeof record["bisectBatchOnFunctionError"] === "boolean" &&
        optional(record["tumblingWindowInSeconds"], isInteger);
  if (!common || !specific) throw new Error(`The event source mapping under ${key} is malformed`);
  return record as unknown as EventSourceMapping;
}

/** A mapping's state; throws when the value is malformed. */
export function decodeEventSourceMappingState(key: string, value: Uint8Array): EventSourceMappingState {
  const record = parseObject(key, value);
  const applied = record["applied"];
  const partitions = record["partitions"];
  const valid =
    typeof record["lastProcessingResult"] === "string" &&
    optional(applied, (value) => typeof value === "object" && value !== null && isString((value as Record<string, unknown>)["revisionId"])) &&
    optional(record["position"], isInteger) &&
    optional(partitions, (value) => typeof value === "object" && value !== null && Object.values(value).every(isInteger)) &&
    optional(record["windows"], (value) => isRecord(value) && Object.values(value).every((window) => isRecord(window) && isInteger(window["start"]) && isRecord(window["state"]))) &&
    optional(record["owner"], isString);
  if (!valid) throw new Error(`The event source mapping state under ${key} is malformed`);
  return record as unknown as EventSourceMappingState;
}

/** A state with the KV revision it was read at, for a compare-and-set write after it. */
export interface RevisionedState {
  state: EventSourceMappingState;
  revision: number;
}

/** Reads and writes mappings and their states. Writes of a mapping go through `writes` (observed). */
export class EventSourceMappingStore {
  constructor(
    private readonly kv: KV,
    private readonly writes: ObservedWrites,
  ) {}

  async get(uuid: string): Promise<EventSourceMapping | undefined> {
    const key = eventSourceMappingKey(uuid);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return decodeEventSourceMapping(key, entry.value);
  }

  /** Every mapping; unreadable ones are left out. */
  async list(): Promise<EventSourceMapping[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, EVENT_SOURCE_MAPPING_KEYS)));
    const mappings = await Promise.all(
      keys.map(async (key) => {
        const entry = await this.kv.get(key);
        if (!entry || entry.operation !== "PUT") return undefined;
        try {
          return decodeEventSourceMapping(key, entry.value);
        } catch {
          // A record no version of Lambent wrote is not listed rather than failing the whole list.
          return undefined;
        }
      }),
    );
    return mappings.filter((mapping): mapping is EventSourceMapping => mapping !== undefined);
  }

  /** Stores a new mapping with its first state (state first, so the scheduler never finds a mapping without one). */
  async create(mapping: EventSourceMapping, state: EventSourceMappingState): Promise<void> {
    await this.kv.put(eventSourceMappingStateKey(mapping.uuid), JSON.stringify(state));
    await this.writes.create(eventSourceMappingKey(mapping.uuid), JSON.stringify(mapping));
  }

  /**
   * Read-modify-write of a mapping: `change` sees the current one and resolves with the next (or throws);
   * a concurrent writer makes it run again on the newer one. Undefined when there is no mapping.
   */
  async update(
    uuid: string,
    change: (current: EventSourceMapping) => Promise<EventSourceMapping>,
  ): Promise<{ previous: EventSourceMapping; mapping: EventSourceMapping } | undefined> {
    const key = eventSourceMappingKey(uuid);
    const { previous, written } = await updateByRevision(this.writes, key, { decode: decodeEventSourceMapping }, async (current) => {
      if (!current) return undefined;
      const next = await change(current);
      if (next.uuid !== uuid) throw new Error(`An update of event source mapping ${uuid} may not move it to ${next.uuid}`);
      return next;
    });
    return previous && written && { previous, mapping: written };
  }

  async delete(uuid: string): Promise<void> {
    await this.writes.purge(eventSourceMappingKey(uuid));
    await this.kv.purge(eventSourceMappingStateKey(uuid));
  }

  async getState(uuid: string): Promise<RevisionedState | undefined> {
    const key = eventSourceMappingStateKey(uuid);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return { state: decodeEventSourceMappingState(key, entry.value), revision: entry.revision };
  }

  /** Compare-and-set of a state; resolves with the new revision, undefined when another writer got there first. */
  async writeState(uuid: string, state: EventSourceMappingState, revision: number): Promise<number | undefined> {
    return writeAtRevision(this.kv, eventSourceMappingStateKey(uuid), JSON.stringify(state), revision);
  }
}
