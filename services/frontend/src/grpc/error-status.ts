// Lambda error type → gRPC status: the one table, checked exhaustive by the compiler, and the one
// place a thrown value becomes a gRPC error.
import * as grpc from "@grpc/grpc-js";
import { toLambdaError, type LambdaErrorType } from "@lambent/errors";

export const GrpcStatusOfError: Record<LambdaErrorType, grpc.status> = {
  ValidationException: grpc.status.INVALID_ARGUMENT,
  InvalidParameterValueException: grpc.status.INVALID_ARGUMENT,
  InvalidRequestContentException: grpc.status.INVALID_ARGUMENT,
  RequestTooLargeException: grpc.status.INVALID_ARGUMENT,
  RequestEntityTooLargeException: grpc.status.INVALID_ARGUMENT,
  UnsupportedMediaTypeException: grpc.status.INVALID_ARGUMENT,
  AccessDeniedException: grpc.status.PERMISSION_DENIED,
  MissingAuthenticationTokenException: grpc.status.UNAUTHENTICATED,
  UnrecognizedClientException: grpc.status.UNAUTHENTICATED,
  InvalidSignatureException: grpc.status.UNAUTHENTICATED,
  ResourceNotFoundException: grpc.status.NOT_FOUND,
  CodeSigningConfigNotFoundException: grpc.status.NOT_FOUND,
  ProvisionedConcurrencyConfigNotFoundException: grpc.status.NOT_FOUND,
  ResourceConflictException: grpc.status.ALREADY_EXISTS,
  ResourceNotReadyException: grpc.status.UNAVAILABLE,
  PreconditionFailedException: grpc.status.FAILED_PRECONDITION,
  TooManyRequestsException: grpc.status.RESOURCE_EXHAUSTED,
  RecursiveInvocationException: grpc.status.FAILED_PRECONDITION,
  ServiceException: grpc.status.INTERNAL,
};

/** Trailing metadata key carrying the Lambda error type, as the HTTP API's `x-amzn-ErrorType` header. */
export const ERROR_TYPE_METADATA_KEY = "x-amzn-errortype";
/** Trailing metadata key carrying `Reason` (e.g. why a call was throttled) when the error has one. */
export const ERROR_REASON_METADATA_KEY = "x-amzn-error-reason";

/** Turns anything thrown into a gRPC error; values that are not LambdaErrors become INTERNAL. */
export function toGrpcServiceError(error: unknown): grpc.ServiceError {
  const lambdaError = toLambdaError(error);
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_TYPE_METADATA_KEY, lambdaError.type);
  const reason = lambdaError.fields["Reason"];
  if (reason !== undefined) metadata.set(ERROR_REASON_METADATA_KEY, reason);
  return Object.assign(new Error(lambdaError.message), {
    name: lambdaError.type,
    code: GrpcStatusOfError[lambdaError.type],
    details: lambdaError.message,
    metadata,
  });
}
