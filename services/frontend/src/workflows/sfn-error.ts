// A Step Functions error as AWS's JSON protocol answers it: the error type (`StateMachineDoesNotExist`,
// `InvalidDefinition`, …) in `__type` and `x-amzn-ErrorType`, a message, and HTTP 400 unless said otherwise.
export class SfnError extends Error {
  override readonly name = "SfnError";

  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
