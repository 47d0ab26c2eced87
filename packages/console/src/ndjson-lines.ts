// Newline-delimited JSON as it arrives in pieces: whole lines out, the unfinished rest kept for the next
// piece.

export interface SplitLines {
  lines: string[];
  rest: string;
}

/** The complete, non-empty lines of `pending + chunk`, and what follows the last newline. */
export function splitLines(pending: string, chunk: string): SplitLines {
  const text = pending + chunk;
  const end = text.lastIndexOf("\n");
  if (end === -1) return { lines: [], rest: text };
  const lines = text
    .slice(0, end)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  return { lines, rest: text.slice(end + 1) };
}
