// Triggers: a function invoked asynchronously on a schedule, for each message on a NATS subject (a topic),
// or for each change in a JetStream Object Store or KV bucket. One per name, in the functions KV bucket
// under `trigger.<name>`; a schedule's last fired tick under `triggerstate.<name>` (compare-and-set by the
// leading scheduler). The frontend writes triggers, every scheduler follows them (KeySpaceView).
import type { KV } from "@nats-io/kv";
import { createIfAbsent, updateByRevision, writeAtRevision } from "./compare-and-set.js";
import type { ObservedWrites } from "./observed-writes.js";
import { listKeys } from "./kv-keys.js";

/** Letters, digits, `-` and `_`, 1 to 64 characters: also a KV key token and a consumer name part. */
export const TRIGGER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The S3 event types a bucket trigger may select. */
export const OBJECT_EVENT_TYPES = ["s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete"] as const;
export type ObjectEventType = (typeof OBJECT_EVENT_TYPES)[number];

export interface ScheduleSource {
  type: "schedule";
  /** `rate(…)` or `cron(…)` (@lambent/schedule-expression). */
  expression: string;
  /** IANA time zone the cron fields are read in. */
  timezone: string;
  /** JSON text sent instead of the scheduled event, as EventBridge's constant input. */
  input?: string;
  /**
   * Epoch ms the schedule counts from: it fires only after this instant, and a rate every interval from
   * it. Set when the trigger is created, enabled again, or its expression or time zone change.
   */
  start: number;
}

export interface TopicSource {
  type: "topic";
  /** A NATS subject, wildcards allowed. */
  subject: string;
}

export interface BucketSource {
  type: "bucket";
  /** A JetStream Object Store bucket. */
  bucket: string;
  events: ObjectEventType[];
  prefix?: string;
  suffix?: string;
}

export interface KeyValueSource {
  type: "keyValue";
  /** A JetStream KV bucket. */
  bucket: string;
  /** A KV key filter (`orders.*`, `>`); every key when absent. */
  keys?: string;
}

export type TriggerSource = ScheduleSource | TopicSource | BucketSource | KeyValueSource;

/** The JSON under `trigger.<name>`. */
export interface TriggerRecord {
  name: string;
  functionName: string;
  /** `$LATEST`, a version number or an alias. */
  qualifier: string;
  enabled: boolean;
  description: string;
  /** Epoch milliseconds. */
  createdAt: number;
  lastModified: number;
  source: TriggerSource;
}

/** The JSON under `triggerstate.<name>`: a schedule's last tick that was enqueued. */
export interface TriggerState {
  /** Epoch ms of the tick. */
  lastTick: number;
  /** Epoch ms when it was enqueued. */
  firedAt: number;
}

export const triggerKey = (name: string): string => `trigger.${name}`;
export const triggerStateKey = (name: string): string => `triggerstate.${name}`;
export const TRIGGER_KEYS = "trigger.>";

/** The trigger name in a `trigger.<name>` key; undefined for other keys. */
export function triggerNameOf(key: string): string | undefined {
  const parts = key.split(".");
  return parts.length === 2 && parts[0] === "trigger" ? parts[1] : undefined;
}

const decoder = new TextDecoder();

const isString = (value: unknown): value is string => typeof value === "string";
const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === "string";

function isSource(value: unknown): value is TriggerSource {
  if (typeof value !== "object" || value === null) return false;
  const source = value as Record<string, unknown>;
  switch (source["type"]) {
    case "schedule":
      return isString(source["expression"]) && isString(source["timezone"]) && isOptionalString(source["input"]) && typeof source["start"] === "number";
    case "topic":
      return isString(source["subject"]);
    case "bucket":
      return (
        isString(source["bucket"]) &&
        Array.isArray(source["events"]) &&
        source["events"].every((event) => (OBJECT_EVENT_TYPES as readonly unknown[]).includes(event)) &&
        isOptionalString(source["prefix"]) &&
        isOptionalString(source["suffix"])
      );
    case "keyValue":
      return isString(source["bucket"]) && isOptionalString(source["keys"]);
    default:
      return false;
  }
}

/** The trigger stored under `key`; throws when the value is malformed or names another trigger. */
export function decodeTriggerRecord(key: string, value: Uint8Array): TriggerRecord {
  const parsed = JSON.parse(decoder.decode(value)) as unknown;
  if (typeof parsed !== "object" || parsed === null) throw new Error(`The trigger under ${key} is not an object`);
  const record = parsed as Record<string, unknown>;
  const valid =
    isString(record["name"]) &&
    isString(record["functionName"]) &&
    isString(record["qualifier"]) &&
    typeof record["enabled"] === "boolean" &&
    isString(record["description"]) &&
    typeof record["createdAt"] === "number" &&
    typeof record["lastModified"] === "number" &&
    isSource(record["source"]);
  if (!valid) throw new Error(`The trigger under ${key} is malformed`);
  const name = triggerNameOf(key);
  if (name !== undefined && record["name"] !== name) throw new Error(`The trigger under ${key} is named ${String(record["name"])}`);
  return parsed as TriggerRecord;
}

/** A stored trigger state; throws when malformed. */
export function decodeTriggerState(value: Uint8Array): TriggerState {
  const parsed = JSON.parse(decoder.decode(value)) as Partial<TriggerState> | null;
  if (typeof parsed?.lastTick !== "number" || typeof parsed.firedAt !== "number") throw new Error("The trigger state is malformed");
  return { lastTick: parsed.lastTick, firedAt: parsed.firedAt };
}

/** Reads and writes trigger records by compare-and-set. */
export class TriggerStore {
  constructor(
    private readonly kv: KV,
    private readonly writes: ObservedWrites,
  ) {}

  async get(name: string): Promise<TriggerRecord | undefined> {
    const key = triggerKey(name);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return decodeTriggerRecord(key, entry.value);
  }

  /** Every readable trigger, by name. */
  async list(): Promise<TriggerRecord[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, TRIGGER_KEYS)));
    const records = await Promise.all(
      keys.map(async (key) => {
        const entry = await this.kv.get(key);
        if (!entry || entry.operation !== "PUT") return undefined;
        try {
          return decodeTriggerRecord(key, entry.value);
        } catch {
          // A malformed record cannot be listed or run; Get and Delete still reach it by name.
          return undefined;
        }
      }),
    );
    return records.filter((record): record is TriggerRecord => record !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Writes a new trigger; false when the name is taken. */
  async create(record: TriggerRecord): Promise<boolean> {
    return (await createIfAbsent(this.writes, triggerKey(record.name), JSON.stringify(record))) !== undefined;
  }

  /** Read-modify-write; `change` sees the current record and returns the new one (or throws). Undefined when there is none. */
  async update(name: string, change: (current: TriggerRecord) => TriggerRecord): Promise<TriggerRecord | undefined> {
    const { written } = await updateByRevision(this.writes, triggerKey(name), { decode: decodeTriggerRecord }, (current) => {
      if (!current) return undefined;
      const next = change(current);
      if (next.name !== name) throw new Error(`An update of trigger ${name} may not rename it`);
      return next;
    });
    return written;
  }

  /** Deletes a trigger and its state; false when there was no trigger. */
  async delete(name: string): Promise<boolean> {
    const entry = await this.kv.get(triggerKey(name));
    if (!entry || entry.operation !== "PUT") return false;
    await this.writes.delete(triggerKey(name));
    await this.kv.purge(triggerStateKey(name));
    return true;
  }

  async state(name: string): Promise<TriggerState | undefined> {
    return (await readTriggerState(this.kv, name)).state;
  }
}

/** A schedule's state with the revision to compare-and-set against (0: none stored yet). */
export interface RevisionedTriggerState {
  state: TriggerState | undefined;
  revision: number;
}

export async function readTriggerState(kv: KV, name: string): Promise<RevisionedTriggerState> {
  const entry = await kv.get(triggerStateKey(name));
  if (!entry) return { state: undefined, revision: 0 };
  if (entry.operation !== "PUT") return { state: undefined, revision: entry.revision };
  try {
    return { state: decodeTriggerState(entry.value), revision: entry.revision };
  } catch {
    // Unreadable state is as good as none: the schedule starts over from its start time.
    return { state: undefined, revision: entry.revision };
  }
}

/**
 * Records a fired tick by compare-and-set against `revision`: resolves with the new revision, or undefined
 * when another writer got there first (a newer leader, or this one's earlier write).
 */
export async function writeTriggerState(kv: KV, name: string, state: TriggerState, revision: number): Promise<number | undefined> {
  return writeAtRevision(kv, triggerStateKey(name), JSON.stringify(state), revision);
}
