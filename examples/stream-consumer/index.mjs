// A stream consumer for an event source mapping with stream semantics (a Kinesis-like stream on
// JetStream): each batch holds records of one subject (the partition key), in order. A reading that is not
// a number fails the batch; with BisectBatchOnFunctionError the mapping splits it until the bad record is
// alone, retries that one, then reports it to the on-failure destination, and the subject moves on. The
// other subjects are never held up.
import { Buffer } from "node:buffer";

export const handler = async (event) => {
  for (const record of event.Records) {
    const { partitionKey, sequenceNumber, data } = record.kinesis;
    const reading = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
    if (typeof reading.value !== "number") throw new Error(`${partitionKey} #${sequenceNumber}: not a number`);
  }
  for (const record of event.Records) {
    const reading = JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8"));
    console.log(`${record.kinesis.partitionKey} #${record.kinesis.sequenceNumber}: ${reading.value}`);
  }
};
