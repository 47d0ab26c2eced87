// CloudFormation's intrinsic functions over a scope of parameters, conditions, mappings and resources:
// Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Select,
// Fn::Split, Fn::FindInMap, Fn::Base64 and Condition. `AWS::NoValue` removes the key or item it stands for.
import { ResolveError, UnavailableValueError } from "./errors.js";

/** What `Ref AWS::NoValue` evaluates to: the enclosing map drops the key, a list drops the item. */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

/** A resolved value: JSON-shaped, or NO_VALUE. */
export type Resolved = string | number | boolean | null | Resolved[] | { [key: string]: Resolved } | typeof NO_VALUE;

/** What a resource answers to Ref and Fn::GetAtt. An attribute absent from `attributes` is not one it has. */
export interface ResourceValues {
  type: string;
  /** `Ref`'s value; a function that throws an UnavailableValueError when it is not known (yet). */
  ref: () => string;
  attributes: Readonly<Record<string, () => string>>;
}

export interface IntrinsicScope {
  /** Parameters and pseudo parameters by name: a string, or a list for list types. */
  parameters: ReadonlyMap<string, string | string[]>;
  /** Conditions already evaluated; a condition not here yet is evaluated through `condition`. */
  condition(name: string): boolean;
  mappings: Readonly<Record<string, unknown>>;
  resources: ReadonlyMap<string, ResourceValues>;
}

const CONDITION_FUNCTIONS = new Set(["Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"]);

/** Resolves every intrinsic in `value`; `path` names the property for error messages. */
export function resolveValue(value: unknown, scope: IntrinsicScope, path = ""): Resolved {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (value === undefined) return NO_VALUE;
  if (Array.isArray(value)) {
    const items: Resolved[] = [];
    value.forEach((item, index) => {
      const resolved = resolveValue(item, scope, `${path}[${index}]`);
      if (resolved !== NO_VALUE) items.push(resolved);
    });
    return items;
  }
  if (typeof value !== "object") throw new ResolveError(`is not a value a template can hold`, path || undefined);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, argument] = entries[0]!;
    if (key === "Ref" || key.startsWith("Fn::")) return resolveFunction(key, argument, scope, path);
  }
  const result: { [key: string]: Resolved } = {};
  for (const [key, item] of entries) {
    const resolved = resolveValue(item, scope, path === "" ? key : `${path}.${key}`);
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
}

/** Evaluates a condition expression: Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, or a literal boolean. */
export function evaluateCondition(value: unknown, scope: IntrinsicScope, path: string): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0]!;
      switch (key) {
        case "Condition":
          if (typeof argument !== "string") throw new ResolveError("Condition takes the name of a condition", path);
          return scope.condition(argument);
        case "Fn::Equals": {
          const [a, b] = fixedList(argument, 2, key, path);
          return sameValue(resolveValue(a, scope, path), resolveValue(b, scope, path));
        }
        case "Fn::Not":
          return !evaluateCondition(fixedList(argument, 1, key, path)[0], scope, path);
        case "Fn::And":
        case "Fn::Or": {
          if (!Array.isArray(argument) || argument.length < 2 || argument.length > 10) throw new ResolveError(`${key} takes 2 to 10 conditions`, path);
          const results = argument.map((item) => evaluateCondition(item, scope, path));
          return key === "Fn::And" ? results.every(Boolean) : results.some(Boolean);
        }
      }
    }
  }
  throw new ResolveError("is not a condition: use Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition", path);
}

function resolveFunction(key: string, argument: unknown, scope: IntrinsicScope, path: string): Resolved {
  switch (key) {
    case "Ref":
      return resolveRef(argument, scope, path);
    case "Fn::GetAtt":
      return resolveGetAtt(argument, scope, path);
    case "Fn::Sub":
      return resolveSub(argument, scope, path);
    case "Fn::Join": {
      const [separator, list] = fixedList(argument, 2, key, path);
      const resolvedSeparator = resolveValue(separator, scope, path);
      const items = resolveValue(list, scope, path);
      if (typeof resolvedSeparator !== "string" || !Array.isArray(items)) throw new ResolveError("Fn::Join takes a separator and a list", path);
      return items.map((item) => asText(item, key, path)).join(resolvedSeparator);
    }
    case "Fn::If": {
      const [condition, whenTrue, whenFalse] = fixedList(argument, 3, key, path);
      if (typeof condition !== "string") throw new ResolveError("Fn::If takes the name of a condition first", path);
      return resolveValue(scope.condition(condition) ? whenTrue : whenFalse, scope, path);
    }
    case "Fn::Select": {
      const [index, list] = fixedList(argument, 2, key, path);
      const resolvedIndex = Number(resolveValue(index, scope, path));
      const items = resolveValue(list, scope, path);
      if (!Array.isArray(items)) throw new ResolveError("Fn::Select takes an index and a list", path);
      if (!Number.isInteger(resolvedIndex) || resolvedIndex < 0 || resolvedIndex >= items.length) throw new ResolveError(`Fn::Select index ${String(index)} is outside the list of ${items.length}`, path);
      return items[resolvedIndex]!;
    }
    case "Fn::Split": {
      const [separator, source] = fixedList(argument, 2, key, path);
      const text = resolveValue(source, scope, path);
      if (typeof separator !== "string" || typeof text !== "string") throw new ResolveError("Fn::Split takes a separator and a string", path);
      return text.split(separator);
    }
    case "Fn::FindInMap": {
      const [map, top, second] = fixedList(argument, 3, key, path).map((item) => asText(resolveValue(item, scope, path), key, path));
      const found = ownEntry(ownEntry(ownEntry(scope.mappings, map!), top!), second!);
      if (found === undefined) throw new ResolveError(`Fn::FindInMap finds nothing at ${map}.${top}.${second} in Mappings`, path);
      return resolveValue(found, scope, path);
    }
    case "Fn::Base64":
      return Buffer.from(asText(resolveValue(argument, scope, path), key, path)).toString("base64");
    default:
      if (CONDITION_FUNCTIONS.has(key)) throw new ResolveError(`${key} belongs in Conditions or the first item of Fn::If, not in a value`, path || undefined);
      throw new ResolveError(`the intrinsic function ${key} is not supported by Lambent`, path || undefined);
  }
}

function resolveRef(argument: unknown, scope: IntrinsicScope, path: string): Resolved {
  if (typeof argument !== "string") throw new ResolveError("Ref takes a name", path);
  if (argument === "AWS::NoValue") return NO_VALUE;
  const parameter = scope.parameters.get(argument);
  if (parameter !== undefined) return parameter;
  const resource = scope.resources.get(argument);
  if (resource !== undefined) return atPath(path, resource.ref);
  throw new ResolveError(`Ref ${argument} names no parameter or resource of the template`, path || undefined);
}

function resolveGetAtt(argument: unknown, scope: IntrinsicScope, path: string): Resolved {
  const resolved = Array.isArray(argument) ? argument.map((item) => resolveValue(item, scope, path)) : argument;
  if (!Array.isArray(resolved) || resolved.length !== 2 || typeof resolved[0] !== "string" || typeof resolved[1] !== "string") {
    throw new ResolveError("Fn::GetAtt takes a resource and an attribute (Resource.Attribute)", path);
  }
  return attributeOf(resolved[0], resolved[1], scope, path);
}

function attributeOf(logicalId: string, attribute: string, scope: IntrinsicScope, path: string): string {
  const resource = scope.resources.get(logicalId);
  if (resource === undefined) throw new ResolveError(`Fn::GetAtt ${logicalId}.${attribute} names no resource of the template`, path || undefined);
  const value = resource.attributes[attribute];
  if (value === undefined) throw new ResolveError(`Fn::GetAtt ${logicalId}.${attribute}: ${resource.type} has no attribute ${attribute} on Lambent`, path || undefined);
  return atPath(path, value);
}

/** Runs a resource's value getter, naming the property in an error that does not name one yet. */
function atPath(path: string, get: () => string): string {
  try {
    return get();
  } catch (error) {
    if (!(error instanceof ResolveError) || error.property !== undefined || path === "") throw error;
    throw new (error.constructor as typeof ResolveError)(error.message, path);
  }
}

/** `${Name}`, `${Resource.Attribute}`, `${!Literal}`; with a variable map, its names first. */
function resolveSub(argument: unknown, scope: IntrinsicScope, path: string): Resolved {
  let template: unknown = argument;
  const variables = new Map<string, string>();
  if (Array.isArray(argument)) {
    const [text, map] = fixedList(argument, 2, "Fn::Sub", path);
    template = text;
    const resolvedMap = resolveValue(map, scope, path);
    if (resolvedMap === null || typeof resolvedMap !== "object" || Array.isArray(resolvedMap)) throw new ResolveError("Fn::Sub's second item must be a map of variables", path);
    for (const [name, value] of Object.entries(resolvedMap)) variables.set(name, asText(value, "Fn::Sub", path));
  }
  if (typeof template !== "string") throw new ResolveError("Fn::Sub takes a string", path);
  return template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith("!")) return `\${${name.slice(1)}}`;
    const trimmed = name.trim();
    const variable = variables.get(trimmed);
    if (variable !== undefined) return variable;
    const dot = trimmed.indexOf(".");
    if (dot > 0 && !trimmed.startsWith("AWS::")) return attributeOf(trimmed.slice(0, dot), trimmed.slice(dot + 1), scope, path);
    const resolved = resolveRef(trimmed, scope, path);
    if (resolved === NO_VALUE) throw new ResolveError(`Fn::Sub cannot use ${whole}`, path);
    return asText(resolved, "Fn::Sub", path);
  });
}

/** A map's own entry, or undefined; never one of Object's own properties. */
function ownEntry(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function fixedList(argument: unknown, length: number, key: string, path: string): unknown[] {
  if (!Array.isArray(argument) || argument.length !== length) throw new ResolveError(`${key} takes a list of ${length}`, path || undefined);
  return argument;
}

function asText(value: Resolved, key: string, path: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((item) => asText(item, key, path)).join(",");
  throw new ResolveError(`${key} needs a string here`, path || undefined);
}

function sameValue(a: Resolved, b: Resolved): boolean {
  if (typeof a === "object" || typeof b === "object") return JSON.stringify(a) === JSON.stringify(b);
  return String(a) === String(b);
}

/** For a value that exists only after deploy or never on Lambent: resolves in Outputs to a note, refused elsewhere. */
export function unavailable(message: string): () => never {
  return () => {
    throw new UnavailableValueError(message);
  };
}
