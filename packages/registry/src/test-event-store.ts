// Saved test events per function, as Lambda's console keeps them server-side: `testevent.<function>.<name>`
// in the functions bucket holds one event's JSON text and when it was saved. Deleting a function deletes
// its test events with it (function-store.ts).
import type { KV } from "@nats-io/kv";
import { listKeys } from "./kv-keys.js";

/** Lambda's console limits a test event's name to 25 letters, digits, hyphens and underscores. */
export const TEST_EVENT_NAME = /^[A-Za-z0-9_-]{1,25}$/;
/** At most this many saved events per function. */
export const MAX_TEST_EVENTS = 50;
/** An event's text may be at most this long (the size of an Invoke's payload). */
export const MAX_TEST_EVENT_BYTES = 256 * 1024;

export interface TestEventRecord {
  name: string;
  /** The event as JSON text, as it was typed. */
  event: string;
  lastModified: string;
}

export const testEventKey = (functionName: string, name: string): string => `testevent.${functionName}.${name}`;
export const testEventKeysOf = (functionName: string): string => `testevent.${functionName}.*`;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class TestEventStore {
  constructor(private readonly kv: KV) {}

  /** The function's saved events, by name. */
  async list(functionName: string): Promise<TestEventRecord[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, testEventKeysOf(functionName))));
    const records: TestEventRecord[] = [];
    for (const key of keys.sort()) {
      const entry = await this.kv.get(key);
      if (!entry || entry.operation !== "PUT") continue;
      const record = decodeTestEvent(entry.value);
      if (record) records.push(record);
    }
    return records;
  }

  async exists(functionName: string, name: string): Promise<boolean> {
    const entry = await this.kv.get(testEventKey(functionName, name));
    return entry !== null && entry.operation === "PUT";
  }

  async put(functionName: string, record: TestEventRecord): Promise<void> {
    await this.kv.put(testEventKey(functionName, record.name), encoder.encode(JSON.stringify(record)));
  }

  /** Whether there was such an event. */
  async delete(functionName: string, name: string): Promise<boolean> {
    if (!(await this.exists(functionName, name))) return false;
    await this.kv.purge(testEventKey(functionName, name));
    return true;
  }
}

function decodeTestEvent(value: Uint8Array): TestEventRecord | undefined {
  try {
    const parsed = JSON.parse(decoder.decode(value)) as Partial<TestEventRecord>;
    if (typeof parsed.name !== "string" || typeof parsed.event !== "string" || typeof parsed.lastModified !== "string") return undefined;
    return { name: parsed.name, event: parsed.event, lastModified: parsed.lastModified };
  } catch {
    // A record not written by this module: not listed.
    return undefined;
  }
}
