// Lambda's service errors: one class, a stable `type` per kind, as AWS Lambda names them.
// A function's own failure is not one of these: it travels as data (see @lambent/protocol).

/** Every error type Lambent reports, spelled as AWS Lambda spells it on the wire. */
export const LambdaErrorTypes = [
  "ValidationException",
  "InvalidParameterValueException",
  "InvalidRequestContentException",
  "RequestTooLargeException",
  "RequestEntityTooLargeException",
  "UnsupportedMediaTypeException",
  "AccessDeniedException",
  "MissingAuthenticationTokenException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "ResourceNotFoundException",
  "CodeSigningConfigNotFoundException",
  "ProvisionedConcurrencyConfigNotFoundException",
  "ResourceConflictException",
  "ResourceNotReadyException",
  "PreconditionFailedException",
  "TooManyRequestsException",
  "RecursiveInvocationException",
  "ServiceException",
] as const;

export type LambdaErrorType = (typeof LambdaErrorTypes)[number];

/** Why a call was throttled, in `TooManyRequestsException.Reason`. */
export type ThrottleReason =
  | "ConcurrentInvocationLimitExceeded"
  | "ReservedFunctionConcurrentInvocationLimitExceeded"
  | "CallerRateLimitExceeded"
  /** Lambent's own: the function's calls are held back after it brought down its sandbox process. */
  | "FunctionCrashedSandbox";

export class LambdaError extends Error {
  override readonly name: LambdaErrorType;
  /** Extra fields Lambda puts beside the message, e.g. `Reason` for throttles. */
  readonly fields: Readonly<Record<string, string>>;

  constructor(type: LambdaErrorType, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = type;
    this.fields = fields;
  }

  get type(): LambdaErrorType {
    return this.name;
  }
}

export function isLambdaErrorType(value: unknown): value is LambdaErrorType {
  return typeof value === "string" && (LambdaErrorTypes as readonly string[]).includes(value);
}

/** Checks by name, not `instanceof`, so errors that crossed a process or package boundary still match. */
export function isLambdaError(error: unknown): error is LambdaError {
  return error instanceof Error && isLambdaErrorType(error.name) && "fields" in error;
}

/** Turns anything thrown into a LambdaError; unknown failures become ServiceException. */
export function toLambdaError(error: unknown): LambdaError {
  if (isLambdaError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LambdaError("ServiceException", message || "Internal service error");
}

/** A request that breaks a constraint of Lambda's service model, worded as AWS words it (@lambent/lambda-model). */
export const validationError = (message: string): LambdaError => new LambdaError("ValidationException", message);

export const invalidParameter = (message: string): LambdaError =>
  new LambdaError("InvalidParameterValueException", message);

export const resourceNotFound = (message: string): LambdaError =>
  new LambdaError("ResourceNotFoundException", message);

export const resourceConflict = (message: string): LambdaError =>
  new LambdaError("ResourceConflictException", message);

/**
 * An error made without a stack trace, for answers rather than faults: a throttle, or a failure that
 * arrived as data from another process. Under overload every call beyond a limit is one, and capturing a
 * stack (about 10 µs) cost more than admitting a call, while telling nothing about either.
 */
export function answerError(type: LambdaErrorType, message: string, fields: Record<string, string> = {}): LambdaError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new LambdaError(type, message, fields);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export const throttled = (reason: ThrottleReason, message = "Rate Exceeded."): LambdaError =>
  answerError("TooManyRequestsException", message, { Reason: reason });

export const serviceError = (message: string): LambdaError => new LambdaError("ServiceException", message);

export const provisionedConcurrencyConfigNotFound = (): LambdaError =>
  new LambdaError("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function");

export const recursiveInvocation = (message: string): LambdaError => new LambdaError("RecursiveInvocationException", message);

/** Lambda error type → HTTP status: the one table (the frontend answers with it, the in-function Lambda endpoint too), checked exhaustive by the compiler. */
export const HttpStatusOfError: Record<LambdaErrorType, number> = {
  ValidationException: 400,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  RequestTooLargeException: 413,
  RequestEntityTooLargeException: 413,
  UnsupportedMediaTypeException: 415,
  AccessDeniedException: 403,
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
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
