// How a deploy tells its user what happened besides its result: the CLI prints these lines on stderr, the
// API route answers them with its result. The deploy itself never writes to a terminal.

export interface DeployReporter {
  /** Something the template does that works differently from AWS (printed as `warning: <text>`). */
  warning(text: string): void;
  /** A line about the deploy's course: an abandoned deploy recovered, a failed one undone, a deployment's step. */
  progress(line: string): void;
  /** Settings read from the environment (LAMBENT_DEPLOY_LOCK_TTL). */
  env: Readonly<Record<string, string | undefined>>;
}

/** The template, an argument or a setting cannot be used as given: the CLI prints it with its usage, the API answers InvalidParameterValueException. */
export class DeployInputError extends Error {
  override readonly name = "DeployInputError";
}
