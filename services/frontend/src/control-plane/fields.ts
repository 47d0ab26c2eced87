// Typed reads of untrusted request bodies. Every failure names the field, as Lambda's errors do.
import { LambdaError, invalidParameter } from "@lambent/errors";

export type Body = Record<string, unknown>;

export function requireBody(value: unknown): Body {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new LambdaError("InvalidRequestContentException", "Could not parse request body into json: expected an object");
  }
  return value as Body;
}

export function optionalString(body: Body, field: string, maxLength = Infinity): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidParameter(`${field} must be a string`);
  if (value.length > maxLength) throw invalidParameter(`${field} must be at most ${maxLength} characters long`);
  return value;
}

export function requireString(body: Body, field: string, maxLength = Infinity): string {
  const value = optionalString(body, field, maxLength);
  if (value === undefined || value === "") throw invalidParameter(`${field} is required`);
  return value;
}

/** An integer field; `min` and `max` are for Lambent's own bounds (Lambda's come from its model, model-input.ts). */
export function optionalInteger(body: Body, field: string, min = -Infinity, max = Infinity): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw invalidParameter(`${field} must be an integer`);
  if (value < min || value > max) {
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at '${lowerFirst(field)}' failed to satisfy constraint: Member must have value ${value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  }
  return value;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidParameter(`${field} must be a boolean`);
  return value;
}

export function optionalObject(body: Body, field: string): Body | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw invalidParameter(`${field} must be an object`);
  return value as Body;
}

export function optionalStringMap(body: Body, field: string): Record<string, string> | undefined {
  const map = optionalObject(body, field);
  if (map === undefined) return undefined;
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== "string") throw invalidParameter(`${field}.${key} must be a string`);
  }
  return map as Record<string, string>;
}

export function optionalStringList(body: Body, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw invalidParameter(`${field} must be a list of strings`);
  }
  return value as string[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes from REST (base64 text) or gRPC (raw bytes). */
export function optionalBytes(body: Body, field: string): Uint8Array | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (value instanceof Uint8Array) return value;
  if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw invalidParameter(`${field} must be base64-encoded bytes`);
  }
  return Buffer.from(value, "base64");
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
