// Bytes in and out of `crypto`'s functions as Node takes and gives them: strings in an encoding,
// ArrayBuffers and views copied in; a Buffer out, or a string in the asked encoding.
import { Buffer } from "./buffer.js";

export function bytesOf(data: unknown, encoding?: string): Uint8Array {
  if (typeof data === "string") return new Uint8Array(Buffer().from(data, encoding ?? "utf8"));
  if (data instanceof ArrayBuffer) return new Uint8Array(data).slice();
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  throw Object.assign(new TypeError(`The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${typeof data}`), { code: "ERR_INVALID_ARG_TYPE" });
}

export function output(bytes: Uint8Array, encoding?: string): unknown {
  const buffer = Buffer().from(bytes);
  return encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding);
}
