// The isolate boundary as the host reads it (sandbox/host.ts spells the same shapes for the sandbox side:
// neither may import the other, so both keep a copy). Everything that crosses from the isolate is
// whatever function code made it, so it is checked here before the host acts on it.
import { fileURLToPath } from "node:url";
import { isRecord } from "@lambent/protocol";
import type { FetchRequestData } from "../host/fetch.js";
import type { FunctionError } from "../limits.js";

/** Where the worker is installed: its files' paths start here. */
const WORKER_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const HOST_FILE = new RegExp(`(?:file://)?${WORKER_ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[^\\s'"():]*|node:internal/[^\\s'"():]*`, "g");

/**
 * Text from the host's side (an error's message or trace) with the worker's own file paths taken out: what
 * the host tells function code never names its files, even when a message it passes on does.
 */
export function withoutHostPaths(text: string): string {
  return text.replace(HOST_FILE, "<worker file>");
}

/** What the sandbox's outbox hands over after an entry (sandbox/host.ts SandboxPacket). */
export interface SandboxPacket {
  lines?: unknown;
  outcome?: unknown;
  wakeAt?: unknown;
  fetches?: unknown;
  abortedFetches?: unknown;
  calls?: unknown;
  responseBytes?: unknown;
  responseContentType?: unknown;
}

/** A host call's answer: `[0, value]`, or `[1, error]` that the sandbox rethrows as its own Error. */
export type HostReply = [0, unknown] | [1, HostErrorData];

export interface HostErrorData {
  name: string;
  message: string;
  code?: string;
}

/** A host failure as data: its name, message and code, never its stack (which names the worker's files). */
export function hostErrorData(error: unknown): HostErrorData {
  if (error instanceof Error) {
    const data: HostErrorData = { name: error.name || "Error", message: withoutHostPaths(error.message) };
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") data.code = code;
    return data;
  }
  return { name: "Error", message: withoutHostPaths(String(error)) };
}

/** The sandbox's outcome string (sandbox/host.ts encodeOutcome): a tag, then the body or the error's JSON. */
export type SandboxOutcome = { ok: true; body: string } | { ok: false; error: FunctionError; fatal: boolean };

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((line): line is string => typeof line === "string") : []);

export function decodeOutcome(encoded: string): SandboxOutcome {
  const tag = encoded.charAt(0);
  const rest = encoded.slice(1);
  if (tag === "0") return { ok: true, body: rest };
  let error: unknown;
  try {
    error = JSON.parse(rest);
  } catch {
    error = undefined;
  }
  const shape = isRecord(error) ? error : {};
  if (Array.isArray(shape["stackTrace"])) {
    // A Python function's error, in the order Lambda's Python runtime writes its fields.
    return {
      ok: false,
      error: {
        errorMessage: typeof shape["errorMessage"] === "string" ? shape["errorMessage"] : "",
        errorType: typeof shape["errorType"] === "string" ? shape["errorType"] : "Exception",
        requestId: typeof shape["requestId"] === "string" ? shape["requestId"] : "",
        stackTrace: strings(shape["stackTrace"]),
      },
      fatal: tag === "2",
    };
  }
  return {
    ok: false,
    error: {
      errorType: typeof shape["errorType"] === "string" ? shape["errorType"] : "Error",
      errorMessage: typeof shape["errorMessage"] === "string" ? shape["errorMessage"] : "",
      trace: Array.isArray(shape["trace"]) ? shape["trace"].filter((line): line is string => typeof line === "string") : [],
    },
    fatal: tag === "2",
  };
}

const REDIRECT_MODES = new Set(["follow", "manual", "error"]);

/** A fetch request from the outbox, or undefined when it is not one. */
export function parseFetchRequest(value: unknown): FetchRequestData | undefined {
  if (!isRecord(value)) return undefined;
  const { url, method, headers, body, redirect } = value;
  if (typeof url !== "string" || typeof method !== "string" || typeof redirect !== "string" || !REDIRECT_MODES.has(redirect)) return undefined;
  if (!(body === null || body instanceof Uint8Array)) return undefined;
  if (!Array.isArray(headers) || !headers.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string" && typeof pair[1] === "string")) {
    return undefined;
  }
  return { url, method, headers: headers as [string, string][], body, redirect: redirect as FetchRequestData["redirect"] };
}

/** `[id, value]` pairs from the outbox with integer ids; anything else is skipped. */
export function idPairs(value: unknown): [number, unknown][] {
  if (!Array.isArray(value)) return [];
  const pairs: [number, unknown][] = [];
  for (const entry of value) {
    if (Array.isArray(entry) && entry.length === 2 && Number.isSafeInteger(entry[0])) pairs.push([entry[0] as number, entry[1]]);
  }
  return pairs;
}
