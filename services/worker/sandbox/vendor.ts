// The pure-JS packages built into the sandbox, each evaluated on its first use. esbuild bundles a
// package only from a literal `require("name")`, and a require inside a function is what keeps it lazy,
// so every one of them is required here and nowhere else.
/* eslint-disable @typescript-eslint/no-require-imports */

export const vendor = {
  buffer: () => require("buffer"),
  events: () => require("events"),
  stream: () => require("readable-stream") as Record<string, unknown>,
  path: () => require("path-browserify"),
  querystring: () => require("querystring-es3") as { parse(text: string): Record<string, unknown>; stringify(value: unknown): string } & Record<string, unknown>,
  stringDecoder: () => require("string_decoder"),
  whatwgUrl: () => require("whatwg-url") as { URL: unknown; URLSearchParams: unknown },
  webStreams: () => require("web-streams-polyfill") as Record<string, unknown>,
  punycode: () => require("punycode/") as { encode(input: string): string; toUnicode(input: string): string },
};
