// What an invocation's tail log (X-Amz-Log-Result, base64 of its last 4 KB) says, as Lambda's console shows
// it: the log lines as written, and the REPORT line's fields for the summary.

export interface InvocationReport {
  requestId?: string;
  durationMs?: number;
  billedDurationMs?: number;
  memorySizeMb?: number;
  maxMemoryUsedMb?: number;
  initDurationMs?: number;
}

export interface TailLog {
  /** The log as Lambda's console prints it: START, the function's lines, END and REPORT. */
  text: string;
  report?: InvocationReport;
}

/** The UTF-8 text of a base64 header value. */
export function decodeBase64Text(encoded: string): string {
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return new TextDecoder().decode(bytes);
}

const REPORT_FIELDS: Record<string, keyof InvocationReport> = {
  RequestId: "requestId",
  Duration: "durationMs",
  "Billed Duration": "billedDurationMs",
  "Memory Size": "memorySizeMb",
  "Max Memory Used": "maxMemoryUsedMb",
  "Init Duration": "initDurationMs",
};

/** The fields of a `REPORT RequestId: … Duration: 1.23 ms …` line (tab-separated, as Lambda writes it). */
export function parseReportLine(line: string): InvocationReport | undefined {
  if (!line.startsWith("REPORT ")) return undefined;
  const report: InvocationReport = {};
  for (const part of line.slice("REPORT ".length).split("\t")) {
    const colon = part.indexOf(":");
    if (colon === -1) continue;
    const field = REPORT_FIELDS[part.slice(0, colon).trim()];
    const value = part.slice(colon + 1).trim();
    if (field === "requestId") report.requestId = value;
    else if (field) {
      const number = Number.parseFloat(value);
      if (Number.isFinite(number)) report[field] = number;
    }
  }
  return report;
}

export function readTailLog(encoded: string): TailLog {
  const text = decodeBase64Text(encoded);
  // The platform's REPORT line is the log's last: a line the function printed to look like one comes before it.
  const lines = text.split("\n").filter((line) => line !== "");
  const last = lines[lines.length - 1];
  const reportLine = last?.startsWith("REPORT ") ? last : undefined;
  const report = reportLine === undefined ? undefined : parseReportLine(reportLine);
  return report ? { text, report } : { text };
}
