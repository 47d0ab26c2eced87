// A Step Functions error as AWS's JSON protocol answers it: the error type (`StateMachineDoesNotExist`,
// `InvalidDefinition`, …) in `__type` and `x-amzn-ErrorType`, and a message. The HTTP status and the gRPC
// status of each type are one table each, checked exhaustive by the compiler (and docs/errors.md by a test).
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
  MissingAuthenticationTokenException: grpc.status.UNAUTHENTICATED,
  UnrecognizedClientException: grpc.status.UNAUTHENTICATED,
  InvalidSignatureException: grpc.status.UNAUTHENTICATED,
  AccessDeniedException: grpc.status.PERMISSION_DENIED,
  ServiceUnavailable: grpc.status.UNAVAILABLE,
  InternalFailure: grpc.status.INTERNAL,
} as const satisfies Record<string, grpc.status>;

/** Every error type Lambent's Step Functions answers with. */
export type SfnErrorType = keyof typeof GrpcStatusOfSfnError;

/** AWS answers every client error of the JSON protocol with 400. */
export const HttpStatusOfSfnError: Record<SfnErrorType, number> = {
  ValidationException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  MissingRequiredParameter: 400,
  InvalidArn: 400,
  InvalidName: 400,
  InvalidDefinition: 400,
  InvalidExecutionInput: 400,
  InvalidOutput: 400,
  InvalidToken: 400,
  TooManyTags: 400,
  StateMachineTypeNotSupported: 400,
  StateMachineDoesNotExist: 400,
  ExecutionDoesNotExist: 400,
  TaskDoesNotExist: 400,
  ResourceNotFound: 400,
  StateMachineAlreadyExists: 400,
  ExecutionAlreadyExists: 400,
  TaskTimedOut: 400,
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 400,
  InvalidSignatureException: 400,
  AccessDeniedException: 400,
  ServiceUnavailable: 503,
  InternalFailure: 500,
};

export class SfnError extends Error {
  override readonly name = "SfnError";

  constructor(
    readonly type: SfnErrorType,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return HttpStatusOfSfnError[this.type];
  }
}
