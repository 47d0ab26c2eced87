// A Step Functions error as AWS's JSON protocol answers it: the error type (`StateMachineDoesNotExist`,
// `InvalidDefinition`, …) in `__type` and `x-amzn-ErrorType`, a message, and HTTP 400 unless said
// otherwise; over gRPC, the status each type maps to (one table, checked exhaustive by the compiler).
import * as grpc from "@grpc/grpc-js";

export const GrpcStatusOfSfnError = {
  ValidationException: grpc.status.INVALID_ARGUMENT,
  SerializationException: grpc.status.INVALID_ARGUMENT,
  UnknownOperationException: grpc.status.UNIMPLEMENTED,
  MissingRequiredParameter: grpc.status.INVALID_ARGUMENT,
  InvalidArn: grpc.status.INVALID_ARGUMENT,
  InvalidName: grpc.status.INVALID_ARGUMENT,
  InvalidDefinition: grpc.status.INVALID_ARGUMENT,
  InvalidExecutionInput: grpc.status.INVALID_ARGUMENT,
  InvalidOutput: grpc.status.INVALID_ARGUMENT,
  InvalidToken: grpc.status.INVALID_ARGUMENT,
  TooManyTags: grpc.status.INVALID_ARGUMENT,
  StateMachineTypeNotSupported: grpc.status.FAILED_PRECONDITION,
  StateMachineDoesNotExist: grpc.status.NOT_FOUND,
  ExecutionDoesNotExist: grpc.status.NOT_FOUND,
  TaskDoesNotExist: grpc.status.NOT_FOUND,
  ResourceNotFound: grpc.status.NOT_FOUND,
  StateMachineAlreadyExists: grpc.status.ALREADY_EXISTS,
  ExecutionAlreadyExists: grpc.status.ALREADY_EXISTS,
  TaskTimedOut: grpc.status.FAILED_PRECONDITION,
  ServiceUnavailable: grpc.status.UNAVAILABLE,
  InternalFailure: grpc.status.INTERNAL,
} as const satisfies Record<string, grpc.status>;

/** Every error type Lambent's Step Functions answers with. */
export type SfnErrorType = keyof typeof GrpcStatusOfSfnError;

export class SfnError extends Error {
  override readonly name = "SfnError";

  constructor(
    readonly type: SfnErrorType,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
