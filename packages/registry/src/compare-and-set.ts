// How a JetStream KV compare-and-set reports that another writer got there first.

/** A KV write lost a compare-and-set race (or a create found the key taken). */
export function isWrongLastSequence(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence/i.test(error.message);
}
