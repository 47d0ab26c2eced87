// Deployment packages and built bundles in the code Object Store bucket, content-addressed by SHA-256.
//   package/<sha256 hex>   the zip as uploaded
//   bundle/<sha256 hex>    the module the isolate runs, built from a package at deploy time
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
