// A deployment's alarms read over Lambent's own metrics: each alarm's metric summed per period of whole
// minutes, from the minute traffic first moved, and compared with its threshold as CloudWatch does. An
// alarm that was in ALARM at any time during the deployment rolls it back, as CodeDeploy's would have
// seen it between steps.
import type { DeploymentAlarm } from "@lambent/registry/applications";

/** What one minute of a function's metrics holds (readMetricsHistory's minutes). */
export interface MinuteCounts {
  minute: number;
  invocations: number;
  errors: number;
  throttles: number;
}

export interface AlarmVerdict {
  alarm: DeploymentAlarm;
  breached: boolean;
  /** The datapoints (sums per period), oldest first. */
  datapoints: number[];
}

const METRIC_OF: Readonly<Record<DeploymentAlarm["metric"], (minute: MinuteCounts) => number>> = {
  Errors: (minute) => minute.errors,
  Throttles: (minute) => minute.throttles,
  Invocations: (minute) => minute.invocations,
};

export function breaches(alarm: Pick<DeploymentAlarm, "comparison" | "threshold">, value: number): boolean {
  switch (alarm.comparison) {
    case "GreaterThanOrEqualToThreshold":
      return value >= alarm.threshold;
    case "GreaterThanThreshold":
      return value > alarm.threshold;
    case "LessThanThreshold":
      return value < alarm.threshold;
    case "LessThanOrEqualToThreshold":
      return value <= alarm.threshold;
  }
}

/**
 * Evaluates one alarm over the minutes since traffic moved (oldest first, a minute with nothing recorded
 * counting 0). `complete` says whether the last minute is over: a period still filling is evaluated for a
 * Greater… comparison (its sum only grows) but not for a Less… one (it would breach before it filled).
 */
export function evaluateAlarm(alarm: DeploymentAlarm, minutes: readonly MinuteCounts[], complete: boolean): AlarmVerdict {
  const metric = METRIC_OF[alarm.metric];
  const datapoints: number[] = [];
  for (let start = 0; start < minutes.length; start += alarm.periodMinutes) {
    const period = minutes.slice(start, start + alarm.periodMinutes);
    const filled = period.length === alarm.periodMinutes && (complete || start + alarm.periodMinutes < minutes.length);
    if (!filled && alarm.comparison.startsWith("Less")) break;
    datapoints.push(period.reduce((sum, minute) => sum + metric(minute), 0));
  }
  // In ALARM once any run of EvaluationPeriods datapoints (fewer at the start) holds DatapointsToAlarm breaching ones.
  const breaching = datapoints.map((value) => breaches(alarm, value));
  let breached = false;
  for (let end = 1; end <= breaching.length && !breached; end += 1) {
    const window = breaching.slice(Math.max(0, end - alarm.evaluationPeriods), end);
    breached = window.filter(Boolean).length >= alarm.datapointsToAlarm;
  }
  return { alarm, breached, datapoints };
}
