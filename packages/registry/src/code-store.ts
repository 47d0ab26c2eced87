// Deployment packages and built bundles in the code Object Store bucket, content-addressed by SHA-256.
//   package/<sha256 hex>   the zip as uploaded
//   bundle/<sha256 hex>    the module the isolate runs, built from a package at deploy time
//   sourcemap/<sha256 hex> the bundle's source map, under its bundle's hash; kept out of the bundle so
//                          isolates never hold it, read only to turn an error's trace into the user's lines
import { createHash } from "node:crypto";
import type { ObjectStore } from "@nats-io/obj";

export interface StoredPackage {
  objectName: string;
  /** Base64 SHA-256, as Lambda reports `CodeSha256`. */
  sha256Base64: string;
  size: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `bundle/<sha>` → `sourcemap/<sha>`. */
export function sourceMapObjectName(bundleObject: string): string {
  return `sourcemap/${bundleObject.slice(bundleObject.lastIndexOf("/") + 1)}`;
}

export class CodeStore {
  constructor(private readonly store: ObjectStore) {}

  async putPackage(zip: Uint8Array): Promise<StoredPackage> {
    const digest = createHash("sha256").update(zip).digest();
    const objectName = `package/${digest.toString("hex")}`;
    await this.putOnce(objectName, zip);
    return { objectName, sha256Base64: digest.toString("base64"), size: zip.length };
  }

  async putBundle(code: string): Promise<string> {
    const bytes = encoder.encode(code);
    const objectName = `bundle/${createHash("sha256").update(bytes).digest("hex")}`;
    await this.putOnce(objectName, bytes);
    return objectName;
  }

  /** Stores a bundle's source map beside it. The bundle names its map (`//# debugId=`), so equal bundles have equal maps. */
  async putSourceMap(bundleObject: string, sourceMap: string): Promise<string> {
    const objectName = sourceMapObjectName(bundleObject);
    await this.putOnce(objectName, encoder.encode(sourceMap));
    return objectName;
  }

  /** The source map of a bundle, or undefined for bundles built before maps were kept. */
  async getSourceMap(bundleObject: string): Promise<string | undefined> {
    const bytes = await this.store.getBlob(sourceMapObjectName(bundleObject));
    return bytes ? decoder.decode(bytes) : undefined;
  }

  async getPackage(objectName: string): Promise<Uint8Array | undefined> {
    return (await this.store.getBlob(objectName)) ?? undefined;
  }

  async getBundle(objectName: string): Promise<string | undefined> {
    const bytes = await this.store.getBlob(objectName);
    return bytes ? decoder.decode(bytes) : undefined;
  }

  /** Content-addressed: an object that is there already has these very bytes. */
  private async putOnce(objectName: string, bytes: Uint8Array): Promise<void> {
    const existing = await this.store.info(objectName);
    if (existing && !existing.deleted) return;
    await this.store.putBlob({ name: objectName }, bytes);
  }
}
