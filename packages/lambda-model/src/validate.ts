// Checks a request against the constraints of Lambda's service model (required members, lengths, ranges,
// patterns, enums) and words each violation as AWS's request validation does:
//   1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: …
// Values of the wrong JSON type are not this module's to judge (the body readers refuse them), so they pass.
import { lambdaServiceModel, type OperationName } from "./generated/service-model.js";
import type { MemberModel, ShapeModel } from "./service-model-types.js";

/** One constraint a value breaks, at a path of lower-camel member names (`routingConfig.additionalVersionWeights`). */
export interface ConstraintViolation {
  path: string;
  /** The value as Java's `toString` writes it (`[a, b]`, `{2=2.0}`); null when a required member is missing. */
  value: string | null;
  constraint: string;
}

/** Constraint wordings, the model's and Lambda's own limits alike, so every message reads the same. */
export const Constraint = {
  notNull: "Member must not be null",
  maxLength: (max: number) => `Member must have length less than or equal to ${max}`,
  minLength: (min: number) => `Member must have length greater than or equal to ${min}`,
  maxValue: (max: number, type: "integer" | "double" = "integer") => `Member must have value less than or equal to ${numberText(max, type)}`,
  minValue: (min: number, type: "integer" | "double" = "integer") => `Member must have value greater than or equal to ${numberText(min, type)}`,
  pattern: (pattern: string) => `Member must satisfy regular expression pattern: ${pattern}`,
  enumSet: (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(", ")}]`,
} as const;

const shapes = lambdaServiceModel.shapes;
const patterns = new Map<string, RegExp>();

/**
 * The violations of an operation's input: its members by their model names (`FunctionName`, `Qualifier`,
 * body members), wherever they travel. Absent and `null` members count as not given.
 */
export function validateInput(operation: OperationName, input: Readonly<Record<string, unknown>>): ConstraintViolation[] {
  const inputShape = lambdaServiceModel.operations[operation].input?.shape;
  if (inputShape === undefined) return [];
  const violations: ConstraintViolation[] = [];
  checkStructure(shape(inputShape), input, "", violations);
  return violations;
}

/** The violations of one value against a named shape of the model, reported at `path`. */
export function validateShape(shapeName: string, value: unknown, path: string): ConstraintViolation[] {
  const violations: ConstraintViolation[] = [];
  checkValue(shape(shapeName), value, path, violations);
  return violations;
}

/** `Value 'x' at 'path' failed to satisfy constraint: …` */
export function describeViolation(violation: ConstraintViolation): string {
  const value = violation.value === null ? "null" : `'${violation.value}'`;
  return `Value ${value} at '${violation.path}' failed to satisfy constraint: ${violation.constraint}`;
}

/** The message of a request that breaks constraints: `N validation error(s) detected: …; …`. */
export function violationsMessage(violations: readonly ConstraintViolation[]): string {
  const count = violations.length;
  return `${count} validation error${count === 1 ? "" : "s"} detected: ${violations.map(describeViolation).join("; ")}`;
}

/** A shape of the model by name; throws for a name the model does not define. */
export function shape(name: string): ShapeModel {
  const found = shapes[name];
  if (found === undefined) throw new Error(`Lambda's service model has no shape ${name}`);
  return found;
}

/** The constraints a value of the shape must meet, worded, as AWS lists them for list elements and map values. */
export function constraintsOf(model: ShapeModel): string[] {
  const constraints: string[] = [];
  if (model.type === "string" || model.type === "list" || model.type === "map" || model.type === "blob") {
    if (model.max !== undefined) constraints.push(Constraint.maxLength(model.max));
    if (model.min !== undefined) constraints.push(Constraint.minLength(model.min));
  } else if (isNumeric(model)) {
    if (model.max !== undefined) constraints.push(Constraint.maxValue(model.max, numberKind(model)));
    if (model.min !== undefined) constraints.push(Constraint.minValue(model.min, numberKind(model)));
  }
  if (model.pattern !== undefined) constraints.push(Constraint.pattern(model.pattern));
  if (model.enum !== undefined) constraints.push(Constraint.enumSet(model.enum));
  // An enumerated or numeric element is a value that may not be null; a free string is not said to be.
  if (model.enum !== undefined || isNumeric(model)) constraints.push(Constraint.notNull);
  return constraints;
}

function checkStructure(model: ShapeModel, value: Readonly<Record<string, unknown>>, path: string, violations: ConstraintViolation[]): void {
  const required = new Set(model.required ?? []);
  for (const [name, member] of Object.entries(model.members ?? {})) {
    const memberPath = path === "" ? lowerFirst(name) : `${path}.${lowerFirst(name)}`;
    const memberValue = value[name];
    if (memberValue === undefined || memberValue === null) {
      if (required.has(name)) violations.push({ path: memberPath, value: null, constraint: Constraint.notNull });
      continue;
    }
    checkValue(shape(member.shape), memberValue, memberPath, violations);
  }
}

function checkValue(model: ShapeModel, value: unknown, path: string, violations: ConstraintViolation[]): void {
  switch (model.type) {
    case "structure":
      if (isRecord(value)) checkStructure(model, value, path, violations);
      return;
    case "string":
      if (typeof value === "string") for (const constraint of stringViolations(model, value)) violations.push({ path, value: shown(model, value), constraint });
      return;
    case "integer":
    case "long":
    case "double":
    case "float": {
      const number = asNumber(value);
      if (number !== undefined) for (const constraint of numberViolations(model, number)) violations.push({ path, value: shown(model, number), constraint });
      return;
    }
    case "list":
      if (Array.isArray(value)) checkList(model, value, path, violations);
      return;
    case "map":
      if (isRecord(value)) checkMap(model, value, path, violations);
      return;
    default:
      return;
  }
}

function checkList(model: ShapeModel, value: readonly unknown[], path: string, violations: ConstraintViolation[]): void {
  for (const constraint of lengthViolations(model, value.length)) violations.push({ path, value: shown(model, value), constraint });
  const element = elementShape(model.member);
  if (element.type === "structure" || element.type === "list" || element.type === "map") {
    value.forEach((item, index) => checkValue(element, item, `${path}.${index + 1}.member`, violations));
    return;
  }
  if (value.some((item) => item === null || item === undefined || leafViolations(element, item).length > 0)) {
    violations.push({ path, value: shown(model, value), constraint: `Member must satisfy constraint: [${constraintsOf(element).join(", ")}]` });
  }
}

function checkMap(model: ShapeModel, value: Readonly<Record<string, unknown>>, path: string, violations: ConstraintViolation[]): void {
  const entries = Object.entries(value);
  for (const constraint of lengthViolations(model, entries.length)) violations.push({ path, value: shown(model, value), constraint });
  const keyShape = elementShape(model.key);
  const valueShape = elementShape(model.value);
  if (entries.some(([key]) => leafViolations(keyShape, key).length > 0)) {
    violations.push({ path, value: shown(model, value), constraint: `Map keys must satisfy constraint: [${constraintsOf(keyShape).join(", ")}]` });
  }
  if (valueShape.type === "structure" || valueShape.type === "list" || valueShape.type === "map") {
    for (const [key, item] of entries) checkValue(valueShape, item, `${path}.${key}`, violations);
  } else if (entries.some(([, item]) => item === null || leafViolations(valueShape, item).length > 0)) {
    violations.push({ path, value: shown(model, value), constraint: `Map value must satisfy constraint: [${constraintsOf(valueShape).join(", ")}]` });
  }
}

/** What a string or number element breaks (other types have no constraints the model states). */
function leafViolations(model: ShapeModel, value: unknown): string[] {
  if (model.type === "string") return typeof value === "string" ? stringViolations(model, value) : [];
  const number = isNumeric(model) ? asNumber(value) : undefined;
  return number === undefined ? [] : numberViolations(model, number);
}

function stringViolations(model: ShapeModel, value: string): string[] {
  const broken = lengthViolations(model, value.length);
  if (model.pattern !== undefined && !regexOf(model.pattern).test(value)) broken.push(Constraint.pattern(model.pattern));
  if (model.enum !== undefined && !model.enum.includes(value)) broken.push(Constraint.enumSet(model.enum));
  return broken;
}

function lengthViolations(model: ShapeModel, length: number): string[] {
  const broken: string[] = [];
  if (model.max !== undefined && length > model.max) broken.push(Constraint.maxLength(model.max));
  if (model.min !== undefined && length < model.min) broken.push(Constraint.minLength(model.min));
  return broken;
}

function numberViolations(model: ShapeModel, value: number): string[] {
  const broken: string[] = [];
  if (model.max !== undefined && value > model.max) broken.push(Constraint.maxValue(model.max, numberKind(model)));
  if (model.min !== undefined && value < model.min) broken.push(Constraint.minValue(model.min, numberKind(model)));
  return broken;
}

function elementShape(member: MemberModel | undefined): ShapeModel {
  if (member === undefined) throw new Error("A list or map shape of the model names no element shape");
  return shape(member.shape);
}

function regexOf(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    // Java's `matches`: the whole value, not a part of it.
    regex = new RegExp(`^(?:${pattern})$`);
    patterns.set(pattern, regex);
  }
  return regex;
}

function isNumeric(model: ShapeModel): boolean {
  return model.type === "integer" || model.type === "long" || model.type === "double" || model.type === "float";
}

function numberKind(model: ShapeModel): "integer" | "double" {
  return model.type === "double" || model.type === "float" ? "double" : "integer";
}

/** A number, or a numeric string as a query parameter carries one. */
function asNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * A value of a shape as Java's `toString` writes it once deserialized: lists `[a, b]`, maps `{k=v}`, a
 * double with its fraction (`2.0`), whatever the JSON wrote.
 */
export function shown(model: ShapeModel, value: unknown): string {
  if (Array.isArray(value)) {
    const element = model.type === "list" && model.member ? shape(model.member.shape) : undefined;
    return `[${value.map((item) => (element ? shown(element, item) : String(item))).join(", ")}]`;
  }
  if (isRecord(value)) {
    const valueShape = model.type === "map" && model.value ? shape(model.value.shape) : undefined;
    return `{${Object.entries(value).map(([key, item]) => `${key}=${valueShape ? shown(valueShape, item) : String(item)}`).join(", ")}}`;
  }
  const number = isNumeric(model) ? asNumber(value) : undefined;
  if (number !== undefined) return numberText(number, numberKind(model));
  return String(value);
}

/** Java's rendering of an int, or of a double (`1.0`, `0.5`, `1.0E-7`). */
function numberText(value: number, type: "integer" | "double"): string {
  if (type === "integer" && Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (value === 0) return "0.0";
  if (magnitude >= 1e-3 && magnitude < 1e7) return Number.isInteger(value) ? `${value}.0` : String(value);
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exponent.replace("+", "")}`;
}
