// Where a Map state's ItemReader gets its items: one object of the S3-compatible store the operator names
// (LAMBENT_WORKFLOW_S3_ENDPOINT), read with the AWS SDK's S3 client and parsed as its ReaderConfig says.
// Every failure is the execution's States.ItemReaderFailed, never the scheduler's.
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { WorkflowS3Config } from "@lambent/config";
import { S3_GET_OBJECT, StatesError, StatesErrors, isObject, parseItems, type ItemRead, type Json } from "@lambent/states-language";

/** Reads a Map's items; rejects with a StatesError the execution fails (or catches) with. */
export interface ItemSource {
  read(read: ItemRead): Promise<Json[]>;
}

/** The largest object read: the items are kept in the Map's frame in NATS, like an execution's input. */
export const MAX_ITEM_OBJECT_BYTES = 256 * 1024;

export class S3ItemSource implements ItemSource {
  private readonly client: S3Client | undefined;

  constructor(config: WorkflowS3Config | undefined, region: string) {
    this.client = config
      ? new S3Client({
          endpoint: config.endpoint,
          region,
          forcePathStyle: true,
          credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
          maxAttempts: 3,
        })
      : undefined;
  }

  async read(read: ItemRead): Promise<Json[]> {
    if (read.resource !== S3_GET_OBJECT) fail(`ItemReader resource ${read.resource} is not available in Lambent (it reads ${S3_GET_OBJECT})`);
    if (!this.client) fail("No S3-compatible store is configured for workflows (LAMBENT_WORKFLOW_S3_ENDPOINT)");
    const { Bucket, Key, VersionId } = isObject(read.parameters) ? read.parameters : {};
    if (typeof Bucket !== "string" || typeof Key !== "string") fail("The ItemReader's Parameters must give Bucket and Key as strings");
    const text = await this.fetch(this.client, Bucket, Key, typeof VersionId === "string" ? VersionId : undefined);
    return parseItems(text, read.inputType, read.maxItems, read.csvHeaders);
  }

  close(): void {
    this.client?.destroy();
  }

  private async fetch(client: S3Client, bucket: string, key: string, versionId: string | undefined): Promise<string> {
    let answer;
    try {
      answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      const message = error instanceof Error ? error.message : String(error);
      return fail(`S3 getObject of s3://${bucket}/${key} failed: ${name}: ${message}`);
    }
    if (answer.ContentLength !== undefined && answer.ContentLength > MAX_ITEM_OBJECT_BYTES) {
      answer.Body?.transformToWebStream().cancel().catch(() => {});
      fail(`s3://${bucket}/${key} is ${answer.ContentLength} bytes, more than the ${MAX_ITEM_OBJECT_BYTES} an ItemReader reads in Lambent`);
    }
    const text = (await answer.Body?.transformToString("utf8")) ?? "";
    if (Buffer.byteLength(text) > MAX_ITEM_OBJECT_BYTES) fail(`s3://${bucket}/${key} is more than the ${MAX_ITEM_OBJECT_BYTES} bytes an ItemReader reads in Lambent`);
    return text;
  }
}

function fail(cause: string): never {
  throw new StatesError(StatesErrors.itemReaderFailed, cause);
}
