// Function URLs (Lambda's FunctionUrlConfig): one per function qualifier (`$LATEST` or an alias), in the
// functions KV bucket under `url.<function>.<qualifier>` (`$LATEST` as `LATEST`). Each has a random url id
// that names it in the URL the frontend serves; the registry view finds configs by that id.
import { randomInt } from "node:crypto";
import type { KV } from "@nats-io/kv";
import { versionFromKeyToken, versionKeyToken } from "./function-name.js";
import { createIfAbsent, updateByRevision } from "./compare-and-set.js";
import type { ObservedWrites } from "./observed-writes.js";
import { listKeys } from "./kv-keys.js";

/** Lambda's CORS settings of a function URL. */
export interface FunctionUrlCors {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

export const FUNCTION_URL_AUTH_TYPES = ["NONE", "AWS_IAM"] as const;
export type FunctionUrlAuthType = (typeof FUNCTION_URL_AUTH_TYPES)[number];

/** The JSON under `url.<function>.<qualifier>`. */
export const FUNCTION_URL_INVOKE_MODES = ["BUFFERED", "RESPONSE_STREAM"] as const;
export type FunctionUrlInvokeMode = (typeof FUNCTION_URL_INVOKE_MODES)[number];

export interface FunctionUrlConfig {
  functionName: string;
  /** `$LATEST` or an alias name. */
  qualifier: string;
  /** 32 lowercase alphanumerics, as Lambda's url ids. */
  urlId: string;
  /** `NONE`: anyone may call; `AWS_IAM`: requests must be signed (SigV4) with a key Lambent knows. */
  authType: FunctionUrlAuthType;
  /** `BUFFERED`: the answer is sent whole; `RESPONSE_STREAM`: as the function writes it. */
  invokeMode: FunctionUrlInvokeMode;
  cors?: FunctionUrlCors;
  /** Epoch milliseconds. */
  creationTime: number;
  lastModified: number;
}

export const functionUrlConfigKey = (functionName: string, qualifier: string): string =>
  `url.${functionName}.${versionKeyToken(qualifier)}`;

export const FUNCTION_URL_CONFIG_KEYS = "url.>";

/** Parses a KV key back into function name and qualifier; undefined for keys that are not function URL configs. */
export function parseFunctionUrlConfigKey(key: string): { functionName: string; qualifier: string } | undefined {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[0] !== "url") return undefined;
  return { functionName: parts[1]!, qualifier: versionFromKeyToken(parts[2]!) };
}

const URL_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
export const URL_ID_PATTERN = /^[a-z0-9]{32}$/;

export function newUrlId(): string {
  let id = "";
  for (let index = 0; index < 32; index += 1) id += URL_ID_ALPHABET[randomInt(URL_ID_ALPHABET.length)];
  return id;
}

const decoder = new TextDecoder();

/** The config stored under `key`; throws when the value is malformed or belongs to another key. */
export function decodeFunctionUrlConfig(key: string, value: Uint8Array): FunctionUrlConfig {
  const parsed = JSON.parse(decoder.decode(value)) as unknown;
  if (typeof parsed !== "object" || parsed === null) throw new Error(`The function URL config under ${key} is not an object`);
  const config = parsed as Record<string, unknown>;
  const valid =
    typeof config["functionName"] === "string" &&
    typeof config["qualifier"] === "string" &&
    typeof config["urlId"] === "string" &&
    URL_ID_PATTERN.test(config["urlId"]) &&
    (FUNCTION_URL_AUTH_TYPES as readonly unknown[]).includes(config["authType"]) &&
    (FUNCTION_URL_INVOKE_MODES as readonly unknown[]).includes(config["invokeMode"]) &&
    (config["cors"] === undefined || (typeof config["cors"] === "object" && config["cors"] !== null)) &&
    typeof config["creationTime"] === "number" &&
    typeof config["lastModified"] === "number";
  if (!valid) throw new Error(`The function URL config under ${key} is malformed`);
  const scope = parseFunctionUrlConfigKey(key);
  if (scope && (config["functionName"] !== scope.functionName || config["qualifier"] !== scope.qualifier)) {
    throw new Error(`The function URL config under ${key} is for ${String(config["functionName"])}:${String(config["qualifier"])}`);
  }
  return parsed as FunctionUrlConfig;
}

/** Reads and writes function URL configs by compare-and-set. */
export class FunctionUrlConfigStore {
  constructor(
    private readonly kv: KV,
    private readonly writes: ObservedWrites,
  ) {}

  async get(functionName: string, qualifier: string): Promise<FunctionUrlConfig | undefined> {
    const key = functionUrlConfigKey(functionName, qualifier);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return decodeFunctionUrlConfig(key, entry.value);
  }

  /** Writes a new config; false when the qualifier has one. */
  async create(config: FunctionUrlConfig): Promise<boolean> {
    const key = functionUrlConfigKey(config.functionName, config.qualifier);
    return (await createIfAbsent(this.writes, key, JSON.stringify(config))) !== undefined;
  }

  /**
   * Read-modify-write of one qualifier's config; `change` sees the current config and returns the new one
   * (or throws). Undefined when the qualifier has none.
   */
  async update(functionName: string, qualifier: string, change: (current: FunctionUrlConfig) => FunctionUrlConfig): Promise<FunctionUrlConfig | undefined> {
    const key = functionUrlConfigKey(functionName, qualifier);
    const { written } = await updateByRevision(this.writes, key, { decode: decodeFunctionUrlConfig }, (current) => {
      if (!current) return undefined;
      const next = change(current);
      if (next.functionName !== functionName || next.qualifier !== qualifier || next.urlId !== current.urlId) {
        throw new Error(`An update of the function URL of ${functionName}:${qualifier} may not move or rename it`);
      }
      return next;
    });
    return written;
  }

  /** Deletes one qualifier's config; false when it had none. */
  async delete(functionName: string, qualifier: string): Promise<boolean> {
    const key = functionUrlConfigKey(functionName, qualifier);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return false;
    await this.writes.delete(key);
    return true;
  }

  /** Every config of a function, in no particular order. */
  async list(functionName: string): Promise<FunctionUrlConfig[]> {
    const qualifiers: string[] = [];
    for (const key of await listKeys(this.kv, `url.${functionName}.*`)) {
      const parsed = parseFunctionUrlConfigKey(key);
      if (parsed) qualifiers.push(parsed.qualifier);
    }
    const configs = await Promise.all(qualifiers.map((qualifier) => this.get(functionName, qualifier)));
    return configs.flatMap((config) => (config ? [config] : []));
  }

  /** Purges every config of a function (FunctionStore.deleteFunction does this too, with the rest of the function). */
  async deleteAll(functionName: string): Promise<void> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, `url.${functionName}.*`)));
    for (const key of keys) await this.writes.purge(key);
  }
}
