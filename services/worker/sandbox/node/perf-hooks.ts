// `perf_hooks` and `v8`: timing over the global `performance`, and the heap facts a function may read
// about itself (its memory size is its heap's limit). Nothing here reaches the host's V8.
import { notImplemented } from "./unsupported.js";

class PerformanceObserver {
  static readonly supportedEntryTypes: readonly string[] = [];
  observe(): void {}
  disconnect(): void {}
  takeRecords(): unknown[] {
    return [];
  }
}

function histogram(): Record<string, unknown> {
  const self: Record<string, unknown> = {
    min: 0, max: 0, mean: 0, stddev: 0, count: 0, exceeds: 0, percentiles: new Map<number, number>(),
    enable: () => true, disable: () => true, reset: () => undefined, record: () => undefined, recordDelta: () => undefined,
    percentile: () => 0,
  };
  return self;
}

export function createPerfHooks(): Record<string, unknown> {
  return {
    performance: (globalThis as unknown as { performance: unknown }).performance,
    PerformanceObserver,
    monitorEventLoopDelay: histogram,
    createHistogram: histogram,
    constants: {},
  };
}

export function createV8(memoryLimitInMB: string): Record<string, unknown> {
  const limit = Number(memoryLimitInMB) * 1024 * 1024;
  return {
    cachedDataVersionTag: () => 0,
    getHeapStatistics: () => ({
      total_heap_size: 0, total_heap_size_executable: 0, total_physical_size: 0, total_available_size: limit,
      used_heap_size: 0, heap_size_limit: limit, malloced_memory: 0, peak_malloced_memory: 0,
      does_zap_garbage: 0, number_of_native_contexts: 1, number_of_detached_contexts: 0,
      total_global_handles_size: 0, used_global_handles_size: 0, external_memory: 0,
    }),
    getHeapSpaceStatistics: () => [],
    getHeapCodeStatistics: () => ({ code_and_metadata_size: 0, bytecode_and_metadata_size: 0, external_script_source_size: 0 }),
    // Flags belong to the worker's V8, which function code never sets.
    setFlagsFromString: () => undefined,
    serialize: () => {
      throw notImplemented("v8.serialize()");
    },
    deserialize: () => {
      throw notImplemented("v8.deserialize()");
    },
    getHeapSnapshot: () => {
      throw notImplemented("v8.getHeapSnapshot()");
    },
    writeHeapSnapshot: () => {
      throw notImplemented("v8.writeHeapSnapshot()");
    },
  };
}
