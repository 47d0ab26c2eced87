// How asynchronous invocations of one function qualifier are handled (Lambda's EventInvokeConfig): retries,
// maximum event age and destinations, in the functions KV bucket under `eventconfig.<function>.<qualifier>`
// (`$LATEST` as `LATEST`). The frontend writes them; the scheduler reads them from the registry view's cache.
import type { KV } from "@nats-io/kv";
import { LATEST } from "./function-record.js";
import { versionFromKeyToken, versionKeyToken } from "./function-name.js";
import { isVersionNumber } from "./alias-record.js";
import { updateByRevision } from "./compare-and-set.js";
import type { ObservedWrites } from "./observed-writes.js";
import { listKeys } from "./kv-keys.js";

/** Lambda retries a failed asynchronous invocation twice unless configured otherwise. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
/** Lambda keeps an event for up to six hours unless configured otherwise. */
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;

/** Lambda's bounds on the two settings. */
export const EventInvokeLimits = {
  maximumRetryAttempts: { min: 0, max: 2 },
  maximumEventAgeInSeconds: { min: 60, max: 21_600 },
} as const;

/** The JSON under `eventconfig.<function>.<qualifier>`. */
export interface EventInvokeConfig {
  functionName: string;
  /** `$LATEST`, a published version number or an alias name: the qualifier events are invoked with. */
  qualifier: string;
  /** Absent when never set: Lambda's default applies (DEFAULT_MAXIMUM_RETRY_ATTEMPTS), and is not reported. */
  maximumRetryAttempts?: number;
  /** Absent when never set: DEFAULT_MAXIMUM_EVENT_AGE_SECONDS applies, and is not reported. */
  maximumEventAgeInSeconds?: number;
  /** Destination ARN (destination-arn.ts) for the record of a successful invocation. */
  onSuccess?: string;
  /** Destination ARN for the record of an event whose retries or age ran out. */
  onFailure?: string;
  /** When the config was last written, epoch milliseconds (Lambda reports it in seconds). */
  lastModified: number;
}

export const eventInvokeConfigKey = (functionName: string, qualifier: string): string =>
  `eventconfig.${functionName}.${versionKeyToken(qualifier)}`;

export const EVENT_INVOKE_CONFIG_KEYS = "eventconfig.>";

/** Parses a KV key back into function name and qualifier; undefined for keys that are not event invoke configs. */
export function parseEventInvokeConfigKey(key: string): { functionName: string; qualifier: string } | undefined {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[0] !== "eventconfig") return undefined;
  return { functionName: parts[1]!, qualifier: versionFromKeyToken(parts[2]!) };
}

/** `$LATEST` first, then version numbers ascending, then aliases by name: the order configs are listed in. */
export function compareQualifierOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === LATEST) return -1;
  if (b === LATEST) return 1;
  const aVersion = isVersionNumber(a);
  const bVersion = isVersionNumber(b);
  if (aVersion && bVersion) return Number(a) - Number(b);
  if (aVersion !== bVersion) return aVersion ? -1 : 1;
  return a < b ? -1 : 1;
}

const decoder = new TextDecoder();

/** The config stored under `key`; throws when the value is malformed or belongs to another key. */
export function decodeEventInvokeConfig(key: string, value: Uint8Array): EventInvokeConfig {
  const parsed = JSON.parse(decoder.decode(value)) as unknown;
  if (typeof parsed !== "object" || parsed === null) throw new Error(`The event invoke config under ${key} is not an object`);
  const config = parsed as Record<string, unknown>;
  const { maximumRetryAttempts: retries, maximumEventAgeInSeconds: age } = EventInvokeLimits;
  const valid =
    typeof config["functionName"] === "string" &&
    typeof config["qualifier"] === "string" &&
    (config["maximumRetryAttempts"] === undefined || inRange(config["maximumRetryAttempts"], retries.min, retries.max)) &&
    (config["maximumEventAgeInSeconds"] === undefined || inRange(config["maximumEventAgeInSeconds"], age.min, age.max)) &&
    (config["onSuccess"] === undefined || typeof config["onSuccess"] === "string") &&
    (config["onFailure"] === undefined || typeof config["onFailure"] === "string") &&
    typeof config["lastModified"] === "number";
  if (!valid) throw new Error(`The event invoke config under ${key} is malformed`);
  const scope = parseEventInvokeConfigKey(key);
  if (scope && (config["functionName"] !== scope.functionName || config["qualifier"] !== scope.qualifier)) {
    throw new Error(`The event invoke config under ${key} is for ${String(config["functionName"])}:${String(config["qualifier"])}`);
  }
  const decoded: EventInvokeConfig = {
    functionName: config["functionName"] as string,
    qualifier: config["qualifier"] as string,
    lastModified: config["lastModified"] as number,
  };
  if (config["maximumRetryAttempts"] !== undefined) decoded.maximumRetryAttempts = config["maximumRetryAttempts"] as number;
  if (config["maximumEventAgeInSeconds"] !== undefined) decoded.maximumEventAgeInSeconds = config["maximumEventAgeInSeconds"] as number;
  if (config["onSuccess"] !== undefined) decoded.onSuccess = config["onSuccess"] as string;
  if (config["onFailure"] !== undefined) decoded.onFailure = config["onFailure"] as string;
  return decoded;
}

function inRange(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** Reads and writes event invoke configs by compare-and-set. */
export class EventInvokeConfigStore {
  constructor(
    private readonly kv: KV,
    private readonly writes: ObservedWrites,
  ) {}

  async get(functionName: string, qualifier: string): Promise<EventInvokeConfig | undefined> {
    const key = eventInvokeConfigKey(functionName, qualifier);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return decodeEventInvokeConfig(key, entry.value);
  }

  /**
   * Read-modify-write of one qualifier's config. `change` sees the current config (undefined when there is
   * none) and returns the new one, or throws a LambdaError; a concurrent writer makes it run again.
   */
  async update(
    functionName: string,
    qualifier: string,
    change: (current: EventInvokeConfig | undefined) => EventInvokeConfig,
  ): Promise<EventInvokeConfig> {
    const key = eventInvokeConfigKey(functionName, qualifier);
    const { written } = await updateByRevision(this.writes, key, { decode: decodeEventInvokeConfig }, (current) => {
      const next = change(current);
      if (next.functionName !== functionName || next.qualifier !== qualifier) {
        throw new Error(`An update of the config of ${functionName}:${qualifier} may not move it to ${next.functionName}:${next.qualifier}`);
      }
      return next;
    });
    return written;
  }

  /** Writes `config` whole, replacing whatever the qualifier had. */
  async put(config: EventInvokeConfig): Promise<EventInvokeConfig> {
    return this.update(config.functionName, config.qualifier, () => config);
  }

  /** Deletes one qualifier's config; false when it had none. */
  async delete(functionName: string, qualifier: string): Promise<boolean> {
    const key = eventInvokeConfigKey(functionName, qualifier);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return false;
    await this.writes.delete(key);
    return true;
  }

  /** Every config of a function, in compareQualifierOrder. */
  async list(functionName: string): Promise<EventInvokeConfig[]> {
    const qualifiers: string[] = [];
    for (const key of await listKeys(this.kv, `eventconfig.${functionName}.*`)) {
      const parsed = parseEventInvokeConfigKey(key);
      if (parsed) qualifiers.push(parsed.qualifier);
    }
    const configs = await Promise.all(qualifiers.map((qualifier) => this.get(functionName, qualifier)));
    return configs.flatMap((config) => (config ? [config] : [])).sort((a, b) => compareQualifierOrder(a.qualifier, b.qualifier));
  }

  /** Purges every config of a function (FunctionStore.deleteFunction does this too, with the rest of the function). */
  async deleteAll(functionName: string): Promise<void> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, `eventconfig.${functionName}.*`)));
    for (const key of keys) await this.writes.purge(key);
  }
}

/** A config that sets nothing: Lambda's defaults apply to every setting. */
export function emptyEventInvokeConfig(functionName: string, qualifier: string, lastModified = Date.now()): EventInvokeConfig {
  return { functionName, qualifier, lastModified };
}
