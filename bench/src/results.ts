// What one benchmark run produced, as written to its JSON file.
import type { loadAverages, MachineLoad } from "./machine-load.js";
import type { AsyncEventsResult } from "./scenarios/async-events.js";
import type { ColdStartResult } from "./scenarios/cold-start.js";
import type { DensityResult } from "./scenarios/density.js";
import type { ExpressWorkflowRow } from "./scenarios/express-workflows.js";
import type { FunctionCallsRow } from "./scenarios/function-calls.js";
import type { PackageColdStartResult } from "./scenarios/package-cold-start.js";
import type { SchedulerHopResult } from "./scenarios/scheduler-hop.js";
import type { SeparateNodesRow } from "./scenarios/separate-nodes.js";
import type { SyncInvokeRow } from "./scenarios/sync-invoke.js";
import type { TracingOverheadResult } from "./scenarios/tracing-overhead.js";

/** One run's results; a scenario left out (`--only`) has no field. */
export interface BenchResults {
  startedAt: string;
  mode: "quick" | "full";
  machine: { cores: number; cpu: string; memoryGb: number; node: string; platform: string; commit: string };
  /** The HTTP load generator used (wrk where installed, else autocannon). */
  httpLoadGenerator: string;
  /** The gRPC load generator used (h2load where installed, else several grpc-js client processes). */
  grpcLoadGenerator?: string;
  settings: Record<string, unknown>;
  machineLoad?: RunLoad;
  syncInvoke?: SyncInvokeRow[];
  separateNodes?: SeparateNodesRow[];
  schedulerHop?: SchedulerHopResult[];
  coldStart?: ColdStartResult;
  packageColdStart?: PackageColdStartResult;
  sdkColdStart?: PackageColdStartResult;
  density?: DensityResult[];
  async?: AsyncEventsResult;
  tracing?: TracingOverheadResult;
  functionCalls?: FunctionCallsRow[];
  expressWorkflows?: ExpressWorkflowRow[];
}

export interface RunLoad {
  atStart: ReturnType<typeof loadAverages>;
  atEnd: ReturnType<typeof loadAverages>;
  duringRun: MachineLoad;
}
