// Every control-plane request is first held to Lambda's service model, as AWS's request validation holds it,
// before anything is read or written: a broken constraint is a ValidationException worded as AWS words it.
// The input is the operation's members by their model names, wherever they travel (path, query, body).
import { validationError } from "@lambent/errors";
import { validateInput, violationsMessage, type OperationName } from "@lambent/lambda-model";

/**
 * Members whose model constraints Lambda checks itself after the request validation, in words of its own:
 * an unknown `Runtime` is InvalidParameterValueException (function-settings.ts).
 */
const CHECKED_BY_LAMBDA = new Set(["runtime"]);

export function checkInput(operation: OperationName, input: Readonly<Record<string, unknown>>): void {
  const violations = validateInput(operation, input).filter((violation) => !CHECKED_BY_LAMBDA.has(violation.path));
  if (violations.length > 0) throw validationError(violationsMessage(violations));
}
