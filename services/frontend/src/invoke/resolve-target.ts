// Qualifier → the version record that runs, from the cached registry view.
import { resourceNotFound } from "@lambent/errors";
import { LATEST, functionArn, type ArnScope, type FunctionVersionRecord, type RegistryView } from "@lambent/registry";

export async function resolveTarget(
  view: RegistryView,
  scope: ArnScope,
  functionName: string,
  qualifier: string | undefined,
): Promise<FunctionVersionRecord> {
  const version = qualifier ?? LATEST;
  const record = view.cached(functionName, version) ?? (await view.get(functionName, version));
  if (!record) throw resourceNotFound(`Function not found: ${functionArn(scope, functionName, qualifier)}`);
  return record;
}
