// What a filter pattern is matched against, as Lambda builds it from a record: a queue record with its
// body read as JSON when it is JSON (so `{"body": {"field": …}}` reaches into it), and for a stream record
// its `data` only, decoded and read as JSON when it is JSON. A body or data that is not JSON stays a
// string, which only a plain string condition on `body` or `data` can match.
const decoder = new TextDecoder("utf-8");

export function queueRecordView(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...record, body: typeof record["body"] === "string" ? jsonOrText(record["body"]) : record["body"] };
}

export function streamRecordView(data: Uint8Array): Record<string, unknown> {
  return { data: jsonOrText(decoder.decode(data)) };
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
