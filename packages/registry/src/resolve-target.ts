// Qualifier → the version record that runs, from the cached registry view. An alias picks its version
// per call (the extra version with its weight); the common cases are one or two map lookups. Every path
// that invokes by name uses it: the frontend, triggers and event sources, and functions calling functions.
// What is not found is named as Lambda's Invoke names it, qualified (`…:function:name:$LATEST`).
import { resourceNotFound } from "@lambent/errors";
import { chooseAliasVersion, isVersionNumber } from "./alias-record.js";
import { LATEST, type FunctionVersionRecord } from "./function-record.js";
import { functionArn, type ArnScope } from "./function-name.js";
import type { RegistryView } from "./registry-view.js";

export async function resolveTarget(
  view: RegistryView,
  scope: ArnScope,
  functionName: string,
  qualifier: string | undefined,
  random: () => number = Math.random,
): Promise<FunctionVersionRecord> {
  let version = qualifier ?? LATEST;
  const direct = view.cached(functionName, version);
  if (direct) return direct;
  if (version !== LATEST && !isVersionNumber(version)) {
    const alias = view.cachedAlias(functionName, version) ?? (await view.getAlias(functionName, version));
    if (!alias) throw resourceNotFound(`Function not found: ${functionArn(scope, functionName, qualifier ?? LATEST)}`);
    version = chooseAliasVersion(alias, random);
  }
  const record = view.cached(functionName, version) ?? (await view.get(functionName, version));
  if (!record) throw resourceNotFound(`Function not found: ${functionArn(scope, functionName, qualifier ?? LATEST)}`);
  return record;
}
