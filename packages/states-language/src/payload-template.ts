// Payload templates (Parameters, ItemSelector, ResultSelector, a Pass state's Parameters): JSON whose
// fields ending in `.$` take their value from a path or an intrinsic function. Compiled once with the
// definition; a path that finds nothing at run time is States.Runtime, as AWS raises.
import { isObject, toJsonText, type Json } from "./json.js";
import { parseJsonPath, readPath, type JsonPath } from "./json-path.js";
import { evaluateIntrinsic, isIntrinsic, parseIntrinsic, type IntrinsicCall } from "./intrinsics.js";
import { StatesError, StatesErrors } from "./states-error.js";

export type PayloadTemplate =
  | { kind: "static"; value: Json }
  | { kind: "object"; fields: { key: string; value: PayloadTemplate }[] }
  | { kind: "array"; items: PayloadTemplate[] }
  | { kind: "path"; path: JsonPath; field: string }
  | { kind: "intrinsic"; call: IntrinsicCall };

/** Compiles `value`; a bad path or call throws JsonPathSyntaxError naming the field (via `onField`'s location). */
export function compileTemplate(value: Json, where: (field: string) => string = (field) => field): PayloadTemplate {
  if (Array.isArray(value)) return { kind: "array", items: value.map((item) => compileTemplate(item, where)) };
  if (!isObject(value)) return { kind: "static", value };
  const fields = Object.entries(value).map(([key, fieldValue]) => {
    if (!key.endsWith(".$")) return { key, value: compileTemplate(fieldValue, (inner) => where(`${key}/${inner}`)) };
    const name = key.slice(0, -2);
    if (typeof fieldValue !== "string") throw new TemplateFieldError(where(key), `The value for the field '${key}' must be a STRING that contains a JSONPath or an intrinsic function`);
    try {
      const compiled: PayloadTemplate = isIntrinsic(fieldValue)
        ? { kind: "intrinsic", call: parseIntrinsic(fieldValue) }
        : { kind: "path", path: parseJsonPath(fieldValue), field: key };
      return { key: name, value: compiled };
    } catch (error) {
      throw new TemplateFieldError(where(key), error instanceof Error ? error.message : String(error));
    }
  });
  return { kind: "object", fields };
}

/** A `.$` field whose value is not a path or call. */
export class TemplateFieldError extends Error {
  override readonly name = "TemplateFieldError";
  constructor(
    readonly location: string,
    message: string,
  ) {
    super(message);
  }
}

export function applyTemplate(template: PayloadTemplate, input: Json, context: Json): Json {
  switch (template.kind) {
    case "static":
      return template.value;
    case "array":
      return template.items.map((item) => applyTemplate(item, input, context));
    case "intrinsic":
      return evaluateIntrinsic(template.call, input, context);
    case "path": {
      const found = readPath(template.path, input, context);
      if (!found.found) {
        throw new StatesError(
          StatesErrors.runtime,
          `The JSONPath '${template.path.text}' specified for the field '${template.field}' could not be found in the input '${toJsonText(template.path.context ? context : input)}'`,
        );
      }
      return found.value;
    }
    case "object": {
      const out: Record<string, Json> = {};
      for (const field of template.fields) out[field.key] = applyTemplate(field.value, input, context);
      return out;
    }
  }
}
