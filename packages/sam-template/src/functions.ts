// AWS::Serverless::Function and AWS::Lambda::Function, resolved properties → a FunctionPlan. A property
// Lambent cannot honour is refused, naming it; one that has no effect here is accepted with a warning.
import type { EventInvokeConfigRequest, FunctionSettings, FunctionUrlConfigRequest } from "@lambent/lambda-api";
import { ResolveError } from "./errors.js";
import { localPath, type TemplateFolder } from "./local-path.js";
import { planEvents } from "./events.js";
import type { Resolved } from "./intrinsics.js";
import type { CodeSource, FunctionPlan } from "./model.js";
import { integer, map, oneOf, own, shortHash, text, type Properties } from "./values.js";

/** Properties both function types share, and what lambent deploy does with each. */
const SHARED_PROPERTIES: Readonly<Record<string, "used" | string>> = {
  Handler: "used",
  Runtime: "used",
  FunctionName: "used",
  MemorySize: "used",
  Timeout: "used",
  Description: "used",
  Environment: "used",
  ReservedConcurrentExecutions: "used",
  Role: "used",
  Tags: "used",
  Layers: "used",
  LoggingConfig: "used",
  PackageType: "used",
  Architectures: "has no effect: Lambent runs every function in a V8 isolate on the host's architecture",
  EphemeralStorage: "has no effect: /tmp is sized by Lambent's own limits",
  RuntimeManagementConfig: "has no effect: Lambent runs the runtime it has",
};

/** What lambent deploy does with each property of AWS::Serverless::Function; a property not listed is refused. */
const SERVERLESS_PROPERTIES: Readonly<Record<string, "used" | string>> = {
  ...SHARED_PROPERTIES,
  CodeUri: "used",
  InlineCode: "used",
  AutoPublishAlias: "used",
  DeploymentPreference: "used",
  FunctionUrlConfig: "used",
  Events: "used",
  DeadLetterQueue: "used",
  Tracing: "used",
  ProvisionedConcurrencyConfig: "used",
  EventInvokeConfig: "used",
  Policies: "is not applied: a function's AWS permissions come from the credentials and policy the operator gives its role (lambent role)",
  PermissionsBoundary: "is not applied: Lambent does not create IAM roles",
  AutoPublishCodeSha256: "has no effect: a version is published on every deploy",
  AutoPublishAliasAllProperties: "has no effect: a version is published on every deploy",
  PropagateTags: "has no effect: lambent deploy creates no other taggable resources",
};

/** Why a property that is refused cannot be deployed, when there is more to say than "not supported". */
const REFUSED_BECAUSE: Readonly<Record<string, string>> = {
  VpcConfig: "Lambent runs functions in isolates, without VPCs",
  FileSystemConfigs: "Lambent has no EFS",
  ImageUri: "Lambent runs zip packages, not container images",
  ImageConfig: "Lambent runs zip packages, not container images",
  CodeSigningConfigArn: "Lambent has no code signing",
  KmsKeyArn: "Lambent has no KMS",
  SnapStart: "Lambent has no SnapStart",
  VersionDescription: "is not supported with AutoPublishAlias yet",
};

/** The same for AWS::Lambda::Function. */
const LAMBDA_PROPERTIES: Readonly<Record<string, "used" | string>> = {
  ...SHARED_PROPERTIES,
  Code: "used",
  DeadLetterConfig: "used",
  TracingConfig: "used",
};

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ALIAS_NAME = /^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$/;

export interface FunctionContext {
  logicalId: string;
  functionName: string;
  templateFolder: TemplateFolder;
  /** The role a function without Role runs as. */
  defaultRole: string;
  stackName: string;
  warnings: string[];
}

/** The name a function gets: FunctionName, or `<stack>-<LogicalId>` cut to 64 characters with a hash to keep it unique. */
export function defaultFunctionName(stackName: string, logicalId: string): string {
  const name = `${stackName}-${logicalId}`;
  return name.length <= 64 ? name : `${name.slice(0, 55)}-${shortHash(name)}`;
}

export function checkFunctionName(name: string): string {
  if (!FUNCTION_NAME.test(name)) throw new ResolveError(`'${name}' is not a function name: 1 to 64 letters, digits, '-' or '_'`, "FunctionName");
  return name;
}

export function planServerlessFunction(properties: Properties, context: FunctionContext): FunctionPlan {
  checkProperties(properties, SERVERLESS_PROPERTIES, "AWS::Serverless::Function", context);
  if (properties.PackageType !== undefined && properties.PackageType !== "Zip") throw new ResolveError("only Zip packages are supported: Lambent runs no container images", "PackageType");
  const runtime = runtimeOf(properties);
  const code = serverlessCode(properties, context.templateFolder, runtime);
  const settings = commonSettings(properties, code, runtime);
  if (properties.Tracing !== undefined) settings.TracingConfig = { Mode: oneOf(properties.Tracing, ["Active", "PassThrough"], "Tracing") };
  if (properties.DeadLetterQueue !== undefined) {
    const dlq = map(properties.DeadLetterQueue, "DeadLetterQueue");
    oneOf(dlq.Type, ["SQS", "SNS"], "DeadLetterQueue.Type");
    settings.DeadLetterConfig = { TargetArn: text(dlq.TargetArn, "DeadLetterQueue.TargetArn") };
  }
  const tags = properties.Tags === undefined ? {} : stringMap(properties.Tags, "Tags");
  const alias = properties.AutoPublishAlias === undefined ? undefined : text(properties.AutoPublishAlias, "AutoPublishAlias");
  if (alias !== undefined && !ALIAS_NAME.test(alias)) throw new ResolveError(`'${alias}' is not an alias name: letters, digits, '-' or '_', not only digits`, "AutoPublishAlias");
  const plan = basePlan(properties, context, code, settings, tags);
  if (alias !== undefined) plan.alias = alias;
  if (properties.ProvisionedConcurrencyConfig !== undefined) {
    if (alias === undefined) throw new ResolveError("needs AutoPublishAlias: provisioned concurrency is set on the alias, as SAM sets it", "ProvisionedConcurrencyConfig");
    plan.provisionedConcurrency = provisionedConcurrency(properties.ProvisionedConcurrencyConfig, "ProvisionedConcurrencyConfig");
  }
  if (properties.EventInvokeConfig !== undefined) plan.eventInvokeConfig = serverlessEventInvokeConfig(properties.EventInvokeConfig, context.functionName);
  if (properties.FunctionUrlConfig !== undefined) plan.url = urlConfig(properties.FunctionUrlConfig);
  if (properties.Events !== undefined) Object.assign(plan, planEvents(properties.Events, context.functionName));
  return plan;
}

export function planLambdaFunction(properties: Properties, context: FunctionContext): FunctionPlan {
  checkProperties(properties, LAMBDA_PROPERTIES, "AWS::Lambda::Function", context);
  if (properties.PackageType !== undefined && properties.PackageType !== "Zip") throw new ResolveError("only Zip packages are supported: Lambent runs no container images", "PackageType");
  const runtime = runtimeOf(properties);
  const code = lambdaCode(properties.Code, context.templateFolder, runtime);
  const settings = commonSettings(properties, code, runtime);
  if (properties.TracingConfig !== undefined) settings.TracingConfig = { Mode: oneOf(map(properties.TracingConfig, "TracingConfig").Mode, ["Active", "PassThrough"], "TracingConfig.Mode") };
  if (properties.DeadLetterConfig !== undefined) settings.DeadLetterConfig = { TargetArn: text(map(properties.DeadLetterConfig, "DeadLetterConfig").TargetArn, "DeadLetterConfig.TargetArn") };
  const tags: Record<string, string> = {};
  if (properties.Tags !== undefined) {
    if (!Array.isArray(properties.Tags)) throw new ResolveError("must be a list of {Key, Value}", "Tags");
    properties.Tags.forEach((tag, index) => {
      const entry = map(tag, `Tags[${index}]`);
      tags[text(entry.Key, `Tags[${index}].Key`)] = text(entry.Value, `Tags[${index}].Value`);
    });
  }
  return basePlan(properties, context, code, settings, tags);
}

/** What both function types plan alike: names, code, role, settings, tags and reserved concurrency. */
function basePlan(properties: Properties, context: FunctionContext, code: FunctionPlan["code"], settings: FunctionPlan["settings"], tags: Record<string, string>): FunctionPlan {
  const plan: FunctionPlan = {
    logicalId: context.logicalId,
    functionName: context.functionName,
    code,
    role: properties.Role === undefined ? context.defaultRole : text(properties.Role, "Role"),
    settings,
    tags: { ...tags, "lambent:stack": context.stackName, "lambent:logical-id": context.logicalId },
    routes: [],
    schedules: [],
  };
  const reserved = reservedConcurrency(properties);
  if (reserved !== undefined) plan.reservedConcurrency = reserved;
  return plan;
}

function checkProperties(properties: Properties, known: Readonly<Record<string, string>>, type: string, context: FunctionContext): void {
  for (const key of Object.keys(properties)) {
    const use = own(known, key);
    if (use === undefined) {
      const because = own(REFUSED_BECAUSE, key);
      throw new ResolveError(`${type} property ${key} is not supported by Lambent${because ? `: ${because}` : ""}`, key);
    }
    if (use !== "used") context.warnings.push(`${context.logicalId}: ${key} ${use}`);
  }
}

/** The Python runtime Lambent runs (Pyodide's CPython); every other runtime it runs is Node.js 18 or later. */
const PYTHON_RUNTIME = "python3.12";

/** The function's runtime, checked to be one Lambent runs. */
function runtimeOf(properties: Properties): string {
  if (properties.Runtime === undefined) throw new ResolveError("is required", "Runtime");
  const runtime = text(properties.Runtime, "Runtime");
  if (runtime === PYTHON_RUNTIME) return runtime;
  const version = /^nodejs(\d+)\.x$/.exec(runtime);
  if (version === null || Number(version[1]) < 18) throw new ResolveError(`${runtime} is not a runtime Lambent runs: Lambent runs Node.js 18 and later (nodejs18.x, nodejs20.x, nodejs22.x) and ${PYTHON_RUNTIME}`, "Runtime");
  return runtime;
}

/** Inline code is written as index.py for Python, as CloudFormation's ZipFile does, else as index.js. */
function inlineFileName(runtime: string): string {
  return runtime === PYTHON_RUNTIME ? "index.py" : "index.js";
}

function commonSettings(properties: Properties, code: CodeSource, runtime: string): FunctionSettings & { Handler: string; Runtime: string } {
  if (properties.Handler === undefined) throw new ResolveError("is required", "Handler");
  const handler = text(properties.Handler, "Handler");
  if (!/^[^\s]+\.[A-Za-z_$][\w$]*$/.test(handler)) throw new ResolveError(`'${handler}' is not file.export`, "Handler");
  if (code.kind === "inline" && !handler.startsWith("index.")) throw new ResolveError(`inline code is the file ${code.fileName}, so the handler must be index.<function>, not '${handler}'`, "Handler");
  const settings: FunctionSettings & { Handler: string; Runtime: string } = {
    Handler: handler,
    Runtime: runtime,
    // SAM's and CloudFormation's defaults, so a property removed from the template is reset on the next deploy.
    MemorySize: integer(properties.MemorySize ?? 128, "MemorySize", 128, 10240),
    Timeout: integer(properties.Timeout ?? 3, "Timeout", 1, 900),
    Description: properties.Description === undefined ? "" : text(properties.Description, "Description"),
    Environment: { Variables: {} },
  };
  if (properties.Environment !== undefined) {
    const environment = map(properties.Environment, "Environment");
    for (const key of Object.keys(environment)) if (key !== "Variables") throw new ResolveError(`Environment.${key} is not supported: only Variables`, `Environment.${key}`);
    if (environment.Variables !== undefined) settings.Environment = { Variables: stringMap(environment.Variables, "Environment.Variables") };
  }
  if (properties.Layers !== undefined) {
    if (!Array.isArray(properties.Layers)) throw new ResolveError("must be a list of layer version ARNs", "Layers");
    settings.Layers = properties.Layers.map((layer, index) => text(layer, `Layers[${index}]`));
  }
  if (properties.LoggingConfig !== undefined) {
    const logging = map(properties.LoggingConfig, "LoggingConfig");
    const config: NonNullable<FunctionSettings["LoggingConfig"]> = {};
    for (const [key, value] of Object.entries(logging)) {
      if (key === "LogFormat") config.LogFormat = oneOf(value, ["Text", "JSON"], "LoggingConfig.LogFormat");
      else if (key === "ApplicationLogLevel" || key === "SystemLogLevel" || key === "LogGroup") config[key] = text(value, `LoggingConfig.${key}`);
      else throw new ResolveError(`LoggingConfig.${key} is not supported`, `LoggingConfig.${key}`);
    }
    settings.LoggingConfig = config;
  }
  return settings;
}

function serverlessCode(properties: Properties, folder: TemplateFolder, runtime: string): CodeSource {
  if (properties.CodeUri !== undefined && properties.InlineCode !== undefined) throw new ResolveError("give CodeUri or InlineCode, not both", "CodeUri");
  if (properties.InlineCode !== undefined) return { kind: "inline", fileName: inlineFileName(runtime), source: text(properties.InlineCode, "InlineCode") };
  if (properties.CodeUri === undefined) throw new ResolveError("is required (or InlineCode): the folder or zip of the function's code", "CodeUri");
  if (typeof properties.CodeUri !== "string") throw new ResolveError("must be a local folder or zip file: Lambent does not read code from S3", "CodeUri");
  return localCode(properties.CodeUri, folder, "CodeUri");
}

function lambdaCode(code: Resolved | undefined, folder: TemplateFolder, runtime: string): CodeSource {
  if (code === undefined) throw new ResolveError("is required", "Code");
  if (typeof code === "string") return localCode(code, folder, "Code");
  const fields = map(code, "Code");
  for (const key of Object.keys(fields)) {
    if (key !== "ZipFile") throw new ResolveError(`Code.${key} is not supported: give Code.ZipFile (inline) or a local path (Lambent does not read code from S3)`, `Code.${key}`);
  }
  return { kind: "inline", fileName: inlineFileName(runtime), source: text(fields.ZipFile, "Code.ZipFile") };
}

function localCode(uri: string, folder: TemplateFolder, property: string): CodeSource {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new ResolveError(`'${uri}' is not a local path: Lambent does not read code from S3 or URLs`, property);
  const path = localPath(uri, folder, property);
  return /\.(zip|jar)$/i.test(uri) ? { kind: "zip", path } : { kind: "folder", path };
}

function reservedConcurrency(properties: Properties): number | undefined {
  if (properties.ReservedConcurrentExecutions === undefined) return undefined;
  return integer(properties.ReservedConcurrentExecutions, "ReservedConcurrentExecutions", 0, Number.MAX_SAFE_INTEGER);
}

/** ProvisionedConcurrencyConfig: `ProvisionedConcurrentExecutions` alone, at least 1. */
export function provisionedConcurrency(value: Resolved, property: string): number {
  const config = map(value, property);
  for (const key of Object.keys(config)) if (key !== "ProvisionedConcurrentExecutions") throw new ResolveError(`${property}.${key} is not supported`, `${property}.${key}`);
  if (config.ProvisionedConcurrentExecutions === undefined) throw new ResolveError("is required", `${property}.ProvisionedConcurrentExecutions`);
  return integer(config.ProvisionedConcurrentExecutions, `${property}.ProvisionedConcurrentExecutions`, 1, Number.MAX_SAFE_INTEGER);
}

/**
 * The destination types SAM's EventInvokeConfig names, and the ARN service each must be; Lambent delivers
 * to queues, topics and functions (PutFunctionEventInvokeConfig refuses the rest).
 */
const DESTINATION_TYPES: Readonly<Record<string, { service: string } | { refused: string }>> = {
  SQS: { service: "sqs" },
  SNS: { service: "sns" },
  Lambda: { service: "lambda" },
  EventBridge: { refused: "Lambent has no EventBridge: send the outcome to an SQS queue, SNS topic or function" },
  S3Bucket: { refused: "Lambent does not deliver destinations to buckets: send the outcome to an SQS queue, SNS topic or function" },
};
const DESTINATION_ARN = /^arn:aws[a-zA-Z-]*:([^:]+):[^:]*:[^:]*:.+$/;

/** AWS::Serverless::Function's EventInvokeConfig: each destination with its Type, as SAM defines it. */
function serverlessEventInvokeConfig(value: Resolved, functionName: string): EventInvokeConfigRequest {
  return eventInvokeConfig(value, "EventInvokeConfig", functionName, true);
}

/**
 * An EventInvokeConfig as PutFunctionEventInvokeConfig takes it (`property` undefined: a resource's own
 * properties). `typed`: SAM's form, where each destination
 * carries a Type; otherwise (AWS::Lambda::EventInvokeConfig) the ARN says what it is. A destination Lambent
 * cannot deliver to, or the function itself, is refused here rather than by the cluster midway.
 */
export function eventInvokeConfig(value: Resolved, property: string | undefined, functionName: string, typed: boolean): EventInvokeConfigRequest {
  const config = map(value, property ?? "Properties");
  const request: EventInvokeConfigRequest = {};
  for (const [key, item] of Object.entries(config)) {
    const name = property === undefined ? key : `${property}.${key}`;
    if (key === "MaximumEventAgeInSeconds") request.MaximumEventAgeInSeconds = integer(item, name, 60, 21600);
    else if (key === "MaximumRetryAttempts") request.MaximumRetryAttempts = integer(item, name, 0, 2);
    else if (key === "DestinationConfig") {
      const destinations = map(item, name);
      const planned: NonNullable<EventInvokeConfigRequest["DestinationConfig"]> = {};
      for (const [field, target] of Object.entries(destinations)) {
        if (field !== "OnSuccess" && field !== "OnFailure") throw new ResolveError(`${name}.${field} is not supported: only OnSuccess and OnFailure`, `${name}.${field}`);
        planned[field] = { Destination: destination(target, `${name}.${field}`, functionName, typed) };
      }
      request.DestinationConfig = planned;
    } else if (typed || (key !== "FunctionName" && key !== "Qualifier")) throw new ResolveError(`${name} is not supported`, name);
  }
  if (request.MaximumEventAgeInSeconds === undefined && request.MaximumRetryAttempts === undefined && request.DestinationConfig === undefined) {
    throw new ResolveError("sets nothing: give MaximumEventAgeInSeconds, MaximumRetryAttempts or DestinationConfig", property);
  }
  return request;
}

function destination(value: Resolved, property: string, functionName: string, typed: boolean): string {
  const target = map(value, property);
  for (const key of Object.keys(target)) {
    if (key !== "Destination" && !(typed && key === "Type")) throw new ResolveError(`${property}.${key} is not supported`, `${property}.${key}`);
  }
  let typeOf: { type: string; service: string } | undefined;
  if (typed) {
    const type = oneOf(target.Type, Object.keys(DESTINATION_TYPES), `${property}.Type`);
    const kind = DESTINATION_TYPES[type]!;
    if ("refused" in kind) throw new ResolveError(`Type ${type} is not supported by Lambent: ${kind.refused}`, `${property}.Type`);
    typeOf = { type, service: kind.service };
  }
  if (target.Destination === undefined) {
    throw new ResolveError(`is required: Lambent creates no queues or topics for a destination, give the ARN of one that exists`, `${property}.Destination`);
  }
  const arn = text(target.Destination, `${property}.Destination`);
  const found = DESTINATION_ARN.exec(arn)?.[1];
  if (found === undefined || !["sqs", "sns", "lambda"].includes(found)) {
    throw new ResolveError(`'${arn}' is not an SQS queue, SNS topic or function ARN: Lambent delivers destinations to nothing else`, `${property}.Destination`);
  }
  if (typeOf !== undefined && found !== typeOf.service) throw new ResolveError(`'${arn}' does not match its Type ${typeOf.type}: the ARN must be arn:aws:${typeOf.service}:…`, `${property}.Destination`);
  const ownFunction = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arn)?.[1];
  if (ownFunction === functionName) throw new ResolveError("is the function itself: a function cannot be its own destination", `${property}.Destination`);
  return arn;
}

function urlConfig(value: Resolved): FunctionUrlConfigRequest {
  const config = map(value, "FunctionUrlConfig");
  const request: FunctionUrlConfigRequest = { AuthType: oneOf(config.AuthType, ["NONE", "AWS_IAM"], "FunctionUrlConfig.AuthType") };
  for (const key of Object.keys(config)) {
    if (key !== "AuthType" && key !== "Cors" && key !== "InvokeMode") throw new ResolveError(`FunctionUrlConfig.${key} is not supported`, `FunctionUrlConfig.${key}`);
  }
  if (config.InvokeMode !== undefined) request.InvokeMode = oneOf(config.InvokeMode, ["BUFFERED", "RESPONSE_STREAM"], "FunctionUrlConfig.InvokeMode");
  if (config.Cors !== undefined) request.Cors = corsConfig(config.Cors);
  return request;
}

function corsConfig(value: Resolved): NonNullable<FunctionUrlConfigRequest["Cors"]> {
  const cors = map(value, "FunctionUrlConfig.Cors");
  const result: NonNullable<FunctionUrlConfigRequest["Cors"]> = {};
  for (const [key, item] of Object.entries(cors)) {
    const property = `FunctionUrlConfig.Cors.${key}`;
    switch (key) {
      case "AllowOrigins":
      case "AllowMethods":
      case "AllowHeaders":
      case "ExposeHeaders":
        if (!Array.isArray(item)) throw new ResolveError("must be a list", property);
        result[key] = item.map((entry, index) => text(entry, `${property}[${index}]`));
        break;
      case "MaxAge":
        result.MaxAge = integer(item, property, 0, 86400);
        break;
      case "AllowCredentials":
        if (typeof item !== "boolean") throw new ResolveError("must be true or false", property);
        result.AllowCredentials = item;
        break;
      default:
        throw new ResolveError("is not a CORS setting", property);
    }
  }
  return result;
}

function stringMap(value: Resolved, property: string): Record<string, string> {
  const entries = map(value, property);
  return Object.fromEntries(Object.entries(entries).map(([key, item]) => [key, text(item, `${property}.${key}`)]));
}
