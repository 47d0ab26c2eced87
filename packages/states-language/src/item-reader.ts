// The items an ItemReader's object holds, as Step Functions reads them: a JSON array, JSON Lines (one
// value per line), or CSV whose first row (or the definition's CSVHeaders) names the fields, each item
// an object of strings.
import type { Json } from "./json.js";
import { StatesError, StatesErrors } from "./states-error.js";

/** Reads `text` as the reader's input type; at most `maxItems` items (0: all). */
export function parseItems(text: string, inputType: string, maxItems: number, csvHeaders?: string[]): Json[] {
  const items = readAll(text, inputType, csvHeaders);
  return maxItems > 0 ? items.slice(0, maxItems) : items;
}

function readAll(text: string, inputType: string, csvHeaders: string[] | undefined): Json[] {
  switch (inputType) {
    case "JSON": {
      const value = parseJson(text, "The object");
      if (!Array.isArray(value)) throw new StatesError(StatesErrors.itemReaderFailed, "Attempting to map over non-iterable node: the object does not hold a JSON array");
      return value;
    }
    case "JSONL":
      return text.split(/\r?\n/).filter((line) => line.trim() !== "").map((line, index) => parseJson(line, `Line ${index + 1}`));
    case "CSV":
      return csvItems(text, csvHeaders);
    default:
      throw new StatesError(StatesErrors.itemReaderFailed, `The ItemReader input type ${inputType} is not supported by Lambent`);
  }
}

function parseJson(text: string, what: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new StatesError(StatesErrors.itemReaderFailed, `${what} is not valid JSON`);
  }
}

function csvItems(text: string, csvHeaders: string[] | undefined): Json[] {
  const rows = csvRows(text);
  const header = csvHeaders ?? rows.shift();
  if (!header) return [];
  return rows.map((row, index) => {
    if (row.length > header.length) throw new StatesError(StatesErrors.itemReaderFailed, `CSV row ${index + 2} has more fields than the header`);
    return Object.fromEntries(header.map((name, column) => [name, row[column] ?? ""]));
  });
}

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and line breaks; blank lines are skipped. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let touched = false;
  const endField = (): void => {
    row.push(field);
    field = "";
  };
  const endRow = (): void => {
    endField();
    if (touched) rows.push(row);
    row = [];
    touched = false;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
      continue;
    }
    if (char === '"') {
      quoted = true;
      touched = true;
    } else if (char === ",") {
      endField();
      touched = true;
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      endRow();
    } else {
      field += char;
      touched = true;
    }
  }
  if (quoted) throw new StatesError(StatesErrors.itemReaderFailed, "The CSV object ends inside a quoted field");
  endRow();
  return rows;
}
