// Reads a deployment package or layer zip within Lambda's limits, refusing paths that leave the package
// (and, in a layer, symbolic links, which could point anywhere under /opt or out of it).
import { unzipSync } from "fflate";
import { invalidParameter, LambdaError } from "@lambent/errors";
import { PackageLimits } from "./limits.js";
import { symbolicLinks } from "./zip-links.js";

export type PackageFiles = Map<string, Uint8Array>;

/** A layer's files (unpacked under /opt) and their size unzipped. */
export function unpackLayerZip(zip: Uint8Array): { files: PackageFiles; unzippedSize: number } {
  const links = symbolicLinks(zip);
  if (links.length > 0) throw invalidParameter(`Layer content file '${links[0]}' is a symbolic link; layers may hold only files and directories`);
  const files = unpackZip(zip, "Layer content");
  let unzippedSize = 0;
  for (const bytes of files.values()) unzippedSize += bytes.length;
  return { files, unzippedSize };
}

/** Total bytes of a package's files. */
export function unzippedSizeOf(files: PackageFiles): number {
  let size = 0;
  for (const bytes of files.values()) size += bytes.length;
  return size;
}

export function unpackZip(zip: Uint8Array, what = "Deployment package"): PackageFiles {
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
      throw invalidParameter(`${what} file '${name}' points outside the package`);
    }
    files.set(path, bytes);
  }
  return files;
}

class UnzippedTooLarge extends Error {}
