// The JSONPath subset Step Functions accepts: `$` and `$$`, `.name` and `['name']`, indexes (negative
// too), `[*]` and `.*`, slices, unions (`[0,2]`), deep scan (`..name`) and filters (`[?(@.price < 10)]`,
// `&&`, `||`, existence). A path is compiled once, when the definition is parsed; a reference path (the
// kind ResultPath takes) is a definite path of names and indexes only, and can be written as well as read.
import { isObject, type Json } from "./json.js";

export type PathSegment =
  | { kind: "name"; name: string }
  | { kind: "index"; index: number }
  | { kind: "wildcard" }
  | { kind: "slice"; start?: number; end?: number; step?: number }
  | { kind: "union"; members: (string | number)[] }
  | { kind: "deep"; name: string | "*" }
  | { kind: "filter"; filter: Filter };

type Operand = { kind: "path"; segments: PathSegment[] } | { kind: "literal"; value: Json };
export type Filter =
  | { kind: "exists"; operand: Operand }
  | { kind: "compare"; op: "==" | "!=" | "<" | "<=" | ">" | ">="; left: Operand; right: Operand }
  | { kind: "and" | "or"; left: Filter; right: Filter };

export interface JsonPath {
  /** The path as written. */
  text: string;
  /** `$$`: the context object rather than the input. */
  context: boolean;
  segments: PathSegment[];
  /** No wildcard, slice, union, deep scan or filter: it names at most one value. */
  definite: boolean;
}

export class JsonPathSyntaxError extends Error {
  override readonly name = "JsonPathSyntaxError";
}

/** Compiles `text`; throws JsonPathSyntaxError for anything outside the subset. */
export function parseJsonPath(text: string): JsonPath {
  let context = false;
  let rest: string;
  if (text.startsWith("$$")) {
    context = true;
    rest = text.slice(2);
  } else if (text.startsWith("$")) {
    rest = text.slice(1);
  } else {
    throw new JsonPathSyntaxError(`The value for the field must be a valid JSONPath: '${text}' does not start with '$'`);
  }
  const segments = parseSegments(rest, text);
  const definite = segments.every((segment) => segment.kind === "name" || segment.kind === "index");
  return { text, context, segments, definite };
}

/** A reference path (ResultPath, ErrorPath's kin): definite, and about the input rather than the context. */
export function parseReferencePath(text: string): JsonPath {
  const path = parseJsonPath(text);
  if (path.context || !path.definite) throw new JsonPathSyntaxError(`The value for the field must be a valid Reference Path: '${text}'`);
  return path;
}

function parseSegments(rest: string, whole: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let at = 0;
  const fail = (why: string): never => {
    throw new JsonPathSyntaxError(`Invalid JSONPath '${whole}': ${why}`);
  };
  while (at < rest.length) {
    const char = rest[at];
    if (rest.startsWith("..", at)) {
      at += 2;
      if (rest[at] === "*") {
        segments.push({ kind: "deep", name: "*" });
        at += 1;
        continue;
      }
      const name = /^[^.[\]\s]+/.exec(rest.slice(at))?.[0];
      if (!name) fail("'..' must be followed by a name or '*'");
      segments.push({ kind: "deep", name: name! });
      at += name!.length;
    } else if (char === ".") {
      at += 1;
      if (rest[at] === "*") {
        segments.push({ kind: "wildcard" });
        at += 1;
        continue;
      }
      const name = /^[^.[\]]+/.exec(rest.slice(at))?.[0];
      if (!name) fail(`a name must follow '.' at position ${at}`);
      segments.push({ kind: "name", name: name! });
      at += name!.length;
    } else if (char === "[") {
      const close = findClose(rest, at);
      if (close < 0) fail("'[' is never closed");
      segments.push(parseBracket(rest.slice(at + 1, close).trim(), fail));
      at = close + 1;
    } else {
      fail(`unexpected '${char}' at position ${at + 1}`);
    }
  }
  return segments;
}

/** The `]` that closes the `[` at `open`, skipping quoted text and nested brackets. */
function findClose(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let at = open; at < text.length; at += 1) {
    const char = text[at];
    if (quote) {
      if (char === "\\") at += 1;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "[") depth += 1;
    else if (char === "]") {
      depth -= 1;
      if (depth === 0) return at;
    }
  }
  return -1;
}

function parseBracket(inner: string, fail: (why: string) => never): PathSegment {
  if (inner === "*") return { kind: "wildcard" };
  if (inner.startsWith("?")) {
    const body = /^\?\s*\((.*)\)$/s.exec(inner)?.[1];
    if (body === undefined) fail(`a filter must read [?(...)]: [${inner}]`);
    return { kind: "filter", filter: parseFilter(body!.trim(), fail) };
  }
  if (/^-?\d*\s*:\s*-?\d*(\s*:\s*-?\d*)?$/.test(inner)) {
    const [start, end, step] = inner.split(":").map((part) => (part.trim() === "" ? undefined : Number(part)));
    return { kind: "slice", ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), ...(step !== undefined ? { step } : {}) };
  }
  const members = splitTopLevel(inner, ",").map((member) => parseMember(member.trim(), fail));
  if (members.length === 1) {
    const only = members[0]!;
    return typeof only === "number" ? { kind: "index", index: only } : { kind: "name", name: only };
  }
  return { kind: "union", members };
}

function parseMember(member: string, fail: (why: string) => never): string | number {
  if (/^-?\d+$/.test(member)) return Number(member);
  const quoted = /^(['"])(.*)\1$/s.exec(member);
  if (quoted) return quoted[2]!.replace(/\\(.)/g, "$1");
  return fail(`[${member}] is neither an index nor a quoted name`);
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (quote) {
      if (char === "\\") at += 1;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (text.startsWith(separator, at)) {
      parts.push(text.slice(start, at));
      start = at + separator.length;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseFilter(text: string, fail: (why: string) => never): Filter {
  const stripped = stripParens(text);
  for (const [symbol, kind] of [["||", "or"], ["&&", "and"]] as const) {
    const parts = splitTopLevelOutsideParens(stripped, symbol);
    if (parts.length > 1) {
      return parts.slice(1).reduce<Filter>((left, part) => ({ kind, left, right: parseFilter(part.trim(), fail) }), parseFilter(parts[0]!.trim(), fail));
    }
  }
  const comparison = /^(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/s.exec(stripped);
  if (comparison) {
    return { kind: "compare", op: comparison[2] as "==", left: parseOperand(comparison[1]!.trim(), fail), right: parseOperand(comparison[3]!.trim(), fail) };
  }
  return { kind: "exists", operand: parseOperand(stripped, fail) };
}

function stripParens(text: string): string {
  let current = text.trim();
  while (current.startsWith("(") && current.endsWith(")") && matchingParen(current, 0) === current.length - 1) current = current.slice(1, -1).trim();
  return current;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let at = open; at < text.length; at += 1) {
    if (text[at] === "(") depth += 1;
    else if (text[at] === ")") {
      depth -= 1;
      if (depth === 0) return at;
    }
  }
  return -1;
}

function splitTopLevelOutsideParens(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (quote) {
      if (char === "\\") at += 1;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "(") depth += 1;
    else if (char === ")") depth -= 1;
    else if (depth === 0 && text.startsWith(separator, at)) {
      parts.push(text.slice(start, at));
      start = at + separator.length;
      at += separator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseOperand(text: string, fail: (why: string) => never): Operand {
  if (text.startsWith("@")) return { kind: "path", segments: parseSegments(text.slice(1), text) };
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) return { kind: "literal", value: quoted[2]! };
  try {
    return { kind: "literal", value: JSON.parse(text) as Json };
  } catch {
    return fail(`'${text}' is not a value a filter can compare`);
  }
}

/** A value at a path, or `found: false` when a definite path names nothing. An indefinite path always finds a list. */
export type PathValue = { found: true; value: Json } | { found: false };

export function readPath(path: JsonPath, input: Json, context: Json): PathValue {
  const root = path.context ? context : input;
  if (path.definite) {
    let current: Json = root;
    for (const segment of path.segments) {
      const next = step(current, segment);
      if (next === undefined) return { found: false };
      current = next;
    }
    return { found: true, value: current };
  }
  let values: Json[] = [root];
  for (const segment of path.segments) values = values.flatMap((value) => select(value, segment));
  return { found: true, value: values };
}

function step(value: Json, segment: PathSegment): Json | undefined {
  if (segment.kind === "name") return isObject(value) && Object.hasOwn(value, segment.name) ? value[segment.name] : undefined;
  if (segment.kind === "index" && Array.isArray(value)) {
    const index = segment.index < 0 ? value.length + segment.index : segment.index;
    return index >= 0 && index < value.length ? value[index] : undefined;
  }
  return undefined;
}

function children(value: Json): Json[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return Object.values(value);
  return [];
}

function select(value: Json, segment: PathSegment): Json[] {
  switch (segment.kind) {
    case "name":
    case "index": {
      const next = step(value, segment);
      return next === undefined ? [] : [next];
    }
    case "wildcard":
      return children(value);
    case "slice": {
      if (!Array.isArray(value)) return [];
      const length = value.length;
      const stride = segment.step ?? 1;
      if (stride <= 0) return [];
      const clamp = (index: number): number => Math.min(Math.max(index < 0 ? length + index : index, 0), length);
      const out: Json[] = [];
      for (let index = clamp(segment.start ?? 0); index < clamp(segment.end ?? length); index += stride) out.push(value[index]!);
      return out;
    }
    case "union":
      return segment.members.flatMap((member) => {
        const next = step(value, typeof member === "number" ? { kind: "index", index: member } : { kind: "name", name: member });
        return next === undefined ? [] : [next];
      });
    case "deep": {
      const out: Json[] = [];
      const visit = (node: Json): void => {
        if (segment.name === "*") out.push(...children(node));
        else if (isObject(node) && Object.hasOwn(node, segment.name)) out.push(node[segment.name]!);
        for (const child of children(node)) visit(child);
      };
      visit(value);
      return out;
    }
    case "filter":
      return children(value).filter((child) => matches(segment.filter, child));
  }
}

function operandValue(operand: Operand, item: Json): Json | undefined {
  if (operand.kind === "literal") return operand.value;
  let current: Json | undefined = item;
  for (const segment of operand.segments) {
    if (current === undefined) return undefined;
    current = step(current, segment);
  }
  return current;
}

function matches(filter: Filter, item: Json): boolean {
  switch (filter.kind) {
    case "and":
      return matches(filter.left, item) && matches(filter.right, item);
    case "or":
      return matches(filter.left, item) || matches(filter.right, item);
    case "exists":
      return operandValue(filter.operand, item) !== undefined;
    case "compare": {
      const left = operandValue(filter.left, item);
      const right = operandValue(filter.right, item);
      if (left === undefined || right === undefined) return false;
      if (filter.op === "==") return JSON.stringify(left) === JSON.stringify(right);
      if (filter.op === "!=") return JSON.stringify(left) !== JSON.stringify(right);
      if (!((typeof left === "number" && typeof right === "number") || (typeof left === "string" && typeof right === "string"))) return false;
      switch (filter.op) {
        case "<":
          return left < right;
        case "<=":
          return left <= right;
        case ">":
          return left > right;
        case ">=":
          return left >= right;
      }
    }
  }
}

/**
 * `value` placed at the reference path `path` within a copy of `input` (ResultPath). Objects are made
 * where the path names a missing field; a path through a value that is not an object fails.
 */
export function writeReferencePath(path: JsonPath, input: Json, value: Json): Json {
  if (path.segments.length === 0) return value;
  const [head, ...tail] = path.segments;
  const rest = { ...path, segments: tail };
  if (head!.kind === "index") {
    if (!Array.isArray(input)) throw new JsonPathSyntaxError(`Unable to apply ResultPath ${path.text}: not an array`);
    const copy = [...input];
    const index = head!.index < 0 ? copy.length + head!.index : head!.index;
    if (index < 0 || index >= copy.length) throw new JsonPathSyntaxError(`Unable to apply ResultPath ${path.text}: index out of range`);
    copy[index] = writeReferencePath(rest, copy[index]!, value);
    return copy;
  }
  if (head!.kind !== "name") throw new JsonPathSyntaxError(`'${path.text}' is not a reference path`);
  const base = input === null || input === undefined ? {} : input;
  if (!isObject(base)) throw new JsonPathSyntaxError(`Unable to apply ResultPath ${path.text}: the value it goes into is not an object`);
  const existing = Object.hasOwn(base, head!.name) ? base[head!.name]! : {};
  return { ...base, [head!.name]: writeReferencePath(rest, existing, value) };
}
