// The keys of a KV bucket that match a filter, each once, none missed. JetStream lists keys with a
// consumer of each key's last message that runs until nothing is pending, which goes wrong both ways
// when a key is written during the listing: the key can come twice (delivered again, as written), or not
// at all (its last message was replaced before the consumer reached it, and nothing was pending after).
// So a function being updated could vanish from ListFunctions. Writing a key never changes which keys
// the stream holds messages for, so the stream's own list of subjects closes the gap: a key it names that
// the listing missed is read, and counted if it holds a value (not a delete or purge marker).
import { Bucket, type KV } from "@nats-io/kv";

/** Reads at once, for the keys the listing missed: usually none, or only the deleted ones. */
const PARALLEL_READS = 32;

export async function listKeys(kv: KV, filter: string): Promise<string[]> {
  const keys = new Set<string>();
  for await (const key of await kv.keys(filter)) keys.add(key);
  if (!(kv instanceof Bucket)) return [...keys];
  const missed = (await subjectKeys(kv, filter)).filter((key) => !keys.has(key));
  for (let start = 0; start < missed.length; start += PARALLEL_READS) {
    const entries = await Promise.all(missed.slice(start, start + PARALLEL_READS).map((key) => kv.get(key)));
    for (const entry of entries) if (entry?.operation === "PUT") keys.add(entry.key);
  }
  return [...keys];
}

/** Every key the bucket's stream holds a message for, value or marker, from the stream's subject list. */
async function subjectKeys(bucket: Bucket, filter: string): Promise<string[]> {
  const info = await bucket.jsm.streams.info(bucket.stream, { subjects_filter: bucket.fullKeyName(bucket.encodeKey(filter)) });
  return Object.keys(info.state.subjects ?? {}).map((subject) => bucket.decodeKey(subject.substring(bucket.prefixLen)));
}
