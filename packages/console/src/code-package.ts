// A function's package as the code tab sees it: which file a single-file function is (one source file,
// at any depth, beside nothing else), and that file zipped again, alone, for UpdateFunctionCode.
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";

const SOURCE = /\.(?:m?js|cjs|py)$/;

export type PackageContents = { kind: "single-file"; fileName: string; text: string } | { kind: "other"; fileNames: string[] };

export function packageContents(zip: Uint8Array): PackageContents {
  const files = Object.entries(unzipSync(zip)).filter(([name]) => !name.endsWith("/"));
  const only = files.length === 1 ? files[0] : undefined;
  if (only && SOURCE.test(only[0])) return { kind: "single-file", fileName: only[0], text: strFromU8(only[1]) };
  return { kind: "other", fileNames: files.map(([name]) => name).sort() };
}

/** The zip of one file, base64, as CreateFunction and UpdateFunctionCode take `ZipFile`. */
export function zipOneFile(fileName: string, text: string): string {
  const zip = zipSync({ [fileName]: strToU8(text) });
  let binary = "";
  for (const byte of zip) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function languageOf(fileName: string): "javascript" | "python" {
  return fileName.endsWith(".py") ? "python" : "javascript";
}
