// A template's Parameters: each value from the overrides or the default, held to its type and constraints.
import { ResolveError } from "./errors.js";

/** The parameter types Lambent resolves; AWS-specific ones (`AWS::EC2::VPC::Id`, …) are strings. */
const LIST_TYPES = new Set(["CommaDelimitedList", "List<Number>"]);

export interface ParameterDeclaration {
  Type?: unknown;
  Default?: unknown;
  AllowedValues?: unknown;
  AllowedPattern?: unknown;
  MinLength?: unknown;
  MaxLength?: unknown;
  MinValue?: unknown;
  MaxValue?: unknown;
  ConstraintDescription?: unknown;
}

/** Resolves one parameter; throws ResolveError naming the constraint it breaks. */
export function resolveParameter(name: string, declaration: ParameterDeclaration, override: string | undefined): string | string[] {
  const type = typeof declaration.Type === "string" ? declaration.Type : "String";
  if (type.startsWith("AWS::SSM::Parameter")) throw new ResolveError(`type ${type} reads AWS Systems Manager, which Lambent does not have: use a String parameter`, "Type");
  const raw = override ?? (declaration.Default === undefined ? undefined : scalarText(declaration.Default));
  if (raw === undefined) throw new ResolveError(`has no Default, so it must be given: --parameter-overrides ${name}=VALUE`);
  const explain = typeof declaration.ConstraintDescription === "string" ? ` (${declaration.ConstraintDescription})` : "";
  if (LIST_TYPES.has(type) || type.startsWith("List<")) {
    const items = raw === "" ? [] : raw.split(",").map((item) => item.trim());
    if (type === "List<Number>") for (const item of items) requireNumber(item, explain);
    for (const item of items) checkAllowed(item, declaration, explain);
    return items;
  }
  if (type === "Number") {
    const value = requireNumber(raw, explain);
    if (typeof declaration.MinValue !== "undefined" && value < Number(declaration.MinValue)) throw new ResolveError(`${raw} is below MinValue ${String(declaration.MinValue)}${explain}`);
    if (typeof declaration.MaxValue !== "undefined" && value > Number(declaration.MaxValue)) throw new ResolveError(`${raw} is above MaxValue ${String(declaration.MaxValue)}${explain}`);
  } else {
    if (declaration.MinLength !== undefined && raw.length < Number(declaration.MinLength)) throw new ResolveError(`'${raw}' is shorter than MinLength ${String(declaration.MinLength)}${explain}`);
    if (declaration.MaxLength !== undefined && raw.length > Number(declaration.MaxLength)) throw new ResolveError(`'${raw}' is longer than MaxLength ${String(declaration.MaxLength)}${explain}`);
    if (typeof declaration.AllowedPattern === "string" && !new RegExp(`^(?:${declaration.AllowedPattern})$`).test(raw)) {
      throw new ResolveError(`'${raw}' does not match AllowedPattern ${declaration.AllowedPattern}${explain}`);
    }
  }
  checkAllowed(raw, declaration, explain);
  return raw;
}

/** `Key=Value` pairs, and SAM's `ParameterKey=Key,ParameterValue=Value` form; a value may hold `=`. */
export function parseParameterOverrides(pairs: readonly string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const pair of pairs) {
    const long = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(pair);
    const equals = pair.indexOf("=");
    const [key, value] = long ? [long[1]!, long[2]!] : equals > 0 ? [pair.slice(0, equals), pair.slice(equals + 1)] : [undefined, undefined];
    if (key === undefined || value === undefined) throw new ResolveError(`'${pair}' is not Key=Value`);
    if (Object.hasOwn(overrides, key)) throw new ResolveError(`${key} is given twice`);
    overrides[key] = value;
  }
  return overrides;
}

function checkAllowed(value: string, declaration: ParameterDeclaration, explain: string): void {
  if (!Array.isArray(declaration.AllowedValues)) return;
  const allowed = declaration.AllowedValues.map(scalarText);
  if (!allowed.includes(value)) throw new ResolveError(`'${value}' is not one of AllowedValues ${allowed.join(", ")}${explain}`);
}

function requireNumber(raw: string, explain: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) throw new ResolveError(`'${raw}' is not a number${explain}`);
  return value;
}

function scalarText(value: unknown): string {
  if (Array.isArray(value)) return value.map(scalarText).join(",");
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}
