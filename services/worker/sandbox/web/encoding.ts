// TextEncoder, TextDecoder (UTF-8, UTF-16LE, Latin-1), atob and btoa, and the UTF-8 codec other
// modules share.

const REPLACEMENT = 0xfffd;

export function utf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[n++] = 0xf0 | (cp >> 18);
        out[n++] = 0x80 | ((cp >> 12) & 63);
        out[n++] = 0x80 | ((cp >> 6) & 63);
        out[n++] = 0x80 | (cp & 63);
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = REPLACEMENT;
    out[n++] = 0xe0 | (c >> 12);
    out[n++] = 0x80 | ((c >> 6) & 63);
    out[n++] = 0x80 | (c & 63);
  }
  return out.slice(0, n);
}

/** Bytes at the end of `bytes` that start a sequence still missing its continuation bytes. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back] as number;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** UTF-8 → string, with U+FFFD for malformed sequences (or a TypeError when `fatal`), as WHATWG decodes. */
export function utf8Decode(bytes: Uint8Array, fatal = false): string {
  let result = "";
  const units: number[] = [];
  const bad = (): void => {
    if (fatal) throw new TypeError("The encoded data was not valid for encoding utf-8");
    units.push(REPLACEMENT);
  };
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    if (b0 < 0x80) {
      units.push(b0);
      i++;
    } else {
      let need = 0;
      let low = 0x80;
      let high = 0xbf;
      let cp = 0;
      if (b0 >= 0xc2 && b0 <= 0xdf) {
        need = 1;
        cp = b0 & 0x1f;
      } else if (b0 >= 0xe0 && b0 <= 0xef) {
        need = 2;
        cp = b0 & 0xf;
        if (b0 === 0xe0) low = 0xa0;
        if (b0 === 0xed) high = 0x9f;
      } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        need = 3;
        cp = b0 & 0x7;
        if (b0 === 0xf0) low = 0x90;
        if (b0 === 0xf4) high = 0x8f;
      }
      i++;
      if (need === 0) {
        bad();
      } else {
        let ok = true;
        for (let k = 0; k < need; k++) {
          const b = bytes[i];
          if (b === undefined || b < low || b > high) {
            ok = false;
            break;
          }
          cp = (cp << 6) | (b & 0x3f);
          low = 0x80;
          high = 0xbf;
          i++;
        }
        if (!ok) bad();
        else if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
        else units.push(cp);
      }
    }
    if (units.length >= 8192) {
      result += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return result + String.fromCharCode(...units);
}

export function latin1Decode(bytes: Uint8Array): string {
  let result = "";
  for (let i = 0; i < bytes.length; i += 8192) result += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return result;
}

function utf16leDecode(bytes: Uint8Array): string {
  let result = "";
  const units: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    units.push((bytes[i] as number) | ((bytes[i + 1] as number) << 8));
    if (units.length >= 8192) {
      result += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return result + String.fromCharCode(...units);
}

/** Any BufferSource as a byte view over the same memory. */
export function toBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer || input instanceof SharedArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
}

export class TextEncoder {
  get encoding(): string {
    return "utf-8";
  }
  encode(input: unknown = ""): Uint8Array {
    return utf8Encode(String(input));
  }
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number } {
    let read = 0;
    let written = 0;
    for (const char of String(source)) {
      const bytes = utf8Encode(char);
      if (written + bytes.length > destination.length) break;
      destination.set(bytes, written);
      written += bytes.length;
      read += char.length;
    }
    return { read, written };
  }
  get [Symbol.toStringTag](): string {
    return "TextEncoder";
  }
}

const LABELS: Record<string, "utf-8" | "utf-16le" | "latin1"> = {
  "utf-8": "utf-8",
  utf8: "utf-8",
  "unicode-1-1-utf-8": "utf-8",
  "utf-16le": "utf-16le",
  "utf-16": "utf-16le",
  latin1: "latin1",
  "iso-8859-1": "latin1",
  ascii: "latin1",
  "us-ascii": "latin1",
  "windows-1252": "latin1",
};

export class TextDecoder {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(label: unknown = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const encoding = LABELS[String(label).trim().toLowerCase()];
    if (!encoding) throw new RangeError(`The "${String(label)}" encoding is not supported`);
    this.encoding = encoding === "latin1" ? "windows-1252" : encoding;
    this.fatal = options.fatal === true;
    this.ignoreBOM = options.ignoreBOM === true;
  }

  decode(input?: unknown, options: { stream?: boolean } = {}): string {
    let bytes = input === undefined ? new Uint8Array(0) : toBytes(input);
    if (this.pending.length > 0) {
      const joined = new Uint8Array(this.pending.length + bytes.length);
      joined.set(this.pending);
      joined.set(bytes, this.pending.length);
      bytes = joined;
      this.pending = new Uint8Array(0);
    }
    if (this.encoding === "utf-8") {
      if (options.stream) {
        const tail = incompleteTail(bytes);
        this.pending = bytes.slice(bytes.length - tail);
        bytes = bytes.subarray(0, bytes.length - tail);
      }
      let text = utf8Decode(bytes, this.fatal);
      if (!this.ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      return text;
    }
    if (this.encoding === "utf-16le") {
      if (options.stream && bytes.length % 2 === 1) {
        this.pending = bytes.slice(bytes.length - 1);
        bytes = bytes.subarray(0, bytes.length - 1);
      }
      const text = utf16leDecode(bytes);
      return !this.ignoreBOM && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    }
    return latin1Decode(bytes);
  }

  get [Symbol.toStringTag](): string {
    return "TextDecoder";
  }
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_INDEX = new Map([...BASE64].map((char, index) => [char, index]));

function invalidCharacter(message: string): Error {
  const error = new Error(message);
  error.name = "InvalidCharacterError";
  return error;
}

export function btoa(input: unknown): string {
  if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
  const text = String(input);
  let out = "";
  for (let i = 0; i < text.length; i += 3) {
    const codes = [text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2)];
    for (const code of codes) if (code > 255) throw invalidCharacter("Invalid character");
    const [a = 0, b, c] = codes;
    const bits = (a << 16) | ((Number.isNaN(b) ? 0 : (b as number)) << 8) | (Number.isNaN(c) ? 0 : (c as number));
    out += BASE64[bits >> 18] + (BASE64[(bits >> 12) & 63] as string);
    out += Number.isNaN(b) ? "=" : BASE64[(bits >> 6) & 63];
    out += Number.isNaN(c) ? "=" : BASE64[bits & 63];
  }
  return out;
}

export function atob(input: unknown): string {
  if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
  let text = String(input).replace(/[\t\n\f\r ]/g, "");
  if (text.length % 4 === 0) text = text.replace(/==?$/, "");
  if (text.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(text)) throw invalidCharacter("The string to be decoded is not correctly encoded.");
  let out = "";
  let bits = 0;
  let count = 0;
  for (const char of text) {
    bits = (bits << 6) | (BASE64_INDEX.get(char) as number);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += String.fromCharCode((bits >> count) & 255);
    }
  }
  return out;
}
