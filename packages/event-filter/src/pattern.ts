// Lambda's filter patterns: a JSON object mirroring the record, whose leaves are lists of conditions, any
// of which may hold (OR); every field named must match (AND). A condition is a value to equal (string,
// number, boolean, null; `""` for empty), or one of `prefix`, `suffix`, `equals-ignore-case`,
// `anything-but`, `numeric` (a range of up to two comparisons) and `exists`. `$or` takes a list of
// patterns any of which may match. A record field that is a list matches when one of its items does.
// A pattern is checked once, when a mapping is written, and compiled; then it matches record after record.

/** Lambda's words for a pattern it cannot read. */
export const INVALID_PATTERN_MESSAGE = "Invalid filter pattern definition.";

export class FilterPatternError extends Error {
  override readonly name = "FilterPatternError";

  constructor(readonly reason: string) {
    super(INVALID_PATTERN_MESSAGE);
  }
}

type Condition = (value: unknown) => boolean;

/** A compiled pattern: conditions per field, nested patterns per field, and `$or` alternatives. */
export interface CompiledPattern {
  readonly fields: ReadonlyMap<string, CompiledPattern | { conditions: Condition[]; matchesMissing: boolean }>;
  readonly alternatives: readonly CompiledPattern[];
}

/** Parses and checks a pattern; FilterPatternError when it is not one Lambda takes. */
export function compilePattern(text: string): CompiledPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FilterPatternError("the pattern is not JSON");
  }
  return compileObject(parsed, "");
}

/** Whether the record matches the pattern. */
export function matchesPattern(pattern: CompiledPattern, record: unknown): boolean {
  const object = isObject(record) ? record : {};
  for (const [key, node] of pattern.fields) {
    const value = object[key];
    if ("conditions" in node) {
      if (!matchesLeaf(node, value)) return false;
    } else if (!matchesPattern(node, isObject(value) ? value : {})) {
      return false;
    }
  }
  return pattern.alternatives.length === 0 || pattern.alternatives.some((alternative) => matchesPattern(alternative, object));
}

/** Whether the record passes a mapping's filters: any one of them matching, or there being none. */
export function matchesAny(patterns: readonly CompiledPattern[], record: unknown): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesPattern(pattern, record));
}

function matchesLeaf(leaf: { conditions: Condition[]; matchesMissing: boolean }, value: unknown): boolean {
  if (value === undefined) return leaf.matchesMissing;
  if (Array.isArray(value)) return value.some((item) => leaf.conditions.some((condition) => condition(item)));
  return leaf.conditions.some((condition) => condition(value));
}

function compileObject(value: unknown, path: string): CompiledPattern {
  if (!isObject(value)) throw new FilterPatternError(`${path || "the pattern"} must be a JSON object`);
  const fields = new Map<string, CompiledPattern | { conditions: Condition[]; matchesMissing: boolean }>();
  let alternatives: CompiledPattern[] = [];
  const entries = Object.entries(value);
  if (entries.length === 0 && path !== "") throw new FilterPatternError(`${path} is empty`);
  for (const [key, node] of entries) {
    const at = path === "" ? key : `${path}.${key}`;
    if (key === "$or") {
      if (!Array.isArray(node) || node.length < 2) throw new FilterPatternError(`${at} must list at least two patterns`);
      alternatives = node.map((alternative, index) => compileObject(alternative, `${at}[${index}]`));
    } else if (Array.isArray(node)) {
      fields.set(key, compileLeaf(node, at));
    } else {
      fields.set(key, compileObject(node, at));
    }
  }
  return { fields, alternatives };
}

function compileLeaf(conditions: unknown[], path: string): { conditions: Condition[]; matchesMissing: boolean } {
  if (conditions.length === 0) throw new FilterPatternError(`${path} lists no condition`);
  const compiled: Condition[] = [];
  let matchesMissing = false;
  for (const condition of conditions) {
    if (isObject(condition) && Object.keys(condition).length === 1 && "exists" in condition) {
      if (typeof condition["exists"] !== "boolean") throw new FilterPatternError(`${path}: exists takes true or false`);
      if (condition["exists"]) compiled.push(() => true);
      else matchesMissing = true;
      continue;
    }
    compiled.push(compileCondition(condition, path));
  }
  return { conditions: compiled, matchesMissing };
}

function compileCondition(condition: unknown, path: string): Condition {
  if (condition === null || typeof condition === "string" || typeof condition === "boolean") return (value) => value === condition;
  if (typeof condition === "number") return (value) => typeof value === "number" && value === condition;
  if (!isObject(condition) || Object.keys(condition).length !== 1) throw new FilterPatternError(`${path}: a condition is a value or an object with one operator`);
  const [operator, operand] = Object.entries(condition)[0]!;
  switch (operator) {
    case "prefix":
    case "suffix":
      return affixCondition(operator, operand, path);
    case "equals-ignore-case": {
      const expected = requireString(operand, path, operator).toLowerCase();
      return (value) => typeof value === "string" && value.toLowerCase() === expected;
    }
    case "anything-but":
      return anythingBut(operand, path);
    case "numeric":
      return numericRange(operand, path);
    default:
      throw new FilterPatternError(`${path}: unknown operator '${operator}'`);
  }
}

function affixCondition(operator: "prefix" | "suffix", operand: unknown, path: string): Condition {
  let ignoreCase = false;
  let text: string;
  if (isObject(operand) && Object.keys(operand).length === 1 && "equals-ignore-case" in operand) {
    ignoreCase = true;
    text = requireString(operand["equals-ignore-case"], path, `${operator}.equals-ignore-case`).toLowerCase();
  } else {
    text = requireString(operand, path, operator);
  }
  return (value) => {
    if (typeof value !== "string") return false;
    const subject = ignoreCase ? value.toLowerCase() : value;
    return operator === "prefix" ? subject.startsWith(text) : subject.endsWith(text);
  };
}

/** Anything but the values (or a prefix, suffix or case-insensitive value) given; a missing field is not "anything". */
function anythingBut(operand: unknown, path: string): Condition {
  if (isObject(operand)) {
    if (Object.keys(operand).length !== 1) throw new FilterPatternError(`${path}: anything-but takes one operator`);
    const [operator, inner] = Object.entries(operand)[0]!;
    if (operator === "prefix" || operator === "suffix") {
      const excluded = affixCondition(operator, inner, path);
      return (value) => typeof value === "string" && !excluded(value);
    }
    if (operator === "equals-ignore-case") {
      const values = (Array.isArray(inner) ? inner : [inner]).map((item) => requireString(item, path, "anything-but.equals-ignore-case").toLowerCase());
      return (value) => typeof value === "string" && !values.includes(value.toLowerCase());
    }
    throw new FilterPatternError(`${path}: anything-but does not take '${operator}'`);
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  if (excluded.length === 0 || excluded.some((item) => typeof item !== "string" && typeof item !== "number")) {
    throw new FilterPatternError(`${path}: anything-but takes strings or numbers`);
  }
  return (value) => (typeof value === "string" || typeof value === "number") && !excluded.includes(value);
}

const COMPARISONS: Readonly<Record<string, (value: number, bound: number) => boolean>> = {
  "=": (value, bound) => value === bound,
  ">": (value, bound) => value > bound,
  ">=": (value, bound) => value >= bound,
  "<": (value, bound) => value < bound,
  "<=": (value, bound) => value <= bound,
};

/** `[op, n]` or a range `[op, n, op, n]`, a lower bound then an upper one. */
function numericRange(operand: unknown, path: string): Condition {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) throw new FilterPatternError(`${path}: numeric takes [op, n] or [op, n, op, n]`);
  const comparisons: [(value: number, bound: number) => boolean, number][] = [];
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const bound = operand[index + 1];
    const compare = typeof operator === "string" ? COMPARISONS[operator] : undefined;
    if (compare === undefined || typeof bound !== "number" || !Number.isFinite(bound)) throw new FilterPatternError(`${path}: numeric takes comparisons (=, >, >=, <, <=) with numbers`);
    comparisons.push([compare, bound]);
  }
  if (comparisons.length === 2) {
    const [lower, lowerBound, upper, upperBound] = operand as [string, number, string, number];
    if (!lower.startsWith(">") || !upper.startsWith("<") || lowerBound >= upperBound) {
      throw new FilterPatternError(`${path}: a numeric range is a lower bound (> or >=) then a higher upper bound (< or <=)`);
    }
  }
  return (value) => typeof value === "number" && comparisons.every(([compare, bound]) => compare(value, bound));
}

function requireString(value: unknown, path: string, operator: string): string {
  if (typeof value !== "string") throw new FilterPatternError(`${path}: ${operator} takes a string`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
