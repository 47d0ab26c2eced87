// Optimistic concurrency: a caller's RevisionId or CodeSha256 must match what is stored.
import { LambdaError } from "@lambent/errors";

export function checkRevision(actual: string, expected: string | undefined): void {
  if (expected !== undefined && expected !== actual) {
    throw new LambdaError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  }
}

export function checkCodeSha256(actual: string, expected: string | undefined): void {
  if (expected !== undefined && expected !== actual) {
    throw new LambdaError(
      "PreconditionFailedException",
      `CodeSHA256 (${expected}) is different from current CodeSHA256 in $LATEST (${actual}). Please try again with the CodeSHA256 in $LATEST.`,
    );
  }
}
