// Lambda-style pages of a sorted list: `MaxItems` and an opaque `Marker` naming the next page's first item.
import { invalidParameter } from "@lambent/errors";

/** What a List call is asked, as either face passes it: `Marker` and `MaxItems` as given. */
export interface ListOptions {
  marker?: string;
  maxItems?: string | number;
}

export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

/**
 * The page of `sorted` that `options` asks for. The marker holds the key of the next page's first item,
 * and a page starts at the first key not before it, so items deleted between calls skip nothing.
 */
export function paginate<T>(
  sorted: readonly T[],
  keyOf: (item: T) => string,
  compare: (a: string, b: string) => number,
  options: ListOptions,
): Page<T> {
  const maxItems = parseMaxItems(options.maxItems);
  const marker = options.marker ? decodeMarker(options.marker) : undefined;
  const start = marker === undefined ? 0 : sorted.findIndex((item) => compare(keyOf(item), marker) >= 0);
  if (start < 0) return { items: [] };
  const page: Page<T> = { items: sorted.slice(start, start + maxItems) };
  const next = sorted[start + maxItems];
  if (next !== undefined) page.nextMarker = Buffer.from(keyOf(next)).toString("base64url");
  return page;
}

export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function parseMaxItems(raw: string | number | undefined): number {
  if (raw === undefined || raw === "") return 50;
  const value = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10000) throw invalidParameter("MaxItems must be an integer from 1 to 10000");
  return value;
}

function decodeMarker(marker: string): string {
  const key = Buffer.from(marker, "base64url").toString();
  // A name, qualifier or UUID, or `name:version` (ListFunctions with FunctionVersion ALL).
  if (!/^[$a-zA-Z0-9_:-]{1,200}$/.test(key)) throw invalidParameter("Marker is not valid");
  return key;
}
