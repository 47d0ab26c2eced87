// Lambda error type → HTTP status: the one table, checked exhaustive by the compiler.
import type { LambdaErrorType } from "@lambent/errors";

export const HttpStatusOfError: Record<LambdaErrorType, number> = {
  ValidationException: 400,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  RequestTooLargeException: 413,
  RequestEntityTooLargeException: 413,
  UnsupportedMediaTypeException: 415,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  CodeSigningConfigNotFoundException: 404,
  ProvisionedConcurrencyConfigNotFoundException: 404,
  ResourceConflictException: 409,
  ResourceNotReadyException: 502,
  PreconditionFailedException: 412,
  TooManyRequestsException: 429,
  RecursiveInvocationException: 400,
  ServiceException: 500,
};
