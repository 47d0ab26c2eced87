// A function URL in RESPONSE_STREAM mode answers as the function writes: chunked transfer, each piece sent
// on once it arrives, the next only after the socket took it. A handler that used
// `awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})` puts that prelude first, then
// eight NUL bytes, as Lambda's runtime does; the status and headers come from it, the rest is the body.
// Without one the answer is 200 with the stream's content type.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { ResponseConsumer } from "../invoke/response-stream.js";
import { writeDrained } from "./event-stream.js";

const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const PRELUDE_END = new Uint8Array(8);
/** A prelude longer than this is not one: the stream is answered as it is. */
const MAX_PRELUDE_BYTES = 64 * 1024;

interface Prelude {
  statusCode?: unknown;
  headers?: unknown;
  cookies?: unknown;
}

function indexOfPreludeEnd(bytes: Uint8Array): number {
  outer: for (let at = 0; at + PRELUDE_END.length <= bytes.length; at++) {
    for (let k = 0; k < PRELUDE_END.length; k++) if (bytes[at + k] !== 0) continue outer;
    return at;
  }
  return -1;
}

function preludeHeaders(prelude: Prelude): { status: number; headers: OutgoingHttpHeaders } {
  const status = typeof prelude.statusCode === "number" && Number.isInteger(prelude.statusCode) && prelude.statusCode >= 100 && prelude.statusCode <= 599 ? prelude.statusCode : 200;
  const headers: OutgoingHttpHeaders = {};
  if (typeof prelude.headers === "object" && prelude.headers !== null) {
    for (const [name, value] of Object.entries(prelude.headers as Record<string, unknown>)) {
      if (typeof value === "string" || typeof value === "number") headers[name.toLowerCase()] = String(value);
    }
  }
  if (Array.isArray(prelude.cookies)) headers["set-cookie"] = prelude.cookies.filter((cookie): cookie is string => typeof cookie === "string");
  return { status, headers };
}

/** Writes a streamed invocation to a function URL's client; `cors` headers go on the answer. */
export function streamedHttpConsumer(response: ServerResponse, cors: OutgoingHttpHeaders | undefined): ResponseConsumer & { readonly sentHead: boolean } {
  let awaitingPrelude = false;
  let gathered = new Uint8Array(0);
  let sentHead = false;
  const head = (status: number, headers: OutgoingHttpHeaders): void => {
    response.writeHead(status, { ...headers, ...cors });
    response.flushHeaders();
    sentHead = true;
  };
  return {
    get sentHead() {
      return sentHead;
    },
    start(contentType) {
      if (contentType === HTTP_INTEGRATION_CONTENT_TYPE) awaitingPrelude = true;
      else head(200, { "content-type": contentType ?? "application/octet-stream" });
    },
    async write(bytes) {
      if (!awaitingPrelude) return writeDrained(response, bytes);
      const joined = new Uint8Array(gathered.length + bytes.length);
      joined.set(gathered, 0);
      joined.set(bytes, gathered.length);
      gathered = joined;
      const end = indexOfPreludeEnd(gathered);
      if (end < 0 && gathered.length <= MAX_PRELUDE_BYTES) return;
      awaitingPrelude = false;
      let prelude: Prelude = {};
      let rest = gathered;
      if (end >= 0) {
        try {
          prelude = JSON.parse(new TextDecoder().decode(gathered.subarray(0, end))) as Prelude;
        } catch {
          prelude = {};
        }
        rest = gathered.subarray(end + PRELUDE_END.length);
      }
      const { status, headers } = preludeHeaders(prelude);
      head(status, headers);
      gathered = new Uint8Array(0);
      if (rest.length > 0) await writeDrained(response, rest);
    },
  };
}
