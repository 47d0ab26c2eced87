// A cold start: the function's bundle from the code cache, then a new execution environment. Calls that
// find no warm environment and provisioning ahead of traffic both start environments here.
import { isPythonRuntime, type FunctionVersionRecord } from "@lambent/registry/functions";
import { serviceError } from "@lambent/errors";
import type { CodeCache } from "./code-cache.js";
import { Environment, type CatastropheListener, type EnvironmentTracker, type InlineWatch } from "./pool/environment.js";
import type { EntryModes } from "./pool/entry-modes.js";
import type { PlatformVariables } from "./platform-variables.js";
import type { SpareIsolates } from "./pool/spare-isolates.js";
import { preparePython } from "./python/python-snapshot.js";
import type { PythonSpares } from "./python/python-spares.js";
import type { FunctionSnapshots } from "./python/function-snapshots.js";

/** What every environment of this process shares: how calls are entered, and who hears of a catastrophe. */
export interface EnvironmentRuntime {
  modes: EntryModes;
  inlineWatch?: InlineWatch | undefined;
  onCatastrophe?: CatastropheListener | undefined;
  /** Hears of every environment made and gone (the sandbox process's memory wall). */
  tracker?: EnvironmentTracker | undefined;
  /** The operator's AWS endpoints and the execution roles' credentials, for environment variables. */
  platform?: PlatformVariables | undefined;
  /** Blank isolates made ahead of cold starts (pool/spare-isolates.ts). */
  spares?: SpareIsolates | undefined;
  /** Python interpreters started ahead of cold starts (python/python-spares.ts). */
  pythonSpares?: PythonSpares | undefined;
  /** Python functions' own snapshots, taken after their import (python/function-snapshots.ts). */
  pythonSnapshots?: FunctionSnapshots | undefined;
}

export interface ColdStart {
  key: string;
  record: FunctionVersionRecord;
  region: string;
  /** The call that needs the environment (a fresh id when provisioning); init failures are reported under it. */
  requestId: string;
}

/** Rejects with an InitFailure when the module fails to load, and a ServiceException when its code is missing. */
export async function startEnvironment(code: CodeCache, runtime: EnvironmentRuntime, { key, record, region, requestId }: ColdStart): Promise<Environment> {
  const bundle = await code.get(record.bundleObject);
  if (!bundle) throw serviceError(`Code of ${record.functionName}:${record.version} is missing (${record.bundleObject})`);
  // The interpreter's snapshot is the worker host's, made once: not part of any function's Init Duration.
  if (isPythonRuntime(record.runtime)) await preparePython();
  return Environment.create({ key, record, bundle, region, requestId, ...runtime });
}
