// How results reach the terminal: JSON for scripts, aligned tables and key-value lines for people.
import type { TextSink } from "./command.js";

export function writeJson(sink: TextSink, value: unknown): void {
  sink.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeLine(sink: TextSink, text = ""): void {
  sink.write(`${text}\n`);
}

/** Writes text as it is, adding a final newline when it lacks one so the prompt starts on its own line. */
export function writeText(sink: TextSink, text: string): void {
  sink.write(text.endsWith("\n") || text === "" ? text : `${text}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [header, ...rows].map(line).join("\n") + "\n";
}

/** `label: value` lines with labels aligned; undefined values are left out. */
export function formatFields(fields: readonly (readonly [string, string | number | undefined])[]): string {
  const shown = fields.filter((field): field is readonly [string, string | number] => field[1] !== undefined && field[1] !== "");
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${value}\n`).join("");
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
