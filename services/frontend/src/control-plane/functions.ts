// Function control-plane operations: create, read, list, update, delete; versions, aliases, concurrency,
// event invoke configs and queue stats delegate to versions.ts, aliases.ts, concurrency.ts,
// event-invoke-config.ts and queue-stats.ts.
import { randomUUID } from "node:crypto";
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { Constraint, violationsMessage } from "@lambent/lambda-model";
import { buildBundle, unpackZip, unzippedSizeOf, type PackageFiles } from "@lambent/bundler";
import type { FunctionLayer } from "@lambent/registry/layers";
import { pythonBundle, pythonHandlerFile } from "./python-code.js";
import type { QueueStats } from "@lambent/event-queue";
import {
  CodeStore,
  FunctionStore,
  LATEST,
  compareVersions,
  functionArn,
  isVersionNumber,
  lambdaTimestamp,
  parseFunctionReference,
  type ArnScope,
  type ConcurrencyLimits,
  type FunctionVersionRecord,
  isPythonRuntime,
} from "@lambent/registry/functions";
import type {
  AccountSettings,
  AliasConfiguration,
  FunctionConcurrency,
  FunctionConfiguration,
  FunctionEventInvokeConfig,
  FunctionUrlConfigResponse,
  GetFunctionResponse,
  ListAliasesResponse,
  ListFunctionEventInvokeConfigsResponse,
  ListFunctionsResponse,
  SearchFunctionsResponse,
  ListFunctionUrlConfigsResponse,
  ListTagsResponse,
  AddPermissionResponse,
  GetPolicyResponse,
  RuntimeManagementConfig,
  ListProvisionedConcurrencyConfigsResponse,
  ListVersionsResponse,
  ProvisionedConcurrencyConfiguration,
  QueueStatsResponse,
} from "@lambent/lambda-api";
import type { ControlPlane } from "../api.js";
import { optionalBoolean, optionalBytes, optionalObject, optionalString, optionalStringList, optionalStringMap, requireBody, requireString } from "./fields.js";
import type { LayerOperations } from "./layers.js";
import { Limits, readFunctionSettings, withDeadLetterTarget, withLogging } from "./function-settings.js";
import { toFunctionConfiguration } from "./function-configuration.js";
import { checkInput } from "./model-input.js";
import { compareStrings, paginate, parseMaxItems, type ListOptions } from "./pagination.js";
import { checkRevision as checkRevisionId } from "./preconditions.js";
import { VersionOperations } from "./versions.js";
import { AliasOperations } from "./aliases.js";
import { ConcurrencyOperations } from "./concurrency.js";
import { EventInvokeConfigOperations } from "./event-invoke-config.js";
import { FunctionUrlOperations } from "./function-urls.js";
import { QueueStatsOperations } from "./queue-stats.js";
import { TagOperations, checkTagCount } from "./tags.js";
import { PolicyOperations } from "./policies.js";

export interface FunctionControlPlaneOptions {
  scope: ArnScope;
  functions: FunctionStore;
  code: CodeStore;
  /** GetFunction's `Code.Location`: a time-limited URL the stored package downloads from. */
  codeLocation: (packageObject: string) => string;
  /** The frontend's public base URL, beneath which function URLs are served. */
  publicUrl: () => string;
  /** The account's concurrency limits, which reservations and provisioned concurrency must respect. */
  concurrencyLimits: ConcurrencyLimits;
  /** Provisioned environments of a version or alias the cluster has ready now (the leading scheduler's count). */
  provisionedAllocation: (functionName: string, qualifier: string) => Promise<number>;
  /** What a function's asynchronous event queue holds and what became of its events (@lambent/event-queue). */
  readQueueStats: (functionName: string) => Promise<QueueStats>;
  /** Layer versions, which a function's `Layers` name. */
  layers: LayerOperations;
  /** Resources kept by other modules that go when the function, a version or an alias they name is deleted (routes, …). */
  dependents?: FunctionDependent[];
  /** What the console's list (SearchFunctions) pages through, from this frontend's watched copies. */
  listing: FunctionListing;
}

/** Every function's name and its `$LATEST`, kept in memory (@lambent/registry's FunctionNamesView and RegistryView). */
export interface FunctionListing {
  /** Every function's name, in code-unit order. */
  names(): readonly string[];
  /** A function's `$LATEST`; undefined when the function is gone. */
  latest(functionName: string): Promise<FunctionVersionRecord | undefined>;
}

export interface FunctionDependent {
  /** Drops what belongs to a deleted function, or with a qualifier to a deleted version or alias. */
  forget(functionName: string, qualifier?: string): Promise<void>;
}

interface BuiltCode {
  codeSha256: string;
  codeSize: number;
  packageObject: string;
  bundleObject: string;
  handlerFile: string;
}

/** The code fields of a record a rebuild replaces when the handler or the layers change. */
type RebuiltCode = Pick<BuiltCode, "bundleObject" | "handlerFile"> & { layers?: FunctionLayer[] };

export class FunctionControlPlane implements ControlPlane {
  private readonly versions: VersionOperations;
  private readonly aliases: AliasOperations;
  private readonly concurrency: ConcurrencyOperations;
  private readonly eventInvokeConfigs: EventInvokeConfigOperations;
  private readonly functionUrls: FunctionUrlOperations;
  private readonly queueStats: QueueStatsOperations;
  private readonly tags: TagOperations;
  private readonly policies: PolicyOperations;
  /** What names a function, version or alias and goes with it: the function's own keys and the rest. */
  private readonly dependents: FunctionDependent[];
  /** The dependents kept outside the function's own keys, which deleting the function's records leaves behind. */
  private readonly kept: FunctionDependent[];

  constructor(private readonly options: FunctionControlPlaneOptions) {
    this.versions = new VersionOperations(options.scope, options.functions);
    this.aliases = new AliasOperations(options.scope, options.functions);
    this.concurrency = new ConcurrencyOperations({
      scope: options.scope,
      functions: options.functions,
      limits: options.concurrencyLimits,
      provisionedAllocation: options.provisionedAllocation,
    });
    this.eventInvokeConfigs = new EventInvokeConfigOperations(options.scope, options.functions);
    this.functionUrls = new FunctionUrlOperations(options.scope, options.functions, options.publicUrl);
    this.queueStats = new QueueStatsOperations(options.scope, options.functions, options.readQueueStats);
    this.tags = new TagOperations(options.scope, options.functions);
    this.policies = new PolicyOperations(options.scope, options.functions);
    this.kept = [this.concurrency, ...(options.dependents ?? [])];
    this.dependents = [this.eventInvokeConfigs, this.functionUrls, this.policies, ...this.kept];
  }

  async createFunction(input: unknown): Promise<FunctionConfiguration> {
    const body = requireBody(input);
    checkInput("CreateFunction", body);
    const reference = requireString(body, "FunctionName");
    checkNameLength(reference);
    const { functionName, qualifier } = parseFunctionReference(reference, undefined, this.options.scope);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier on CreateFunction");
    const settings = readFunctionSettings(body);
    if (settings.runtime === undefined || settings.handler === undefined) {
      throw invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
    }
    const tags = optionalStringMap(body, "Tags") ?? {};
    checkTagCount(tags);
    const publish = optionalBoolean(body, "Publish") ?? false;
    const zip = readZip(optionalObject(body, "Code") ?? {});
    const layers = await this.options.layers.resolveForFunction(optionalStringList(body, "Layers") ?? []);
    const built = await this.buildCode(zip, settings.runtime, settings.handler, layers);
    const record: FunctionVersionRecord = {
      functionName,
      version: LATEST,
      runtime: settings.runtime,
      handler: settings.handler,
      role: requireString(body, "Role"),
      memorySize: settings.memorySize ?? Limits.memoryMb.default,
      timeout: settings.timeout ?? Limits.timeoutSeconds.default,
      description: settings.description ?? "",
      environment: settings.environment ?? {},
      ephemeralStorageMb: settings.ephemeralStorageMb ?? Limits.ephemeralStorageMb.default,
      architectures: settings.architectures ?? ["x86_64"],
      ...built,
      revisionId: randomUUID(),
      lastModified: lambdaTimestamp(),
      tags,
      ...(layers.length > 0 ? { layers } : {}),
      ...(settings.deadLetterTargetArn ? { deadLetterTargetArn: settings.deadLetterTargetArn } : {}),
      ...(settings.environment !== undefined ? { hasEnvironment: true } : {}),
      ...(settings.tracingMode !== undefined ? { tracingMode: settings.tracingMode } : {}),
    };
    const logging = withLogging(undefined, settings.logging);
    if (logging !== undefined) record.logging = logging;
    await this.options.functions.create(record);
    const answered = publish ? await this.versions.publish(functionName) : record;
    // The package is built before the record is written, so the function is Active at once;
    // the answer still reports Pending, as Lambda's does, for clients that wait on the state.
    return toFunctionConfiguration(this.options.scope, answered, "created");
  }

  async getFunction(reference: string, qualifierParameter?: string): Promise<GetFunctionResponse> {
    checkInput("GetFunction", { FunctionName: reference, Qualifier: qualifierParameter });
    const { record, qualifier } = await this.resolve(reference, qualifierParameter);
    const response: GetFunctionResponse = {
      Configuration: toFunctionConfiguration(this.options.scope, record, "read", qualifier),
      Code: { RepositoryType: "S3", Location: this.options.codeLocation(record.packageObject) },
    };
    const [latest, reserved] = await Promise.all([
      record.version === LATEST ? record : this.options.functions.get(record.functionName).then((stored) => stored?.record),
      this.concurrency.reservedOf(record.functionName),
    ]);
    if (latest && Object.keys(latest.tags).length > 0) response.Tags = latest.tags;
    if (reserved !== undefined) response.Concurrency = { ReservedConcurrentExecutions: reserved };
    return response;
  }

  async getFunctionConfiguration(reference: string, qualifierParameter?: string): Promise<FunctionConfiguration> {
    checkInput("GetFunctionConfiguration", { FunctionName: reference, Qualifier: qualifierParameter });
    const { record, qualifier } = await this.resolve(reference, qualifierParameter);
    return toFunctionConfiguration(this.options.scope, record, "read", qualifier);
  }

  /**
   * Every function's $LATEST by name; with `FunctionVersion: ALL`, every version of every function
   * ($LATEST named with its qualified ARN, as Lambda names it then).
   */
  async listFunctions(options: ListOptions & { functionVersion?: string; masterRegion?: string }): Promise<ListFunctionsResponse> {
    checkInput("ListFunctions", { Marker: options.marker, MaxItems: options.maxItems, FunctionVersion: options.functionVersion, MasterRegion: options.masterRegion });
    const names = await this.options.functions.listFunctionNames();
    const all = options.functionVersion === "ALL";
    const keys = all ? (await Promise.all(names.map(async (name) => (await this.options.functions.listVersions(name)).map((version) => `${name}:${version}`)))).flat() : names;
    const page = paginate(keys, (key) => key, compareFunctionVersions, options);
    const records = await Promise.all(page.items.map((key) => this.options.functions.get(...(key.split(":") as [string, string?]))));
    const response: ListFunctionsResponse = {
      Functions: records.flatMap((stored) =>
        stored ? [toFunctionConfiguration(this.options.scope, stored.record, "listed", all ? stored.record.version : undefined)] : [],
      ),
    };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  /**
   * Lambent's SearchFunctions, for the console's list: the page at `offset` of the functions whose name
   * holds `search` (case-insensitive), by name, and how many match and exist. Names and records come from
   * this frontend's watched copies: nothing is listed or read from KV per request.
   */
  async searchFunctions(options: { search?: string | undefined; offset?: string | undefined; maxItems?: string | undefined }): Promise<SearchFunctionsResponse> {
    const maxItems = parseMaxItems(options.maxItems);
    const offset = options.offset === undefined || options.offset === "" ? 0 : /^\d{1,9}$/.test(options.offset) ? Number(options.offset) : Number.NaN;
    if (!Number.isInteger(offset)) throw invalidParameter(`Offset must be a whole number, got '${options.offset ?? ""}'`);
    const needle = (options.search ?? "").trim().toLowerCase();
    if (needle.length > 170) throw invalidParameter("Search must be at most 170 characters long");
    const names = this.options.listing.names();
    const matched = needle === "" ? names : names.filter((name) => name.toLowerCase().includes(needle));
    const records = await Promise.all(matched.slice(offset, offset + maxItems).map((name) => this.options.listing.latest(name)));
    return {
      Functions: records.flatMap((record) => (record ? [toFunctionConfiguration(this.options.scope, record, "listed")] : [])),
      Matched: matched.length,
      Total: names.length,
    };
  }

  async updateFunctionCode(reference: string, input: unknown): Promise<FunctionConfiguration> {
    const body = requireBody(input);
    checkInput("UpdateFunctionCode", { ...body, FunctionName: reference });
    const functionName = this.unqualifiedName(reference);
    const zip = readZip(body);
    const expectedRevision = optionalString(body, "RevisionId");
    const dryRun = optionalBoolean(body, "DryRun") ?? false;
    const publish = optionalBoolean(body, "Publish") ?? false;
    const current = await this.requireLatest(functionName);
    const built = await this.buildCode(zip, current.runtime, current.handler, current.layers ?? [], dryRun);
    if (dryRun) return toFunctionConfiguration(this.options.scope, { ...current, ...built }, "updated");
    const record = await this.options.functions.update(functionName, LATEST, (latest) => {
      checkRevision(latest, expectedRevision);
      return { ...latest, ...built, revisionId: randomUUID(), lastModified: lambdaTimestamp() };
    });
    if (!publish) return toFunctionConfiguration(this.options.scope, record, "updated");
    // Lambda answers with the version being created, as a create answers.
    return toFunctionConfiguration(this.options.scope, await this.versions.publish(functionName, { codeSha256: record.codeSha256 }), "created");
  }

  async updateFunctionConfiguration(reference: string, input: unknown): Promise<FunctionConfiguration> {
    const body = requireBody(input);
    checkInput("UpdateFunctionConfiguration", { ...body, FunctionName: reference });
    const functionName = this.unqualifiedName(reference);
    const { deadLetterTargetArn, ...settings } = readFunctionSettings(body);
    const expectedRevision = optionalString(body, "RevisionId");
    const current = await this.requireLatest(functionName);
    // A new handler may live in another file of the package, and new layers change what its imports
    // resolve to: rebuild before anything is written.
    const layerArns = optionalStringList(body, "Layers");
    const layers = layerArns === undefined ? undefined : await this.options.layers.resolveForFunction(layerArns);
    const handlerChanged = settings.handler !== undefined && settings.handler !== current.handler;
    // Between Node.js and Python the same package is built another way.
    const languageChanged = settings.runtime !== undefined && isPythonRuntime(settings.runtime) !== isPythonRuntime(current.runtime);
    let rebuilt: RebuiltCode | undefined;
    if (handlerChanged || languageChanged || layers !== undefined) {
      const zip = await this.options.code.getPackage(current.packageObject);
      if (!zip) throw new LambdaError("ServiceException", `Deployment package of ${functionName} is missing from the code store`);
      const { bundleObject, handlerFile } = await this.buildCode(zip, settings.runtime ?? current.runtime, settings.handler ?? current.handler, layers ?? current.layers ?? []);
      rebuilt = { bundleObject, handlerFile, ...(layers !== undefined ? { layers } : {}) };
    }
    const record = await this.options.functions.update(functionName, LATEST, (latest) => {
      checkRevision(latest, expectedRevision);
      if (rebuilt === undefined ? settings.handler !== undefined && settings.handler !== latest.handler : latest.packageObject !== current.packageObject) {
        throw new LambdaError("ResourceConflictException", "The function's code changed during the update; try again.");
      }
      const { logging: givenLogging, ...plain } = settings;
      const next: FunctionVersionRecord = { ...latest, ...definedOnly(plain), ...rebuilt, revisionId: randomUUID(), lastModified: lambdaTimestamp() };
      if (next.layers?.length === 0) delete next.layers;
      if (settings.environment !== undefined) next.hasEnvironment = true;
      const logging = withLogging(latest.logging, givenLogging);
      if (logging !== undefined) next.logging = logging;
      return withDeadLetterTarget(next, deadLetterTargetArn);
    });
    return toFunctionConfiguration(this.options.scope, record, "updated");
  }

  async deleteFunction(reference: string, qualifierParameter?: string): Promise<void> {
    checkInput("DeleteFunction", { FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter, this.options.scope);
    if (qualifier === LATEST) {
      throw invalidParameter("$LATEST version cannot be deleted without deleting the function.");
    }
    if (qualifier !== undefined) {
      await this.versions.deleteVersion(functionName, qualifier);
      await forget(this.dependents, functionName, qualifier);
      return;
    }
    try {
      await this.options.functions.deleteFunction(functionName);
    } catch (error) {
      if (error instanceof LambdaError && error.type === "ResourceNotFoundException") {
        // A delete that stopped between the records and the settings left settings behind: a retry clears them.
        await forget(this.dependents, functionName);
        throw resourceNotFound(`Function not found: ${functionArn(this.options.scope, functionName)}`);
      }
      throw error;
    }
    // deleteFunction took the function's own keys (event invoke configs, URLs) with its records.
    await forget(this.kept, functionName);
  }

  async publishVersion(reference: string, input: unknown): Promise<FunctionConfiguration> {
    const body = requireBody(input ?? {});
    checkInput("PublishVersion", { ...body, FunctionName: reference });
    const codeSha256 = optionalString(body, "CodeSha256");
    const revisionId = optionalString(body, "RevisionId");
    const description = optionalString(body, "Description");
    const record = await this.versions.publish(this.unqualifiedName(reference), {
      ...(codeSha256 !== undefined ? { codeSha256 } : {}),
      ...(revisionId !== undefined ? { revisionId } : {}),
      ...(description !== undefined ? { description } : {}),
    });
    return toFunctionConfiguration(this.options.scope, record, "read");
  }

  listVersionsByFunction(reference: string, options: ListOptions): Promise<ListVersionsResponse> {
    checkInput("ListVersionsByFunction", { FunctionName: reference, Marker: options.marker, MaxItems: options.maxItems });
    return this.versions.list(this.unqualifiedName(reference), options);
  }

  createAlias(reference: string, body: unknown): Promise<AliasConfiguration> {
    return this.aliases.create(reference, body);
  }

  getAlias(reference: string, aliasName: string): Promise<AliasConfiguration> {
    return this.aliases.get(reference, aliasName);
  }

  updateAlias(reference: string, aliasName: string, body: unknown): Promise<AliasConfiguration> {
    return this.aliases.update(reference, aliasName, body);
  }

  async deleteAlias(reference: string, aliasName: string): Promise<void> {
    await this.aliases.delete(reference, aliasName);
    const { functionName } = parseFunctionReference(reference, undefined, this.options.scope);
    await forget(this.dependents, functionName, aliasName);
  }

  listAliases(reference: string, options: ListOptions & { functionVersion?: string }): Promise<ListAliasesResponse> {
    return this.aliases.list(reference, options);
  }

  getAccountSettings(): Promise<AccountSettings> {
    return this.concurrency.accountSettings();
  }

  putFunctionConcurrency(reference: string, body: unknown): Promise<FunctionConcurrency> {
    return this.concurrency.putReserved(reference, body);
  }

  getFunctionConcurrency(reference: string): Promise<FunctionConcurrency> {
    return this.concurrency.getReserved(reference);
  }

  deleteFunctionConcurrency(reference: string): Promise<void> {
    return this.concurrency.deleteReserved(reference);
  }

  putProvisionedConcurrencyConfig(reference: string, qualifier: string | undefined, body: unknown): Promise<ProvisionedConcurrencyConfiguration> {
    return this.concurrency.putProvisioned(reference, qualifier, body);
  }

  getProvisionedConcurrencyConfig(reference: string, qualifier: string | undefined): Promise<ProvisionedConcurrencyConfiguration> {
    return this.concurrency.getProvisioned(reference, qualifier);
  }

  deleteProvisionedConcurrencyConfig(reference: string, qualifier: string | undefined): Promise<void> {
    return this.concurrency.deleteProvisioned(reference, qualifier);
  }

  listProvisionedConcurrencyConfigs(reference: string, options: ListOptions): Promise<ListProvisionedConcurrencyConfigsResponse> {
    return this.concurrency.listProvisioned(reference, options);
  }

  putFunctionEventInvokeConfig(reference: string, qualifier: string | undefined, body: unknown): Promise<FunctionEventInvokeConfig> {
    return this.eventInvokeConfigs.put(reference, qualifier, body);
  }

  updateFunctionEventInvokeConfig(reference: string, qualifier: string | undefined, body: unknown): Promise<FunctionEventInvokeConfig> {
    return this.eventInvokeConfigs.update(reference, qualifier, body);
  }

  getFunctionEventInvokeConfig(reference: string, qualifier: string | undefined): Promise<FunctionEventInvokeConfig> {
    return this.eventInvokeConfigs.get(reference, qualifier);
  }

  deleteFunctionEventInvokeConfig(reference: string, qualifier: string | undefined): Promise<void> {
    return this.eventInvokeConfigs.delete(reference, qualifier);
  }

  listFunctionEventInvokeConfigs(reference: string, options: ListOptions): Promise<ListFunctionEventInvokeConfigsResponse> {
    return this.eventInvokeConfigs.list(reference, options);
  }

  createFunctionUrlConfig(reference: string, qualifier: string | undefined, body: unknown): Promise<FunctionUrlConfigResponse> {
    return this.functionUrls.create(reference, qualifier, body);
  }

  getFunctionUrlConfig(reference: string, qualifier: string | undefined): Promise<FunctionUrlConfigResponse> {
    return this.functionUrls.get(reference, qualifier);
  }

  updateFunctionUrlConfig(reference: string, qualifier: string | undefined, body: unknown): Promise<FunctionUrlConfigResponse> {
    return this.functionUrls.update(reference, qualifier, body);
  }

  deleteFunctionUrlConfig(reference: string, qualifier: string | undefined): Promise<void> {
    return this.functionUrls.delete(reference, qualifier);
  }

  listFunctionUrlConfigs(reference: string, options: ListOptions): Promise<ListFunctionUrlConfigsResponse> {
    return this.functionUrls.list(reference, options);
  }

  getQueueStats(reference: string): Promise<QueueStatsResponse> {
    return this.queueStats.get(reference);
  }

  tagResource(resource: string, body: unknown): Promise<void> {
    return this.tags.tag(resource, body);
  }

  untagResource(resource: string, tagKeys: string[] | undefined): Promise<void> {
    return this.tags.untag(resource, tagKeys);
  }

  listTags(resource: string): Promise<ListTagsResponse> {
    return this.tags.list(resource);
  }

  addPermission(reference: string, qualifier: string | undefined, body: unknown): Promise<AddPermissionResponse> {
    return this.policies.add(reference, qualifier, body);
  }

  removePermission(reference: string, statementId: string, qualifier: string | undefined, revisionId: string | undefined): Promise<void> {
    return this.policies.remove(reference, statementId, qualifier, revisionId);
  }

  getPolicy(reference: string, qualifier: string | undefined): Promise<GetPolicyResponse> {
    return this.policies.get(reference, qualifier);
  }

  /** Runtimes follow Lambent's own updates: the mode is Auto, which names no runtime version. */
  async getRuntimeManagementConfig(reference: string, qualifierParameter: string | undefined): Promise<RuntimeManagementConfig> {
    checkInput("GetRuntimeManagementConfig", { FunctionName: reference, Qualifier: qualifierParameter });
    const { record, qualifier } = await this.resolve(reference, qualifierParameter);
    return { UpdateRuntimeOn: "Auto", FunctionArn: functionArn(this.options.scope, record.functionName, qualifier) };
  }

  private unqualifiedName(reference: string): string {
    const { functionName, qualifier } = parseFunctionReference(reference, undefined, this.options.scope);
    if (qualifier !== undefined && qualifier !== LATEST) {
      throw invalidParameter("Only $LATEST can be updated; published versions never change");
    }
    return functionName;
  }

  /** The record a qualifier names: `$LATEST` (or none), a version, or an alias's primary version; and the qualifier named. */
  private async resolve(reference: string, qualifierParameter?: string): Promise<{ record: FunctionVersionRecord; qualifier: string | undefined }> {
    const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter, this.options.scope);
    const notFound = () => resourceNotFound(`Function not found: ${functionArn(this.options.scope, functionName, qualifier)}`);
    let version = qualifier ?? LATEST;
    if (version !== LATEST && !isVersionNumber(version)) {
      const alias = await this.options.functions.aliases.get(functionName, version);
      if (!alias) throw notFound();
      version = alias.alias.functionVersion;
    }
    const stored = await this.options.functions.get(functionName, version);
    if (!stored) throw notFound();
    return { record: stored.record, qualifier };
  }

  private async requireLatest(functionName: string): Promise<FunctionVersionRecord> {
    const stored = await this.options.functions.get(functionName, LATEST);
    if (!stored) throw resourceNotFound(`Function not found: ${functionArn(this.options.scope, functionName)}`);
    return stored.record;
  }

  private async buildCode(zip: Uint8Array, runtime: string, handler: string, layers: readonly FunctionLayer[], dryRun = false): Promise<BuiltCode> {
    const files = unpackZip(zip);
    const layerFiles = await this.options.layers.filesFor(layers, unzippedSizeOf(files));
    const bundle = isPythonRuntime(runtime) ? pythonBundleOf(files, handler) : await buildBundle(files, handler, layerFiles);
    if (dryRun) return { codeSha256: "", codeSize: zip.length, packageObject: "", bundleObject: "", handlerFile: bundle.handlerFile };
    const code = this.options.code;
    const [stored, bundleObject] = await Promise.all([
      code.putPackage(zip),
      // The map is stored before the record that points at its bundle, so a worker always finds it.
      code.putBundle(bundle.code).then(async (objectName) => {
        await code.putSourceMap(objectName, bundle.sourceMap);
        return objectName;
      }),
    ]);
    return {
      codeSha256: stored.sha256Base64,
      codeSize: stored.size,
      packageObject: stored.objectName,
      bundleObject,
      handlerFile: bundle.handlerFile,
    };
  }
}

/** A function's own name is at most 64 characters, though the model lets a reference (an ARN) be longer. */
function checkNameLength(reference: string): void {
  const at = reference.lastIndexOf("function:");
  const name = at < 0 ? reference : reference.slice(at + "function:".length);
  if (name.length > Limits.functionNameLength) {
    throw invalidParameter(violationsMessage([{ path: "functionName", value: reference, constraint: Constraint.maxLength(Limits.functionNameLength) }]));
  }
}

function readZip(code: Record<string, unknown>): Uint8Array {
  for (const unsupported of ["S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri"]) {
    if (code[unsupported] !== undefined) {
      throw invalidParameter(`Code.${unsupported} is not supported: upload the deployment package in ZipFile`);
    }
  }
  const zip = optionalBytes(code, "ZipFile");
  if (zip === undefined || zip.length === 0) throw invalidParameter("ZipFile is required: a base64-encoded zip of the deployment package");
  return zip;
}

function checkRevision(record: FunctionVersionRecord, expected: string | undefined): void {
  checkRevisionId(record.revisionId, expected);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** `name:version` keys by name, then $LATEST before versions in order (ListFunctions with FunctionVersion ALL). */
function compareFunctionVersions(a: string, b: string): number {
  const [nameA, versionA = LATEST] = a.split(":") as [string, string?];
  const [nameB, versionB = LATEST] = b.split(":") as [string, string?];
  return compareStrings(nameA, nameB) || compareVersions(versionA, versionB);
}

/** Drops, one after another, what each dependent keeps for a deleted function (or version or alias). */
async function forget(dependents: readonly FunctionDependent[], functionName: string, qualifier?: string): Promise<void> {
  for (const dependent of dependents) await dependent.forget(functionName, qualifier);
}

/** A Python function's "bundle": its handler's module file, and no source map (Python's trace names its own files). */
function pythonBundleOf(files: PackageFiles, handler: string): { code: string; sourceMap: string; handlerFile: string } {
  const handlerFile = pythonHandlerFile(files, handler);
  return { code: pythonBundle(handlerFile), sourceMap: "", handlerFile };
}
