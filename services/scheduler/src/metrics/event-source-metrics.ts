// The event source mappings' metric: the iterator age of each stream mapping the leading scheduler polls,
// like Lambda's IteratorAge — how far behind the stream's newest records processing is.
import type { MetricsRegistry } from "@lambent/telemetry";
import type { MappingSupervisor } from "../event-sources/mapping-supervisor.js";

export function registerEventSourceMetrics(registry: MetricsRegistry, supervisor: MappingSupervisor): void {
  registry.callbackGauge(
    "lambent_esm_iterator_age_seconds",
    "Stream event source mappings: seconds from the arrival of the last record processed to now (0 when caught up), as the leading scheduler reports it.",
    ["mapping", "function"],
    (report) => {
      for (const [uuid, functionName, age] of supervisor.iteratorAges()) report([uuid, functionName], age);
    },
  );
}
