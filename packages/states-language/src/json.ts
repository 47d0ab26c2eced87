// The JSON values a state machine passes between states.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON.stringify without whitespace, as Step Functions writes JSON into strings (causes, States.JsonToString). */
export function toJsonText(value: Json): string {
  return JSON.stringify(value);
}
