// Checks a request body against the service model as AWS's front door does: required members, types,
// string lengths and patterns, list sizes, enum values, number ranges. Problems are reported the way AWS
// words a ValidationException: "2 validation errors detected: Value null at 'name' failed to satisfy
// constraint: Member must not be null; …". Unknown members are ignored, as AWS ignores them.
import type { ServiceModel, Shape } from "./service-model.js";

export class ValidationProblems {
  readonly problems: string[] = [];

  get message(): string {
    const count = this.problems.length;
    return `${count} validation error${count === 1 ? "" : "s"} detected: ${this.problems.join("; ")}`;
  }
}

const show = (value: unknown): string => (value === null || value === undefined ? "null" : typeof value === "string" ? `'${value}'` : JSON.stringify(value));

/** The problems with `body` as the input of `operation`; an empty list when it is valid. */
export function validateInput(model: ServiceModel, operation: string, body: unknown): string[] {
  const op = model.operations[operation];
  if (!op) return [`Unknown operation ${operation}`];
  const problems = new ValidationProblems();
  check(model, model.shapes[op.input.shape]!, body ?? {}, "", problems);
  return problems.problems;
}

function check(model: ServiceModel, shape: Shape, value: unknown, at: string, problems: ValidationProblems): void {
  const where = at === "" ? "" : at;
  const fail = (constraint: string): void => {
    // A sensitive value (a definition, an input) is not repeated back, as AWS does not.
    problems.problems.push(`Value ${shape.sensitive ? "" : `${show(value)} `}at '${where}' failed to satisfy constraint: ${constraint}`);
  };
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        fail("Member must be a structure");
        return;
      }
      const record = value as Record<string, unknown>;
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const member = model.shapes[ref.shape]!;
        const memberValue = record[name];
        const path = where === "" ? name : `${where}.${name}`;
        if (memberValue === undefined || memberValue === null) {
          if ((shape.required ?? []).includes(name)) problems.problems.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        check(model, member, memberValue, path, problems);
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) {
        fail("Member must be a list");
        return;
      }
      if (shape.min !== undefined && value.length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
      const member = model.shapes[shape.member!.shape]!;
      value.forEach((item, index) => check(model, member, item, `${where}.${index + 1}.member`, problems));
      return;
    }
    case "map": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail("Member must be a map");
      return;
    }
    case "string": {
      if (typeof value !== "string") {
        fail("Member must be a string");
        return;
      }
      const length = [...value].length;
      if (shape.min !== undefined && length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.enum && !shape.enum.includes(value)) fail(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
      if (shape.pattern && !new RegExp(`^(?:${shape.pattern})$`, "u").test(value)) fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") fail("Member must be a boolean");
      return;
    case "integer":
    case "long":
    case "float":
    case "double": {
      if (typeof value !== "number") {
        fail("Member must be a number");
        return;
      }
      if (shape.min !== undefined && value < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
      return;
    }
    default:
      return;
  }
}
