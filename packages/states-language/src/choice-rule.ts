// A Choice state's rules: every comparison (string, numeric, boolean, timestamp; literal and `…Path`),
// the type tests (IsNull, IsPresent, IsNumeric, IsString, IsBoolean, IsTimestamp), StringMatches with
// `*` wildcards, and And, Or, Not.
import { toJsonText, type Json } from "./json.js";
import { readPath, type JsonPath } from "./json-path.js";
import { StatesError, StatesErrors } from "./states-error.js";

export const COMPARISONS = [
  "StringEquals",
  "StringLessThan",
  "StringGreaterThan",
  "StringLessThanEquals",
  "StringGreaterThanEquals",
  "NumericEquals",
  "NumericLessThan",
  "NumericGreaterThan",
  "NumericLessThanEquals",
  "NumericGreaterThanEquals",
  "BooleanEquals",
  "TimestampEquals",
  "TimestampLessThan",
  "TimestampGreaterThan",
  "TimestampLessThanEquals",
  "TimestampGreaterThanEquals",
] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const TYPE_TESTS = ["IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"] as const;
export type TypeTest = (typeof TYPE_TESTS)[number];

export type ChoiceCondition =
  | { kind: "compare"; variable: JsonPath; operator: Comparison; operand: { path: JsonPath } | { value: Json } }
  | { kind: "matches"; variable: JsonPath; pattern: string }
  | { kind: "type"; variable: JsonPath; test: TypeTest; expected: boolean }
  | { kind: "and" | "or"; rules: ChoiceCondition[] }
  | { kind: "not"; rule: ChoiceCondition };

/** RFC 3339 as Step Functions reads it: a date, `T`, a time with optional fraction, and `Z` or an offset. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function isTimestamp(value: unknown): value is string {
  return typeof value === "string" && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
}

export function evaluateCondition(condition: ChoiceCondition, input: Json, context: Json): boolean {
  switch (condition.kind) {
    case "and":
      return condition.rules.every((rule) => evaluateCondition(rule, input, context));
    case "or":
      return condition.rules.some((rule) => evaluateCondition(rule, input, context));
    case "not":
      return !evaluateCondition(condition.rule, input, context);
    case "type": {
      const found = readPath(condition.variable, input, context);
      if (condition.test === "IsPresent") return found.found === condition.expected;
      if (!found.found) return false;
      const value = found.value;
      const holds =
        condition.test === "IsNull"
          ? value === null
          : condition.test === "IsNumeric"
            ? typeof value === "number"
            : condition.test === "IsString"
              ? typeof value === "string"
              : condition.test === "IsBoolean"
                ? typeof value === "boolean"
                : isTimestamp(value);
      return holds === condition.expected;
    }
    case "matches": {
      const value = variableValue(condition.variable, input, context);
      return typeof value === "string" && wildcardPattern(condition.pattern).test(value);
    }
    case "compare": {
      const value = variableValue(condition.variable, input, context);
      let operand: Json;
      if ("path" in condition.operand) {
        const found = readPath(condition.operand.path, input, context);
        if (!found.found) throw invalidPath(condition.operand.path);
        operand = found.value;
      } else operand = condition.operand.value;
      return compare(condition.operator, value, operand);
    }
  }
}

function variableValue(path: JsonPath, input: Json, context: Json): Json {
  const found = readPath(path, input, context);
  if (!found.found) throw invalidPath(path);
  return found.value;
}

function invalidPath(path: JsonPath): StatesError {
  return new StatesError(StatesErrors.runtime, `Invalid path '${path.text}': The choice state's condition path references an invalid value.`);
}

/** A comparison between values of the wrong types is false, as in AWS. */
function compare(operator: Comparison, left: Json, right: Json): boolean {
  if (operator.startsWith("String")) {
    if (typeof left !== "string" || typeof right !== "string") return false;
    return order(operator.slice("String".length), left < right ? -1 : left > right ? 1 : 0);
  }
  if (operator.startsWith("Numeric")) {
    if (typeof left !== "number" || typeof right !== "number") return false;
    return order(operator.slice("Numeric".length), Math.sign(left - right));
  }
  if (operator === "BooleanEquals") return typeof left === "boolean" && left === right;
  if (!isTimestamp(left) || !isTimestamp(right)) return false;
  return order(operator.slice("Timestamp".length), Math.sign(Date.parse(left) - Date.parse(right)));
}

function order(relation: string, sign: number): boolean {
  switch (relation) {
    case "Equals":
      return sign === 0;
    case "LessThan":
      return sign < 0;
    case "GreaterThan":
      return sign > 0;
    case "LessThanEquals":
      return sign <= 0;
    default:
      return sign >= 0;
  }
}

/** StringMatches: `*` matches any run of characters; `\*` and `\\` are literal. */
export function wildcardPattern(pattern: string): RegExp {
  let source = "";
  for (let at = 0; at < pattern.length; at += 1) {
    const char = pattern[at]!;
    if (char === "\\" && at + 1 < pattern.length) {
      source += escapeRegExp(pattern[at + 1]!);
      at += 1;
    } else if (char === "*") source += ".*";
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, "s");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** For messages: a condition's operand as written. */
export function describeOperand(operand: { path: JsonPath } | { value: Json }): string {
  return "path" in operand ? operand.path.text : toJsonText(operand.value);
}
