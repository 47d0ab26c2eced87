// Source maps by bundle, fetched and parsed once, so a function error's trace names the user's own
// files and lines. Only the error path comes here; a bundle without a map keeps its trace as it is.
import { StackTraceMapper } from "./stack-trace-mapper.js";

/** Where bundles' source maps are stored (a CodeStore). */
export interface SourceMapSource {
  getSourceMap(bundleObject: string): Promise<string | undefined>;
}

/** Parsed maps kept; an evicted one is fetched again on its next error. */
const MAX_MAPPERS = 256;

export class TraceMaps {
  private readonly mappers = new Map<string, Promise<StackTraceMapper | undefined>>();

  constructor(private readonly source: SourceMapSource) {}

  async map(bundleObject: string, handlerFile: string, trace: string[]): Promise<string[]> {
    if (trace.length === 0) return trace;
    const mapper = await this.mapper(bundleObject, handlerFile);
    return mapper ? mapper.mapTrace(trace) : trace;
  }

  private mapper(bundleObject: string, handlerFile: string): Promise<StackTraceMapper | undefined> {
    const key = `${bundleObject}\u0000${handlerFile}`;
    let mapper = this.mappers.get(key);
    if (!mapper) {
      mapper = this.source.getSourceMap(bundleObject).then(
        (text) => (text === undefined ? undefined : new StackTraceMapper(text, handlerFile)),
        // A missing or malformed map leaves traces as the bundle reports them.
        () => undefined,
      );
      if (this.mappers.size >= MAX_MAPPERS) this.mappers.delete(this.mappers.keys().next().value!);
      this.mappers.set(key, mapper);
    }
    return mapper;
  }
}
