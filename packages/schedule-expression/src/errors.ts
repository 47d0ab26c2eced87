// The one error this package throws: an expression or time zone that is not valid, with a message that
// says what is wrong (callers turn it into their API's validation error).
export class ScheduleExpressionError extends Error {
  override readonly name = "ScheduleExpressionError";
}
