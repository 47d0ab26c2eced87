// Reads a deployment package zip within Lambda's limits, refusing paths that leave the package.
import { unzipSync } from "fflate";
import { invalidParameter, LambdaError } from "@lambent/errors";
import { PackageLimits } from "./limits.js";

export type PackageFiles = Map<string, Uint8Array>;

export function unpackZip(zip: Uint8Array): PackageFiles {
  if (zip.length > PackageLimits.zippedBytes) {
    throw new LambdaError(
      "RequestTooLargeException",
      `Zipped deployment package must be smaller than ${PackageLimits.zippedBytes} bytes`,
    );
  }
  let unzippedBytes = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter(file) {
        unzippedBytes += file.originalSize;
        if (unzippedBytes > PackageLimits.unzippedBytes) throw new UnzippedTooLarge();
        return !file.name.endsWith("/");
      },
    });
  } catch (error) {
    if (error instanceof UnzippedTooLarge) {
      throw invalidParameter(`Unzipped size must be smaller than ${PackageLimits.unzippedBytes} bytes`);
    }
    throw invalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  const files: PackageFiles = new Map();
  for (const [name, bytes] of Object.entries(entries)) {
    const path = name.replace(/\\/g, "/").replace(/^\.\//, "");
    if (path.startsWith("/") || path.split("/").includes("..")) {
      throw invalidParameter(`Deployment package file '${name}' points outside the package`);
    }
    files.set(path, bytes);
  }
  return files;
}

class UnzippedTooLarge extends Error {}
