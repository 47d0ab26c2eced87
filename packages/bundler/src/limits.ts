// Deployment package limits, as AWS Lambda sets them.
export const PackageLimits = {
  /** Zipped deployment package uploaded directly. */
  zippedBytes: 50 * 1024 * 1024,
  /** Everything in the package, unzipped. */
  unzippedBytes: 250 * 1024 * 1024,
} as const;
