// Lambda layers: each published version of a layer in the functions KV bucket under
// `layer.<name>.<version>` (immutable but for its permission policy), and `layerversions.<name>`, the last
// version number handed out (compare-and-set, never reused, as Lambda never reuses one). The content is a
// zip in the code Object Store (`package/<sha256>`, content-addressed like a function's package).
import type { KV } from "@nats-io/kv";
import { updateByRevision } from "./compare-and-set.js";
import { listKeys } from "./kv-keys.js";

/** One statement of a layer version's permission policy, as Lambda writes it. */
export interface LayerPolicyStatement {
  Sid: string;
  Effect: "Allow";
  Principal: "*" | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/** The JSON under `layer.<name>.<version>`. */
export interface LayerVersionRecord {
  layerName: string;
  version: number;
  description: string;
  /** Lambda's format: `2018-11-27T15:10:45.123+0000`. */
  createdDate: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
  /** Base64 SHA-256 of the zip, as Lambda reports `CodeSha256`. */
  codeSha256: string;
  /** Bytes of the zip. */
  codeSize: number;
  /** Bytes of its files unzipped, counted against a function's 250 MB with its own package. */
  unzippedSize: number;
  /** Object name of the zip in the code bucket. */
  contentObject: string;
  /** Present once a permission was added; goes when its last statement is removed. */
  policy?: { revisionId: string; statements: LayerPolicyStatement[] };
}

/** A layer version as a function's configuration names it (`Layers`), with what a worker needs to mount it. */
export interface FunctionLayer {
  arn: string;
  codeSize: number;
  unzippedSize: number;
  contentObject: string;
}

/** Layer names are `[a-zA-Z0-9-_]+`, so they fit a KV key token as they are. */
export const layerVersionKey = (layerName: string, version: number): string => `layer.${layerName}.${version}`;
export const layerCounterKey = (layerName: string): string => `layerversions.${layerName}`;
export const LAYER_VERSION_KEYS = "layer.>";

const decoder = new TextDecoder();

export function decodeLayerVersion(key: string, value: Uint8Array): LayerVersionRecord {
  const parsed = JSON.parse(decoder.decode(value)) as Partial<LayerVersionRecord> | null;
  const valid =
    typeof parsed === "object" &&
    parsed !== null &&
    typeof parsed.layerName === "string" &&
    typeof parsed.version === "number" &&
    typeof parsed.contentObject === "string" &&
    typeof parsed.codeSha256 === "string";
  if (!valid) throw new Error(`The layer version under ${key} is malformed`);
  return parsed as LayerVersionRecord;
}

function decodeCounter(key: string, value: Uint8Array): { lastVersion: number } {
  const parsed = JSON.parse(decoder.decode(value)) as { lastVersion?: unknown };
  if (typeof parsed.lastVersion !== "number") throw new Error(`The layer version counter under ${key} is malformed`);
  return { lastVersion: parsed.lastVersion };
}

export class LayerStore {
  constructor(private readonly kv: KV) {}

  /** Takes the next version number of a layer and writes the version under it. */
  async publish(record: Omit<LayerVersionRecord, "version">): Promise<LayerVersionRecord> {
    const { written } = await updateByRevision(this.kv, layerCounterKey(record.layerName), { decode: decodeCounter }, (current) => ({
      lastVersion: (current?.lastVersion ?? 0) + 1,
    }));
    const stored: LayerVersionRecord = { ...record, version: written.lastVersion };
    await this.kv.put(layerVersionKey(record.layerName, stored.version), JSON.stringify(stored));
    return stored;
  }

  async get(layerName: string, version: number): Promise<LayerVersionRecord | undefined> {
    const key = layerVersionKey(layerName, version);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return decodeLayerVersion(key, entry.value);
  }

  /** A layer's versions, oldest first. */
  async listVersions(layerName: string): Promise<LayerVersionRecord[]> {
    return this.readAll(`layer.${layerName}.*`);
  }

  /** Every version of every layer. */
  async listAll(): Promise<LayerVersionRecord[]> {
    return this.readAll(LAYER_VERSION_KEYS);
  }

  /** Read-modify-write of one version's policy; `change` may throw to write nothing. */
  async updatePolicy(
    layerName: string,
    version: number,
    change: (record: LayerVersionRecord | undefined) => LayerVersionRecord,
  ): Promise<LayerVersionRecord> {
    const { written } = await updateByRevision(this.kv, layerVersionKey(layerName, version), { decode: decodeLayerVersion }, change);
    return written;
  }

  /** Deletes one version; false when there was none. Its number is never handed out again. */
  async delete(layerName: string, version: number): Promise<boolean> {
    const key = layerVersionKey(layerName, version);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return false;
    await this.kv.purge(key);
    return true;
  }

  private async readAll(filter: string): Promise<LayerVersionRecord[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, filter)));
    const records = await Promise.all(
      keys.map(async (key) => {
        const entry = await this.kv.get(key);
        return entry?.operation === "PUT" ? decodeLayerVersion(key, entry.value) : undefined;
      }),
    );
    return records
      .filter((record): record is LayerVersionRecord => record !== undefined)
      .sort((a, b) => (a.layerName < b.layerName ? -1 : a.layerName > b.layerName ? 1 : a.version - b.version));
  }
}
