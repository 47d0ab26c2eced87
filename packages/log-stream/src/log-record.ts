// One invocation's log as it travels on `lambent.logs.<function>`: the lines Lambda would put in the
// function's log stream (START, the function's own lines, END, REPORT), with where they came from.
// A log too large for one NATS message travels as several records with the same request id. A worker
// sends the records of one function that finished in the same turn of its event loop as one message
// (`{"records":[…]}`), so a busy function costs the stream one message per turn, not one per call.

export interface FunctionLogRecord {
  functionName: string;
  version: string;
  /** `/aws/lambda/<function>`, as in Lambda. */
  logGroupName: string;
  /** The execution environment's stream, `YYYY/MM/DD/[<version>]<id>`. */
  logStreamName: string;
  requestId: string;
  /** When the invocation finished, epoch milliseconds. */
  timestamp: number;
  lines: string[];
  /** The invocation's OpenTelemetry trace id (32 lowercase hex digits), when the call was traced. */
  traceId?: string;
}

const TRACE_ID = /^[0-9a-f]{32}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeLogRecord(record: FunctionLogRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

/** The records of one message: a batch. */
export function encodeLogRecords(records: FunctionLogRecord[]): Uint8Array {
  return encoder.encode(JSON.stringify({ records }));
}

/** The records in a stream message, one or a batch; none when the message is not one (never throws). */
export function decodeLogRecords(data: Uint8Array): FunctionLogRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return [];
  }
  if (typeof value === "object" && value !== null && Array.isArray((value as { records?: unknown }).records)) {
    return ((value as { records: unknown[] }).records.map(checkRecord).filter((record) => record !== undefined) as FunctionLogRecord[]);
  }
  const single = checkRecord(value);
  return single ? [single] : [];
}

/** The record in a stream message; undefined when the message is not one record (never throws). */
export function decodeLogRecord(data: Uint8Array): FunctionLogRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  return checkRecord(value);
}

function checkRecord(value: unknown): FunctionLogRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const strings = ["functionName", "version", "logGroupName", "logStreamName", "requestId"] as const;
  if (!strings.every((field) => typeof record[field] === "string")) return undefined;
  if (typeof record["timestamp"] !== "number" || !Array.isArray(record["lines"])) return undefined;
  if (!record["lines"].every((line) => typeof line === "string")) return undefined;
  if (record["traceId"] !== undefined && (typeof record["traceId"] !== "string" || !TRACE_ID.test(record["traceId"]))) return undefined;
  return value as FunctionLogRecord;
}

/**
 * Splits a record whose encoding exceeds `maxBytes` into records of consecutive lines that each fit; a
 * single line longer than that is cut. Most records fit and come back as they are, encoded once.
 */
export function encodeLogRecordParts(record: FunctionLogRecord, maxBytes: number): Uint8Array[] {
  const whole = encodeLogRecord(record);
  if (whole.length <= maxBytes) return [whole];
  const overhead = encodeLogRecord({ ...record, lines: [] }).length + 16;
  const room = Math.max(1024, maxBytes - overhead);
  const parts: Uint8Array[] = [];
  let lines: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (lines.length > 0) parts.push(encodeLogRecord({ ...record, lines }));
    lines = [];
    size = 0;
  };
  for (const line of record.lines) {
    // JSON escaping can grow a line: measure it encoded.
    let text = line;
    let bytes = encoder.encode(JSON.stringify(text)).length + 1;
    if (bytes > room) {
      text = `${line.slice(0, Math.floor(room / 8))}... [line truncated: too long for one log message]`;
      bytes = encoder.encode(JSON.stringify(text)).length + 1;
    }
    if (size + bytes > room) flush();
    lines.push(text);
    size += bytes;
  }
  flush();
  return parts;
}
