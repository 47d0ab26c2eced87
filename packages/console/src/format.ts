// How the console writes times for people.

/** Lambda's LastModified (`2026-01-02T03:04:05.000+0000`) in the reader's own time zone. */
export function formatTime(value: string): string {
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}
