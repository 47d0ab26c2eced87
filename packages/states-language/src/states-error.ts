// A failure with a Step Functions error name (`States.Runtime`, a function's own `errorType`, …) and a
// cause: what Retry and Catch match, and what an execution that fails reports.
export class StatesError extends Error {
  override readonly name = "StatesError";

  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** The error names Step Functions itself raises (the `States.` prefix is reserved for them). */
export const StatesErrors = {
  all: "States.ALL",
  heartbeatTimeout: "States.HeartbeatTimeout",
  timeout: "States.Timeout",
  taskFailed: "States.TaskFailed",
  permissions: "States.Permissions",
  resultPathMatchFailure: "States.ResultPathMatchFailure",
  parameterPathFailure: "States.ParameterPathFailure",
  branchFailed: "States.BranchFailed",
  noChoiceMatched: "States.NoChoiceMatched",
  intrinsicFailure: "States.IntrinsicFailure",
  exceedToleratedFailureThreshold: "States.ExceedToleratedFailureThreshold",
  itemReaderFailed: "States.ItemReaderFailed",
  resultWriterFailed: "States.ResultWriterFailed",
  runtime: "States.Runtime",
} as const;
