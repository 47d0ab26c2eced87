// A message frame: a small JSON header followed by raw payload bytes, so payloads are never
// re-encoded (no base64, no JSON escaping) on their way through NATS.
//   [u32 big-endian header length][header JSON, UTF-8][payload bytes]

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame(header: object, payload: Uint8Array = EMPTY): Uint8Array {
  const json = JSON.stringify(header);
  // The header is written straight into the frame, without an array of its own: the leader encodes a
  // frame for every call it places.
  const headerLength = Buffer.byteLength(json);
  const frame = new Uint8Array(4 + headerLength + payload.length);
  writeLength(frame, headerLength);
  encoder.encodeInto(json, frame.subarray(4, 4 + headerLength));
  frame.set(payload, 4 + headerLength);
  return frame;
}

function writeLength(frame: Uint8Array, length: number): void {
  frame[0] = length >>> 24;
  frame[1] = (length >>> 16) & 0xff;
  frame[2] = (length >>> 8) & 0xff;
  frame[3] = length & 0xff;
}

/** The u32 big-endian header length, read without a DataView (one object fewer per decoded frame). */
function readLength(frame: Uint8Array): number {
  return ((frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0;
}

/** The length of a frame's header, checked against the frame's own length. */
export function frameHeaderLength(frame: Uint8Array): number {
  if (frame.length < 4) throw new FrameError("frame shorter than its length prefix");
  const headerLength = readLength(frame);
  if (4 + headerLength > frame.length) throw new FrameError("frame header runs past the end");
  return headerLength;
}

export class FrameError extends Error {
  override readonly name = "FrameError";
}

export interface Frame {
  header: unknown;
  payload: Uint8Array;
}

export function decodeFrame(frame: Uint8Array): Frame {
  const headerLength = frameHeaderLength(frame);
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(frame.subarray(4, 4 + headerLength)));
  } catch {
    throw new FrameError("frame header is not JSON");
  }
  return { header, payload: frame.subarray(4 + headerLength) };
}

export const EMPTY = new Uint8Array(0);
