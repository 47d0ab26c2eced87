// Which slice of a long list one page shows: the server answers one page at a time (SearchFunctions, with
// the count of matches), and only that page's rows, with their sparklines, are drawn.

export const PAGE_SIZE = 50;

export interface Page {
  /** The page shown, clamped to the pages there are. */
  index: number;
  count: number;
  start: number;
  end: number;
}

export function pageOf(total: number, index: number, size = PAGE_SIZE): Page {
  const count = Math.max(1, Math.ceil(total / size));
  const clamped = Math.min(Math.max(0, index), count - 1);
  return { index: clamped, count, start: clamped * size, end: Math.min(total, (clamped + 1) * size) };
}
