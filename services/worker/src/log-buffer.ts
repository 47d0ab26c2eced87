// One invocation's log: the function's own lines framed by START, END and REPORT, the `Tail` excerpt,
// and the hook a log shipper attaches to.
import { TAIL_LOG_BYTES } from "./limits.js";

/** Everything one invocation wrote, in order, as it goes to the function's log stream. */
export interface InvocationLog {
  functionName: string;
  version: string;
  /** The qualifier the caller named (`$LATEST` when none): with `version`, the call's version series in the metrics history. */
  qualifier?: string;
  logGroupName: string;
  logStreamName: string;
  requestId: string;
  lines: string[];
  /** The invocation's OpenTelemetry trace id (32 hex digits), when tracing is on. */
  traceId?: string;
  /** What the invocation is billed for (from its REPORT line); absent when no REPORT was written. */
  billing?: Billing;
  /** The call ended in a function error (X-Amz-Function-Error: Unhandled). */
  functionError?: boolean;
}

/** The REPORT line's billing fields: usage metering adds them up. */
export interface Billing {
  /** Duration rounded up to the next millisecond, at least 1. */
  billedDurationMs: number;
  memorySizeMb: number;
}

/** Receives each finished invocation's log (a shipper to a log store plugs in here). */
export interface InvocationLogSink {
  write(log: InvocationLog): void;
}

export const discardLogs: InvocationLogSink = { write: () => undefined };

export interface ReportFields {
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Present on a cold start. */
  initDurationMs?: number;
}

const encoder = new TextEncoder();

export class LogBuffer {
  readonly lines: string[] = [];
  /** Set by `end`. */
  billing: Billing | undefined;
  /** The call's trace id, when it is traced: carried into the log record beside the lines. */
  traceId: string | undefined;

  constructor(readonly requestId: string) {}

  add(line: string): void {
    this.lines.push(line);
  }

  start(version: string): void {
    this.lines.push(`START RequestId: ${this.requestId} Version: ${version}`);
  }

  end(report: ReportFields): void {
    this.lines.push(`END RequestId: ${this.requestId}`);
    const billed = Math.max(1, Math.ceil(report.durationMs));
    this.billing = { billedDurationMs: billed, memorySizeMb: report.memorySizeMb };
    let line =
      `REPORT RequestId: ${this.requestId}\tDuration: ${report.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms` +
      `\tMemory Size: ${report.memorySizeMb} MB\tMax Memory Used: ${report.maxMemoryUsedMb} MB`;
    if (report.initDurationMs !== undefined) line += `\tInit Duration: ${report.initDurationMs.toFixed(2)} ms`;
    // Lambda ends the REPORT line with a tab, which tools that split it on tabs expect.
    this.lines.push(`${line}\t`);
  }

  text(): string {
    return this.lines.length === 0 ? "" : this.lines.join("\n") + "\n";
  }

  /** Base64 of the last 4 KB of the log text, as `LogResult` carries it. */
  tailBase64(): string {
    const bytes = encoder.encode(this.text());
    const tail = bytes.length > TAIL_LOG_BYTES ? bytes.subarray(bytes.length - TAIL_LOG_BYTES) : bytes;
    return Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).toString("base64");
  }
}
