// Finds the symbolic links a zip holds. fflate unpacks a link as a file whose content is its target, so
// the type is read from the central directory's Unix mode (the high 16 bits of the external attributes of
// an entry made on Unix), where zip tools record it.
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const UNIX = 3;
const FILE_TYPE_MASK = 0o170000;
const SYMBOLIC_LINK = 0o120000;

/** Names of the entries that are symbolic links; empty for a zip without any (or one too broken to read). */
export function symbolicLinks(zip: Uint8Array): string[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is the last 22 bytes, plus a comment of at most 65535.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) return [];
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const links: string[] = [];
  const decoder = new TextDecoder();
  for (let entry = 0; entry < count && at + 46 <= zip.length; entry++) {
    if (view.getUint32(at, true) !== CENTRAL_DIRECTORY_ENTRY) break;
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const mode = view.getUint32(at + 38, true) >>> 16;
    if (madeBy === UNIX && (mode & FILE_TYPE_MASK) === SYMBOLIC_LINK) {
      links.push(decoder.decode(zip.subarray(at + 46, at + 46 + nameLength)));
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return links;
}
