// Turns an error's trace from positions in the deployed bundle into the user's own files and lines, with
// the bundle's source map (stored beside the bundle at deploy time). Pure: text in, text out.
//   at handler (file:///var/task/index.ts:212:11)   →   at handler (/var/task/src/app.ts:14:11)
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";

const TASK_URL = "file:///var/task/";
/** A layer's files, under /opt (the bundle's map names them `../../opt/…` from the package root). */
const OPT_URL = "file:///opt/";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One parsed source map, reusable for every error of the same bundle. */
export class StackTraceMapper {
  private readonly map: TraceMap;
  private readonly location: RegExp;

  /**
   * @param sourceMap the bundle's source map, as CodeStore.getSourceMap returns it
   * @param handlerFile the function's `handlerFile`: the worker compiles the bundle as `file:///var/task/<handlerFile>`
   */
  constructor(sourceMap: string, handlerFile: string) {
    // Resolving `sources` against the task URL turns `src/app.ts` into file:///var/task/src/app.ts
    // and keeps `../` from climbing out of the package.
    this.map = new TraceMap(sourceMap, TASK_URL);
    this.location = new RegExp(`${escapeRegExp(TASK_URL + handlerFile)}:(\\d+):(\\d+)`, "g");
  }

  /** The trace with every frame in the bundle pointed at its original file; other lines unchanged. */
  mapTrace(trace: readonly string[]): string[] {
    return trace.map((line) => this.mapLine(line));
  }

  private mapLine(line: string): string {
    return line.replace(this.location, (whole: string, lineText: string, columnText: string) => {
      // V8 counts columns from 1, source maps from 0.
      const original = originalPositionFor(this.map, { line: Number(lineText), column: Number(columnText) - 1 });
      // Code esbuild wrote itself (module wrappers, interop helpers) has no original: the bundle's frame stays.
      if (original.source?.startsWith(OPT_URL)) return `/opt/${original.source.slice(OPT_URL.length)}:${original.line}:${original.column + 1}`;
      if (original.source === null || !original.source.startsWith(TASK_URL)) return whole;
      return `/var/task/${original.source.slice(TASK_URL.length)}:${original.line}:${original.column + 1}`;
    });
  }
}

/** One-off form of StackTraceMapper: Lambda's `trace` lines of an error, mapped to the user's files. */
export function mapStackTrace(sourceMap: string, handlerFile: string, trace: readonly string[]): string[] {
  return new StackTraceMapper(sourceMap, handlerFile).mapTrace(trace);
}
