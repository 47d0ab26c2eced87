// A message frame: a small JSON header followed by raw payload bytes, so payloads are never
// re-encoded (no base64, no JSON escaping) on their way through NATS.
//   [u32 big-endian header length][header JSON, UTF-8][payload bytes]

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame(header: object, payload: Uint8Array = EMPTY): Uint8Array {
  const headerBytes = encoder.encode(JSON.stringify(header));
  const frame = new Uint8Array(4 + headerBytes.length + payload.length);
  new DataView(frame.buffer).setUint32(0, headerBytes.length);
  frame.set(headerBytes, 4);
  frame.set(payload, 4 + headerBytes.length);
  return frame;
}

export class FrameError extends Error {
  override readonly name = "FrameError";
}

export interface Frame {
  header: unknown;
  payload: Uint8Array;
}

export function decodeFrame(frame: Uint8Array): Frame {
  if (frame.length < 4) throw new FrameError("frame shorter than its length prefix");
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (4 + headerLength > frame.length) throw new FrameError("frame header runs past the end");
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(frame.subarray(4, 4 + headerLength)));
  } catch {
    throw new FrameError("frame header is not JSON");
  }
  return { header, payload: frame.subarray(4 + headerLength) };
}

export const EMPTY = new Uint8Array(0);
