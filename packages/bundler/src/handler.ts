// Lambda's handler string: `path/to/file.exportPath`, e.g. `index.handler` or `src/app.routes.get`.
import { invalidParameter } from "@lambent/errors";

export interface HandlerLocation {
  /** Module path without extension, relative to the package root: `src/app`. */
  modulePath: string;
  /** Property path of the handler on the module's exports: `handler`, `routes.get`. */
  exportPath: string;
}

const HANDLER = /^[^\s]{1,128}$/;

export function parseHandler(handler: string): HandlerLocation {
  if (!HANDLER.test(handler)) {
    throw invalidParameter(
      `1 validation error detected: Value '${handler}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+ and have length at most 128`,
    );
  }
  const slash = handler.lastIndexOf("/");
  const directory = handler.slice(0, slash + 1);
  const base = handler.slice(slash + 1);
  const dot = base.indexOf(".");
  if (dot <= 0 || dot === base.length - 1) {
    throw invalidParameter(`Handler '${handler}' must have the form file.function, e.g. index.handler`);
  }
  const modulePath = directory + base.slice(0, dot);
  if (modulePath.split("/").some((part) => part === "..")) {
    throw invalidParameter(`Handler '${handler}' must point inside the deployment package`);
  }
  return { modulePath, exportPath: base.slice(dot + 1) };
}

/** The source extensions a handler module may have, in the order they are looked for. */
export const HANDLER_EXTENSIONS = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"] as const;
