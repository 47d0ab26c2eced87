// lambent.v1.Lambda RPCs as calls on the FrontendApi: proto messages in, Lambda-shaped requests to the
// API, Lambda-shaped answers back into proto messages. Validation stays in the API, so gRPC and HTTP
// accept and reject the same things. A field left undefined in a body reads as absent, like a field
// missing from a JSON body.
import { invalidParameter } from "@lambent/errors";
import type { InvocationType as LambdaInvocationType, LogType as LambdaLogType } from "@lambent/protocol";
import * as proto from "@lambent/proto";
import type {
  AliasConfiguration,
  FunctionConfiguration,
  FunctionEventInvokeConfig,
  ProvisionedConcurrencyConfigListItem,
  ProvisionedConcurrencyConfiguration,
} from "@lambent/lambda-api";
import type { FrontendApi, InvokeOutput } from "../api.js";
import type { ListOptions } from "../control-plane/pagination.js";
import { getUsageRpc } from "./log-usage-rpcs.js";
import { corsBody } from "./cors-messages.js";
import { toProtoFunctionUrlConfig } from "./function-url-messages.js";
import { routeRpcs } from "./route-rpcs.js";
import { triggerRpcs } from "./trigger-rpcs.js";
import { eventSourceMappingRpcs } from "./event-source-mapping-rpcs.js";
import { functionResourceRpcs } from "./function-resource-rpcs.js";
import { layerRpcs } from "./layer-rpcs.js";
import type { LambdaRpcHandlers } from "./lambda-methods.js";

/** @param defaultRole the role of a function created without one (Lambda requires it; gRPC lets it be empty) */
export function createLambdaRpcHandlers(api: FrontendApi, defaultRole?: string): LambdaRpcHandlers {
  const { controlPlane, invoker } = api;
  return {
    async createFunction(request) {
      const configuration = await controlPlane.createFunction({ ...createFunctionBody(request), Role: nonEmpty(request.role) ?? defaultRole });
      return { configuration: toProtoConfiguration(configuration) };
    },

    async getFunction(request) {
      const response = await controlPlane.getFunction(request.functionName, nonEmpty(request.qualifier));
      return {
        configuration: toProtoConfiguration(response.Configuration),
        code: { repositoryType: response.Code.RepositoryType, location: response.Code.Location },
        tags: response.Tags ?? {},
        concurrency:
          response.Concurrency === undefined ? undefined : { reservedConcurrentExecutions: response.Concurrency.ReservedConcurrentExecutions },
      };
    },

    async getFunctionConfiguration(request) {
      const configuration = await controlPlane.getFunctionConfiguration(request.functionName, nonEmpty(request.qualifier));
      return { configuration: toProtoConfiguration(configuration) };
    },

    async listFunctions(request) {
      const response = await controlPlane.listFunctions(listOptions(request));
      return { functions: response.Functions.map(toProtoConfiguration), nextMarker: response.NextMarker ?? "" };
    },

    async updateFunctionCode(request) {
      const body = {
        ZipFile: request.zipFile,
        Publish: request.publish || undefined,
        RevisionId: nonEmpty(request.revisionId),
      };
      const configuration = await controlPlane.updateFunctionCode(request.functionName, body);
      return { configuration: toProtoConfiguration(configuration) };
    },

    async updateFunctionConfiguration(request) {
      const replaceEnvironment = request.replaceEnvironment || Object.keys(request.environment).length > 0;
      const body = {
        Role: request.role,
        Handler: request.handler,
        Description: request.description,
        Timeout: request.timeout,
        MemorySize: request.memorySize,
        Runtime: request.runtime,
        Environment: replaceEnvironment ? { Variables: request.environment } : undefined,
        RevisionId: nonEmpty(request.revisionId),
        DeadLetterConfig: lambdaDeadLetterConfig(request.deadLetterConfig),
        Layers: request.replaceLayers || request.layers.length > 0 ? request.layers : undefined,
      };
      const configuration = await controlPlane.updateFunctionConfiguration(request.functionName, body);
      return { configuration: toProtoConfiguration(configuration) };
    },

    async deleteFunction(request) {
      await controlPlane.deleteFunction(request.functionName, nonEmpty(request.qualifier));
      return {};
    },

    async invoke(request, span) {
      const output = await invoker.invoke({
        functionName: request.functionName,
        qualifier: nonEmpty(request.qualifier),
        payload: request.payload,
        invocationType: lambdaInvocationType(request.invocationType),
        logType: lambdaLogType(request.logType),
        clientContext: nonEmpty(request.clientContext),
        span,
      });
      return toProtoInvokeResponse(output);
    },

    async publishVersion(request) {
      const body = {
        CodeSha256: nonEmpty(request.codeSha256),
        RevisionId: nonEmpty(request.revisionId),
        Description: nonEmpty(request.description),
      };
      const configuration = await controlPlane.publishVersion(request.functionName, body);
      return { configuration: toProtoConfiguration(configuration) };
    },

    async listVersionsByFunction(request) {
      const response = await controlPlane.listVersionsByFunction(request.functionName, listOptions(request));
      return { versions: response.Versions.map(toProtoConfiguration), nextMarker: response.NextMarker ?? "" };
    },

    async createAlias(request) {
      const body = {
        Name: request.name,
        FunctionVersion: request.functionVersion,
        Description: nonEmpty(request.description),
        RoutingConfig: lambdaRoutingConfig(request.routingConfig),
      };
      const alias = await controlPlane.createAlias(request.functionName, body);
      return { alias: toProtoAlias(alias) };
    },

    async getAlias(request) {
      const alias = await controlPlane.getAlias(request.functionName, request.name);
      return { alias: toProtoAlias(alias) };
    },

    async updateAlias(request) {
      const body = {
        FunctionVersion: nonEmpty(request.functionVersion),
        Description: request.description,
        RoutingConfig: lambdaRoutingConfig(request.routingConfig),
        RevisionId: nonEmpty(request.revisionId),
      };
      const alias = await controlPlane.updateAlias(request.functionName, request.name, body);
      return { alias: toProtoAlias(alias) };
    },

    async deleteAlias(request) {
      await controlPlane.deleteAlias(request.functionName, request.name);
      return {};
    },

    async listAliases(request) {
      const response = await controlPlane.listAliases(request.functionName, {
        ...listOptions(request),
        functionVersion: nonEmpty(request.functionVersion),
      });
      return { aliases: response.Aliases.map(toProtoAlias), nextMarker: response.NextMarker ?? "" };
    },

    async getAccountSettings() {
      const { AccountLimit: limit, AccountUsage: usage } = await controlPlane.getAccountSettings();
      return {
        accountLimit: {
          totalCodeSize: limit.TotalCodeSize,
          codeSizeUnzipped: limit.CodeSizeUnzipped,
          codeSizeZipped: limit.CodeSizeZipped,
          concurrentExecutions: limit.ConcurrentExecutions,
          unreservedConcurrentExecutions: limit.UnreservedConcurrentExecutions,
        },
        accountUsage: { totalCodeSize: usage.TotalCodeSize, functionCount: usage.FunctionCount },
      };
    },

    async putFunctionConcurrency(request) {
      const body = { ReservedConcurrentExecutions: request.reservedConcurrentExecutions };
      const response = await controlPlane.putFunctionConcurrency(request.functionName, body);
      return { reservedConcurrentExecutions: response.ReservedConcurrentExecutions ?? 0 };
    },

    async getFunctionConcurrency(request) {
      const response = await controlPlane.getFunctionConcurrency(request.functionName);
      return { reservedConcurrentExecutions: response.ReservedConcurrentExecutions };
    },

    async deleteFunctionConcurrency(request) {
      await controlPlane.deleteFunctionConcurrency(request.functionName);
      return {};
    },

    async putProvisionedConcurrencyConfig(request) {
      const body = { ProvisionedConcurrentExecutions: request.provisionedConcurrentExecutions };
      const config = await controlPlane.putProvisionedConcurrencyConfig(request.functionName, nonEmpty(request.qualifier), body);
      return { config: toProtoProvisionedConfig(config) };
    },

    async getProvisionedConcurrencyConfig(request) {
      const config = await controlPlane.getProvisionedConcurrencyConfig(request.functionName, nonEmpty(request.qualifier));
      return { config: toProtoProvisionedConfig(config) };
    },

    async deleteProvisionedConcurrencyConfig(request) {
      await controlPlane.deleteProvisionedConcurrencyConfig(request.functionName, nonEmpty(request.qualifier));
      return {};
    },

    async listProvisionedConcurrencyConfigs(request) {
      const response = await controlPlane.listProvisionedConcurrencyConfigs(request.functionName, listOptions(request));
      return {
        provisionedConcurrencyConfigs: response.ProvisionedConcurrencyConfigs.map(toProtoProvisionedConfig),
        nextMarker: response.NextMarker ?? "",
      };
    },

    async putFunctionEventInvokeConfig(request) {
      const config = await controlPlane.putFunctionEventInvokeConfig(request.functionName, nonEmpty(request.qualifier), eventInvokeConfigBody(request));
      return { config: toProtoEventInvokeConfig(config) };
    },

    async updateFunctionEventInvokeConfig(request) {
      const config = await controlPlane.updateFunctionEventInvokeConfig(request.functionName, nonEmpty(request.qualifier), eventInvokeConfigBody(request));
      return { config: toProtoEventInvokeConfig(config) };
    },

    async getFunctionEventInvokeConfig(request) {
      const config = await controlPlane.getFunctionEventInvokeConfig(request.functionName, nonEmpty(request.qualifier));
      return { config: toProtoEventInvokeConfig(config) };
    },

    async deleteFunctionEventInvokeConfig(request) {
      await controlPlane.deleteFunctionEventInvokeConfig(request.functionName, nonEmpty(request.qualifier));
      return {};
    },

    async listFunctionEventInvokeConfigs(request) {
      const response = await controlPlane.listFunctionEventInvokeConfigs(request.functionName, listOptions(request));
      return {
        functionEventInvokeConfigs: response.FunctionEventInvokeConfigs.map(toProtoEventInvokeConfig),
        nextMarker: response.NextMarker ?? "",
      };
    },

    async createFunctionUrlConfig(request) {
      const config = await controlPlane.createFunctionUrlConfig(request.functionName, nonEmpty(request.qualifier), functionUrlBody(request));
      return { config: toProtoFunctionUrlConfig(config) };
    },

    async getFunctionUrlConfig(request) {
      const config = await controlPlane.getFunctionUrlConfig(request.functionName, nonEmpty(request.qualifier));
      return { config: toProtoFunctionUrlConfig(config) };
    },

    async updateFunctionUrlConfig(request) {
      const config = await controlPlane.updateFunctionUrlConfig(request.functionName, nonEmpty(request.qualifier), functionUrlBody(request));
      return { config: toProtoFunctionUrlConfig(config) };
    },

    async deleteFunctionUrlConfig(request) {
      await controlPlane.deleteFunctionUrlConfig(request.functionName, nonEmpty(request.qualifier));
      return {};
    },

    async getQueueStats(request) {
      const stats = await controlPlane.getQueueStats(request.functionName);
      return {
        functionName: stats.FunctionName,
        depth: stats.Depth,
        oldestEventAgeMs: stats.OldestEventAgeMs,
        succeeded: stats.Succeeded,
        retried: stats.Retried,
        deadLettered: stats.DeadLettered,
        droppedForAge: stats.DroppedForAge,
      };
    },

    getUsage: (request) => getUsageRpc(api, request),
    ...routeRpcs(api),
    ...triggerRpcs(api),
    ...eventSourceMappingRpcs(api),
    ...functionResourceRpcs(api),
    ...layerRpcs(api),
  };
}

/**
 * A Put or Update body in Lambda's shape. Unset numbers stay absent; a destination message that is set
 * passes its ARN, and an empty one reads as a destination given without an ARN (removed by Update).
 */
function eventInvokeConfigBody(
  request: proto.PutFunctionEventInvokeConfigRequest | proto.UpdateFunctionEventInvokeConfigRequest,
): Record<string, unknown> {
  const destinations = request.destinationConfig;
  const destination = (value: proto.EventDestination | undefined) => (value === undefined ? undefined : { Destination: nonEmpty(value.destination) });
  return {
    MaximumRetryAttempts: request.maximumRetryAttempts,
    MaximumEventAgeInSeconds: request.maximumEventAgeInSeconds,
    DestinationConfig:
      destinations === undefined ? undefined : { OnSuccess: destination(destinations.onSuccess), OnFailure: destination(destinations.onFailure) },
  };
}

function toProtoEventInvokeConfig(config: FunctionEventInvokeConfig): proto.FunctionEventInvokeConfig {
  return {
    functionArn: config.FunctionArn,
    maximumRetryAttempts: config.MaximumRetryAttempts,
    maximumEventAgeInSeconds: config.MaximumEventAgeInSeconds,
    destinationConfig: {
      onSuccess: { destination: config.DestinationConfig.OnSuccess.Destination ?? "" },
      onFailure: { destination: config.DestinationConfig.OnFailure.Destination ?? "" },
    },
    lastModified: config.LastModified,
  };
}

/** Message presence carries meaning: unset leaves the target alone (or none), an empty ARN removes it. */
function lambdaDeadLetterConfig(config: proto.DeadLetterConfig | undefined): { TargetArn: string } | undefined {
  return config === undefined ? undefined : { TargetArn: config.targetArn };
}

/** Get and Put answer without FunctionArn (the request names the qualifier); list items carry it. */
function toProtoProvisionedConfig(
  config: ProvisionedConcurrencyConfiguration | ProvisionedConcurrencyConfigListItem,
): proto.ProvisionedConcurrencyConfig {
  return {
    functionArn: "FunctionArn" in config ? config.FunctionArn : "",
    requestedProvisionedConcurrentExecutions: config.RequestedProvisionedConcurrentExecutions,
    availableProvisionedConcurrentExecutions: config.AvailableProvisionedConcurrentExecutions,
    allocatedProvisionedConcurrentExecutions: config.AllocatedProvisionedConcurrentExecutions,
    status: config.Status,
    lastModified: config.LastModified,
  };
}

/** A list request's paging fields; 0 means the API's default page size. */
function listOptions(request: { marker: string; maxItems: number }): ListOptions {
  return { marker: nonEmpty(request.marker), maxItems: request.maxItems === 0 ? undefined : request.maxItems };
}

/** Message presence carries meaning: unset leaves routing alone (or unsplit), empty weights clear it. */
function lambdaRoutingConfig(routing: proto.AliasRoutingConfiguration | undefined): AliasConfiguration["RoutingConfig"] {
  return routing === undefined ? undefined : { AdditionalVersionWeights: routing.additionalVersionWeights };
}

function toProtoAlias(alias: AliasConfiguration): proto.AliasConfiguration {
  return {
    aliasArn: alias.AliasArn,
    name: alias.Name,
    functionVersion: alias.FunctionVersion,
    description: alias.Description,
    routingConfig: alias.RoutingConfig === undefined ? undefined : { additionalVersionWeights: alias.RoutingConfig.AdditionalVersionWeights },
    revisionId: alias.RevisionId,
    previousVersion: alias.PreviousVersion ?? "",
  };
}

function createFunctionBody(request: proto.CreateFunctionRequest): Record<string, unknown> {
  return {
    FunctionName: request.functionName,
    Runtime: nonEmpty(request.runtime),
    Handler: nonEmpty(request.handler),
    Role: nonEmpty(request.role),
    MemorySize: request.memorySize,
    Timeout: request.timeout,
    Description: nonEmpty(request.description),
    Environment: Object.keys(request.environment).length > 0 ? { Variables: request.environment } : undefined,
    Code: { ZipFile: request.zipFile },
    Publish: request.publish || undefined,
    Tags: Object.keys(request.tags).length > 0 ? request.tags : undefined,
    DeadLetterConfig: lambdaDeadLetterConfig(request.deadLetterConfig),
    Layers: request.layers.length > 0 ? request.layers : undefined,
  };
}

function toProtoConfiguration(configuration: FunctionConfiguration): proto.FunctionConfiguration {
  return {
    functionName: configuration.FunctionName,
    functionArn: configuration.FunctionArn,
    runtime: configuration.Runtime,
    role: configuration.Role,
    handler: configuration.Handler,
    codeSize: configuration.CodeSize,
    description: configuration.Description,
    timeout: configuration.Timeout,
    memorySize: configuration.MemorySize,
    lastModified: configuration.LastModified,
    codeSha256: configuration.CodeSha256,
    version: configuration.Version,
    environment: configuration.Environment?.Variables ?? {},
    revisionId: configuration.RevisionId,
    state: configuration.State ?? "",
    lastUpdateStatus: configuration.LastUpdateStatus ?? "",
    packageType: configuration.PackageType,
    architectures: configuration.Architectures,
    ephemeralStorageSize: configuration.EphemeralStorage.Size,
    deadLetterConfig: configuration.DeadLetterConfig === undefined ? undefined : { targetArn: configuration.DeadLetterConfig.TargetArn },
    stateReason: configuration.StateReason ?? "",
    stateReasonCode: configuration.StateReasonCode ?? "",
    lastUpdateStatusReason: configuration.LastUpdateStatusReason ?? "",
    lastUpdateStatusReasonCode: configuration.LastUpdateStatusReasonCode ?? "",
    tracingMode: configuration.TracingConfig.Mode,
    loggingConfig: {
      logFormat: configuration.LoggingConfig.LogFormat,
      logGroup: configuration.LoggingConfig.LogGroup,
      applicationLogLevel: configuration.LoggingConfig.ApplicationLogLevel ?? "",
      systemLogLevel: configuration.LoggingConfig.SystemLogLevel ?? "",
    },
    runtimeVersionArn: configuration.RuntimeVersionConfig?.RuntimeVersionArn ?? "",
    layers: (configuration.Layers ?? []).map((layer) => ({ arn: layer.Arn, codeSize: layer.CodeSize })),
  };
}

function toProtoInvokeResponse(output: InvokeOutput): proto.InvokeResponse {
  return {
    statusCode: output.statusCode,
    functionError: output.functionError ?? "",
    logResult: output.logResult ?? "",
    executedVersion: output.executedVersion ?? "",
    // A view over the same memory: the payload is not copied.
    payload: Buffer.from(output.payload.buffer, output.payload.byteOffset, output.payload.byteLength),
    requestId: output.requestId,
  };
}

const InvocationTypeOfProto: Readonly<Record<number, LambdaInvocationType>> = {
  [proto.InvocationType.UNSPECIFIED]: "RequestResponse",
  [proto.InvocationType.REQUEST_RESPONSE]: "RequestResponse",
  [proto.InvocationType.EVENT]: "Event",
  [proto.InvocationType.DRY_RUN]: "DryRun",
};

const LogTypeOfProto: Readonly<Record<number, LambdaLogType>> = {
  [proto.LogType.UNSPECIFIED]: "None",
  [proto.LogType.NONE]: "None",
  [proto.LogType.TAIL]: "Tail",
};

function lambdaInvocationType(value: proto.InvocationType): LambdaInvocationType {
  const type = InvocationTypeOfProto[value];
  if (type === undefined) throw invalidParameter(`invocation_type ${value} is not one of REQUEST_RESPONSE, EVENT, DRY_RUN`);
  return type;
}

export function lambdaLogType(value: proto.LogType): LambdaLogType {
  const type = LogTypeOfProto[value];
  if (type === undefined) throw invalidParameter(`log_type ${value} is not one of NONE, TAIL`);
  return type;
}

/** Proto3 strings cannot be absent; empty means "not given". */
/** A Create or Update request as Lambda's body; an empty list reads as not given (proto cannot tell them apart). */
function functionUrlBody(request: proto.CreateFunctionUrlConfigRequest | proto.UpdateFunctionUrlConfigRequest): Record<string, unknown> {
  return { AuthType: nonEmpty(request.authType), InvokeMode: nonEmpty(request.invokeMode), Cors: corsBody(request.cors) };
}


function nonEmpty(value: string): string | undefined {
  return value === "" ? undefined : value;
}
