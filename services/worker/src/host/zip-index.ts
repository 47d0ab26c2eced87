// A zip's central directory read without inflating anything, and each file inflated (natively, with
// node:zlib) the first time it is read. A cold start of code that imports `fs` needs the package's names
// at once but seldom more than a few of its files, and inflating a whole package in JavaScript took
// hundreds of milliseconds. Packages were checked at deploy (size, paths); this reads the plain zip
// layout only and answers undefined for anything else (ZIP64, other compression), so the caller can
// fall back to unzipping everything.
import { inflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  /** Uncompressed size, from the central directory. */
  size: number;
  read(): Uint8Array;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
/** Flag bit 11: the name is UTF-8 (else code page 437, read as Latin-1 as fflate does). */
const UTF8_NAME = 0x800;
/** Flag bit 0: encrypted. */
const ENCRYPTED = 0x1;
const ZIP64_MARK = 0xffffffff;

const utf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");

/** The zip's entries in directory order, or undefined when its layout is not one this reader handles. */
export function readZipIndex(zip: Uint8Array): ZipEntry[] | undefined {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = findEndOfDirectory(view);
  if (end === undefined) return undefined;
  const count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  if (offset === ZIP64_MARK || count === 0xffff) return undefined;
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (offset + 46 > zip.length || view.getUint32(offset, true) !== DIRECTORY_ENTRY) return undefined;
    const flags = view.getUint16(offset + 8, true);
    const method = view.getUint16(offset + 10, true);
    const compressedSize = view.getUint32(offset + 20, true);
    const size = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const skip = view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
    const local = view.getUint32(offset + 42, true);
    if (flags & ENCRYPTED || (method !== STORED && method !== DEFLATED)) return undefined;
    if (compressedSize === ZIP64_MARK || size === ZIP64_MARK || local === ZIP64_MARK) return undefined;
    const nameBytes = zip.subarray(offset + 46, offset + 46 + nameLength);
    const name = (flags & UTF8_NAME ? utf8 : latin1).decode(nameBytes);
    const data = localData(zip, view, local, compressedSize);
    if (!data) return undefined;
    entries.push({ name, size, read: () => (method === STORED ? data.slice() : new Uint8Array(inflateRawSync(data, { maxOutputLength: Math.max(1, size) }))) });
    offset += 46 + nameLength + skip;
  }
  return entries;
}

/** The end-of-directory record is in the last 64 KiB + 22 bytes (it may end with a comment). */
function findEndOfDirectory(view: DataView): number | undefined {
  for (let at = view.byteLength - 22; at >= Math.max(0, view.byteLength - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) return at;
  }
  return undefined;
}

function localData(zip: Uint8Array, view: DataView, local: number, compressedSize: number): Uint8Array | undefined {
  if (local + 30 > zip.length || view.getUint32(local, true) !== LOCAL_HEADER) return undefined;
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  if (start + compressedSize > zip.length) return undefined;
  return zip.subarray(start, start + compressedSize);
}
