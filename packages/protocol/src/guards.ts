// Type guards for values that crossed a boundary (JSON off NATS, an HTTP body): what every parser checks first.

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
