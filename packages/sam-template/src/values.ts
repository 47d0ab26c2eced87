// Reading resolved template values as the types Lambent's API wants, each failure naming the property.
import { createHash } from "node:crypto";
import { ResolveError } from "./errors.js";
import type { Resolved } from "./intrinsics.js";

/** A resolved map of properties. */
export type Properties = { [key: string]: Resolved };

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/** `record[key]` when the record has it as its own (a template's `constructor` or `toString` finds nothing). */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function text(value: Resolved | undefined, property: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new ResolveError("must be a string", property);
}

export function map(value: Resolved | undefined, property: string): Properties {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ResolveError("must be a map", property);
  return value as Properties;
}

export function oneOf<const T extends string>(value: Resolved | undefined, allowed: readonly T[], property: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ResolveError(`must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}`, property);
}

export function integer(value: Resolved, property: string, min: number, max: number): number {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < min || number > max) {
    throw new ResolveError(`must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`, property);
  }
  return number;
}

