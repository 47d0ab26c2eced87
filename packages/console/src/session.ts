// Who the console calls the API as: the frontend's auth mode and region (from the page it served), and the
// access key signed in with, kept in sessionStorage only, so it ends with the tab.
import type { AccessKey } from "./signing.js";

const STORAGE_KEY = "lambent.console.accessKey";

export interface ConsoleSettings {
  /** Whether the API takes only signed calls (LAMBENT_API_AUTH=sigv4). */
  signed: boolean;
  region: string;
  /** A trace viewer's page with `{traceId}` in it (LAMBENT_CONSOLE_TRACE_URL), when one is set. */
  traceUrl?: string;
}

export function consoleSettings(): ConsoleSettings {
  const meta = (name: string): string => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
  const traceUrl = meta("lambent-trace-url");
  return { signed: meta("lambent-auth") === "sigv4", region: meta("lambent-region") || "us-east-1", ...(/^https?:\/\//.test(traceUrl) ? { traceUrl } : {}) };
}

export function storedAccessKey(): AccessKey | undefined {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null") as Partial<AccessKey> | null;
    return parsed && typeof parsed.accessKeyId === "string" && typeof parsed.secretAccessKey === "string"
      ? { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey }
      : undefined;
  } catch {
    // Storage the page may not read (a privacy mode) or a value it did not write: not signed in.
    return undefined;
  }
}

export function storeAccessKey(key: AccessKey | undefined): void {
  if (key) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(key));
  else sessionStorage.removeItem(STORAGE_KEY);
}
