// What a template can be refused for: one problem names the resource's logical id and the property or type.

/** One reason a template cannot be deployed. */
export interface TemplateProblem {
  /** The resource, parameter, output or section the problem is in (`HelloWorldFunction`, `Parameters.Stage`). */
  where: string;
  /** The property path beneath it, when there is one (`Events.Hello.Properties.Path`). */
  property?: string;
  message: string;
}

/** Every problem found in a template; nothing is deployed while there is one. */
export class TemplateError extends Error {
  override readonly name = "TemplateError";

  constructor(readonly problems: readonly TemplateProblem[]) {
    super(problems.map(describeProblem).join("\n"));
  }
}

export function describeProblem(problem: TemplateProblem): string {
  return problem.property === undefined ? `${problem.where}: ${problem.message}` : `${problem.where}: ${problem.property}: ${problem.message}`;
}

/** Thrown while one resource or value is resolved; the planner turns it into a TemplateProblem for that resource. */
export class ResolveError extends Error {
  override readonly name: string = "ResolveError";

  constructor(
    message: string,
    readonly property?: string,
  ) {
    super(message);
  }
}

/** A value only known after deploy, or never on Lambent (an API Gateway id): fine in Outputs, refused in a resource. */
export class UnavailableValueError extends ResolveError {
  override readonly name = "UnavailableValueError";
}
