// A gradual deployment's own check, alarms or none: the new version's error rate over the calls the alias
// sent it since traffic moved, against the old version's over the same calls of the alias. The new version
// fails it when its rate is above the old one's by more than the operator's margin, once it has answered
// enough calls to judge; the old version's errors never fail it.
import type { MinuteCounts } from "./alarm-evaluation.js";

export interface ErrorRateRule {
  /** Percentage points the new version's error rate may exceed the old one's (LAMBENT_DEPLOYMENT_ERROR_RATE_MARGIN_PERCENT); 100 turns the check off. */
  marginPercent: number;
  /** Calls the new version must have answered through the alias before its rate is judged (LAMBENT_DEPLOYMENT_ERROR_RATE_MIN_CALLS). */
  minCalls: number;
}

export const DEFAULT_ERROR_RATE_RULE: ErrorRateRule = { marginPercent: 10, minCalls: 5 };

export interface VersionCalls {
  invocations: number;
  errors: number;
}

export function sumCalls(minutes: readonly MinuteCounts[]): VersionCalls {
  let invocations = 0;
  let errors = 0;
  for (const minute of minutes) {
    invocations += minute.invocations;
    errors += minute.errors;
  }
  return { invocations, errors };
}

const rate = (calls: VersionCalls): number => (calls.invocations === 0 ? 0 : calls.errors / calls.invocations);
const percent = (calls: VersionCalls): string => `${(rate(calls) * 100).toFixed(1)}%`;

/** Why the new version fails the rule, or undefined while it passes (or has too few calls to judge). */
export function errorRateBreach(rule: ErrorRateRule, newVersion: VersionCalls, oldVersion: VersionCalls): string | undefined {
  if (rule.marginPercent >= 100 || newVersion.invocations < rule.minCalls || newVersion.errors === 0) return undefined;
  if (rate(newVersion) * 100 <= rate(oldVersion) * 100 + rule.marginPercent) return undefined;
  return `the new version's error rate ${percent(newVersion)} (${newVersion.errors} of ${newVersion.invocations} calls) is more than ${rule.marginPercent} points above the old version's ${percent(oldVersion)} (${oldVersion.errors} of ${oldVersion.invocations})`;
}
