// A streamed response (InvokeWithResponseStream, function URLs in RESPONSE_STREAM mode): the worker running
// the call publishes the function's bytes, as it writes them, to the subject the caller named in the
// invocation header (`responseStream`); the caller acknowledges the bytes it has passed on to its client
// on the subject the first piece names (`ackTo`). The worker never has more than RESPONSE_STREAM_WINDOW_BYTES
// unacknowledged, and holds back the function (its `write` waits for 'drain') until the caller catches up,
// so neither side holds more than the window for a client that reads slowly. The result frame on the
// call's own reply says how many pieces were sent, so the caller knows when it has them all.
import { FrameError, decodeFrame, encodeFrame } from "./frame.js";
import { isRecord } from "./guards.js";

/** Bytes a worker may have sent and not yet had acknowledged. */
export const RESPONSE_STREAM_WINDOW_BYTES = 1024 * 1024;
/** The largest piece on NATS: a function's bigger writes are split. */
export const RESPONSE_STREAM_PIECE_BYTES = 128 * 1024;
/** Lambda's limit on a streamed response. */
export const RESPONSE_STREAM_MAX_BYTES = 20 * 1024 * 1024;

export interface ResponsePieceHeader {
  /** 0, 1, 2, … in the order the function wrote the bytes. */
  seq: number;
  /** Where the caller acknowledges bytes passed on (on the first piece). */
  ackTo?: string;
  /** The stream's content type, as the function set it (on the first piece). */
  contentType?: string;
}

export interface ResponsePiece {
  header: ResponsePieceHeader;
  payload: Uint8Array;
}

export function encodeResponsePiece(piece: ResponsePiece): Uint8Array {
  return encodeFrame(piece.header, piece.payload);
}

export function decodeResponsePiece(bytes: Uint8Array): ResponsePiece {
  const { header, payload } = decodeFrame(bytes);
  if (!isRecord(header) || typeof header["seq"] !== "number" || !Number.isSafeInteger(header["seq"])) throw new FrameError("response piece without a seq");
  const parsed: ResponsePieceHeader = { seq: header["seq"] };
  if (typeof header["ackTo"] === "string") parsed.ackTo = header["ackTo"];
  if (typeof header["contentType"] === "string") parsed.contentType = header["contentType"];
  return { header: parsed, payload };
}

/** The caller's acknowledgement: every byte up to `bytes` (a running total) has been passed on. */
export function encodeResponseAck(bytes: number): Uint8Array {
  return new TextEncoder().encode(String(bytes));
}

export function decodeResponseAck(bytes: Uint8Array): number | undefined {
  const value = Number(new TextDecoder().decode(bytes));
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
