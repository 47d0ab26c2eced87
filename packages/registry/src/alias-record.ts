// An alias of a function as services see it and as it is stored in KV, and how it picks a version.

export const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/;

/** Published version numbers: digits, no leading zero. */
const VERSION_NUMBER = /^[1-9][0-9]*$/;

export function isVersionNumber(qualifier: string): boolean {
  return VERSION_NUMBER.test(qualifier);
}

export function isValidAliasName(name: string): boolean {
  return ALIAS_NAME.test(name);
}

/** Traffic an alias sends to one more version besides its own. */
export interface AliasRouting {
  version: string;
  /** Share of invocations, strictly between 0 and 1. */
  weight: number;
}

/** The JSON under `alias.<function>.<alias>` in the functions KV bucket. */
export interface AliasRecord {
  functionName: string;
  name: string;
  /** The version the alias points at: `$LATEST` (only without routing) or a number. */
  functionVersion: string;
  description: string;
  /** At most one extra version, so the record holds it directly rather than Lambda's map. */
  routing?: AliasRouting;
  revisionId: string;
  /** The version before the last move of `functionVersion`, for one-step rollback. */
  previousVersion?: string;
}

/**
 * The version one invocation through the alias runs. `random` is in [0, 1); the extra version gets
 * its weight's share of calls.
 */
export function chooseAliasVersion(alias: AliasRecord, random: () => number = Math.random): string {
  const routing = alias.routing;
  return routing !== undefined && random() < routing.weight ? routing.version : alias.functionVersion;
}

/** Whether an invocation through the alias may run `version`. */
export function aliasUsesVersion(alias: AliasRecord, version: string): boolean {
  return alias.functionVersion === version || alias.routing?.version === version;
}
