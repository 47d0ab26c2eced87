// A SAM or CloudFormation template and its parameter overrides → a TemplatePlan: Parameters, pseudo
// parameters, Conditions, Mappings and Globals resolved; every resource planned or refused; Outputs
// resolved as far as the facts allow. Every problem is collected, and any one of them refuses the template.
import { dirname } from "node:path";
import { ResolveError, TemplateError, UnavailableValueError, type TemplateProblem } from "./errors.js";
import { defaultFunctionName, checkFunctionName, eventInvokeConfig, planLambdaFunction, planServerlessFunction, provisionedConcurrency } from "./functions.js";
import { ALARM_TYPE, DEPLOYMENT_CONFIG_TYPE, markNewVersion, planAlarm, planDeploymentConfig, planDeploymentPreference } from "./deployment-preference.js";
import { mergeGlobals } from "./globals.js";
import { evaluateCondition, NO_VALUE, resolveValue, unavailable, type IntrinsicScope, type Resolved, type ResourceValues } from "./intrinsics.js";
import { BUCKET_TYPE, checkBucketName, checkNameResource, checkTopicName, defaultBucketName, defaultTopicName, TOPIC_TYPE } from "./notifications.js";
import { checkLayerName, defaultLayerName, LAYER_TYPE, layerVersionArn, PENDING_LAYER_VERSION, planLayer } from "./layers.js";
import type { AlarmPlan, FunctionPlan, TrafficRouting, LayerPlan, OutputPlan, PermissionPlan, PlanOptions, StateMachinePlan, TemplatePlan } from "./model.js";
import { parseTemplateText } from "./parse.js";
import { MAPPING_RESOURCE_SETTINGS, mappingSettings, sourceArn } from "./mappings.js";
import { defaultStateMachineName, planStateMachine, STATE_MACHINE_TYPE } from "./state-machines.js";
import { resolveParameter, type ParameterDeclaration } from "./parameters.js";
import { map, own, text } from "./values.js";

const SERVERLESS_TRANSFORM = "AWS::Serverless-2016-10-31";
const TOP_LEVEL = new Set(["AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters", "Mappings", "Conditions", "Globals", "Resources", "Outputs"]);
const FUNCTION_TYPES = new Set(["AWS::Serverless::Function", "AWS::Lambda::Function"]);
/** Resource attributes CloudFormation reads itself; none changes what Lambent deploys. */
const RESOURCE_KEYS = new Set(["Type", "Properties", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy"]);
/**
 * Explicit APIs Lambent serves as it serves the implicit one: their events become routes on Lambent's own
 * URL. Only properties that change nothing about the routes are taken; the rest (Auth, CORS, a definition
 * body, domains) are refused, naming them.
 */
const API_TYPES: Readonly<Record<string, { event: string; idProperty: string; rest: boolean; properties: ReadonlySet<string> }>> = {
  "AWS::Serverless::Api": { event: "Api", idProperty: "RestApiId", rest: true, properties: new Set(["StageName", "Name", "Description"]) },
  "AWS::Serverless::HttpApi": { event: "HttpApi", idProperty: "ApiId", rest: false, properties: new Set(["StageName", "Description"]) },
};
/** An IAM role is a name on Lambent: functions run as it, and the operator gives it credentials and a policy (lambent role). */
const ROLE_TYPE = "AWS::IAM::Role";
const ROLE_PROPERTIES = new Set(["RoleName", "Path", "AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns", "PermissionsBoundary", "Description", "MaxSessionDuration", "Tags"]);
const MAPPING_TYPE = "AWS::Lambda::EventSourceMapping";
/**
 * A version of a template function is the version every deploy freezes; an alias of it, moved to that
 * version, is what AutoPublishAlias makes. Properties beyond those are refused.
 */
const VERSION_TYPE = "AWS::Lambda::Version";
const ALIAS_TYPE = "AWS::Lambda::Alias";
const VERSION_PROPERTIES = new Set(["FunctionName", "Description", "CodeSha256"]);
const ALIAS_PROPERTIES = new Set(["FunctionName", "FunctionVersion", "Name", "Description", "ProvisionedConcurrencyConfig"]);
/** A template function's EventInvokeConfig, on the qualifier it has from the template: its alias, or $LATEST. */
const EVENT_INVOKE_TYPE = "AWS::Lambda::EventInvokeConfig";
const ALIAS_NAME = /^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$/;
const PERMISSION_PROPERTIES = new Set(["Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "EventSourceToken", "PrincipalOrgID", "FunctionUrlAuthType"]);

/** Why a resource type is refused, where there is more to say than "not supported". */
const REFUSED_TYPE_BECAUSE: Readonly<Record<string, string>> = {
  "AWS::Lambda::LayerVersion": "its Content is read from S3: declare the layer as an AWS::Serverless::LayerVersion with a local ContentUri",
  "AWS::Serverless::SimpleTable": "Lambent has no DynamoDB",
  "AWS::DynamoDB::Table": "Lambent has no DynamoDB",
};

export const DEFAULT_ROLE_NAME = "lambent";

/** Resources a DeploymentPreference refers to: a custom deployment configuration, and alarms over Lambent's metrics. */
const DEPLOYMENT_TYPES = new Set([DEPLOYMENT_CONFIG_TYPE, ALARM_TYPE]);

/** A resource that is not deployed: a reference to it is refused with the reason. */
function leftOut(type: string, reason: string): ResourceValues {
  const refuse = (): never => {
    throw new ResolveError(`refers to ${reason}`);
  };
  return { type, ref: refuse, attributes: new Proxy({}, { get: () => refuse }) };
}

/** Plans a template from its text; throws TemplateError listing every problem found. */
export function planTemplate(templateText: string, options: PlanOptions): TemplatePlan {
  const template = parseTemplateText(templateText, options.templatePath);
  return new TemplatePlanner(template, options).plan();
}

class TemplatePlanner {
  private readonly problems: TemplateProblem[] = [];
  private readonly warnings: string[] = [];
  private readonly parameters = new Map<string, string | string[]>();
  private readonly conditions = new Map<string, boolean | "evaluating">();
  private readonly resources = new Map<string, ResourceValues>();
  /** Every API whose events become routes, implicit or explicit, by logical id: whether it is a REST API (its URLs carry a stage). */
  private readonly apis = new Map<string, { rest: boolean }>();
  private readonly scope: IntrinsicScope;
  private readonly declaredConditions: Record<string, unknown>;
  private readonly resourceDeclarations: Record<string, Record<string, unknown>>;
  /** Each function's resolved DeploymentPreference, planned once the configurations and alarms are. */
  private readonly preferences = new Map<FunctionPlan, Resolved>();
  private readonly deploymentConfigs = new Map<string, TrafficRouting>();
  private readonly alarms = new Map<string, AlarmPlan>();

  constructor(
    private readonly template: Record<string, unknown>,
    private readonly options: PlanOptions,
  ) {
    this.declaredConditions = this.section("Conditions");
    this.resourceDeclarations = this.section("Resources") as Record<string, Record<string, unknown>>;
    this.scope = {
      parameters: this.parameters,
      condition: (name) => this.condition(name),
      mappings: this.section("Mappings"),
      resources: this.resources,
    };
  }

  plan(): TemplatePlan {
    this.checkTopLevel();
    this.resolveParameters();
    if (this.problems.length > 0) throw new TemplateError(this.problems);
    for (const name of Object.keys(this.declaredConditions)) this.attempt({ where: `Conditions.${name}` }, () => this.condition(name));
    const included = this.includedResources();
    this.describeResources(included);
    const functions: FunctionPlan[] = [];
    const permissions: PermissionPlan[] = [];
    const mappings: [string, Record<string, unknown>][] = [];
    const stateMachines: StateMachinePlan[] = [];
    const layers: LayerPlan[] = [];
    for (const [logicalId, declaration] of included) {
      this.attempt({ where: logicalId }, () => {
        if (FUNCTION_TYPES.has(declaration.Type as string)) functions.push(this.planFunction(logicalId, declaration));
        else if (Object.hasOwn(API_TYPES, declaration.Type as string)) this.checkApi(declaration);
        else if (declaration.Type === ROLE_TYPE) this.checkRole(logicalId, declaration);
        else if (declaration.Type === MAPPING_TYPE || declaration.Type === ALIAS_TYPE || declaration.Type === EVENT_INVOKE_TYPE) mappings.push([logicalId, declaration]);
        else if (declaration.Type === VERSION_TYPE) this.checkVersion(logicalId, declaration, included);
        else if (declaration.Type === STATE_MACHINE_TYPE) stateMachines.push(this.planStateMachine(logicalId, declaration));
        else if (DEPLOYMENT_TYPES.has(declaration.Type as string)) this.planDeploymentResource(logicalId, declaration);
        else if (declaration.Type === LAYER_TYPE) layers.push(this.planLayer(logicalId, declaration, layers));
        else if (declaration.Type === BUCKET_TYPE || declaration.Type === TOPIC_TYPE) this.checkNameResource(logicalId, declaration);
        else permissions.push(this.planPermission(logicalId, declaration, included));
      });
    }
    // Mapping resources once every function is planned: each joins the function it names.
    for (const [logicalId, declaration] of mappings) {
      if (declaration.Type === EVENT_INVOKE_TYPE) continue;
      this.attempt({ where: logicalId }, () => (declaration.Type === ALIAS_TYPE ? this.planAlias(logicalId, declaration, functions, included) : this.planMappingResource(logicalId, declaration, functions, included)));
    }
    // Once every alias is known: an EventInvokeConfig names the qualifier it applies to.
    for (const [logicalId, declaration] of mappings) {
      if (declaration.Type === EVENT_INVOKE_TYPE) this.attempt({ where: logicalId }, () => this.planEventInvokeResource(declaration, functions, included));
    }
    this.planDeploymentPreferences(functions);
    this.checkAcrossFunctions(functions);
    const outputs = this.planOutputs();
    if (this.problems.length > 0) throw new TemplateError(this.problems);
    const plan: TemplatePlan = { stackName: this.options.stackName, functions, permissions, ...(stateMachines.length > 0 ? { stateMachines } : {}), ...(layers.length > 0 ? { layers } : {}), outputs, warnings: this.warnings };
    if (typeof this.template.Description === "string") plan.description = this.template.Description.trim();
    return plan;
  }

  private checkTopLevel(): void {
    for (const key of Object.keys(this.template)) {
      if (!TOP_LEVEL.has(key)) this.problems.push({ where: key, message: `the template section ${key} is not supported by Lambent` });
    }
    const transforms = this.template.Transform === undefined ? [] : Array.isArray(this.template.Transform) ? this.template.Transform : [this.template.Transform];
    for (const transform of transforms) {
      if (transform !== SERVERLESS_TRANSFORM) this.problems.push({ where: "Transform", message: `${JSON.stringify(transform)} is not supported by Lambent: only ${SERVERLESS_TRANSFORM}` });
    }
    if (this.template.Resources === undefined || Object.keys(this.resourceDeclarations).length === 0) this.problems.push({ where: "Resources", message: "the template has no resources" });
    const globals = this.section("Globals");
    for (const key of Object.keys(globals)) {
      if (key !== "Function") this.problems.push({ where: `Globals.${key}`, message: `Globals for ${key} are not supported by Lambent: only Globals.Function` });
    }
  }

  private resolveParameters(): void {
    const { region, accountId } = this.options.facts;
    const pseudo: Record<string, string> = {
      "AWS::Region": region,
      "AWS::AccountId": accountId,
      "AWS::StackName": this.options.stackName,
      "AWS::StackId": `arn:aws:cloudformation:${region}:${accountId}:stack/${this.options.stackName}/lambent`,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
    };
    for (const [name, value] of Object.entries(pseudo)) this.parameters.set(name, value);
    const declarations = this.section("Parameters");
    const overrides = this.options.parameterOverrides ?? {};
    for (const name of Object.keys(overrides)) {
      if (!Object.hasOwn(declarations, name)) this.problems.push({ where: `Parameters.${name}`, message: "is given in --parameter-overrides but the template declares no such parameter" });
    }
    for (const [name, declaration] of Object.entries(declarations)) {
      this.attempt({ where: `Parameters.${name}` }, () => {
        const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
        this.parameters.set(name, resolveParameter(name, (declaration ?? {}) as ParameterDeclaration, override));
      });
    }
  }

  private condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known === "evaluating") throw new ResolveError(`the condition ${name} depends on itself`);
    if (known !== undefined) return known;
    if (!Object.hasOwn(this.declaredConditions, name)) throw new ResolveError(`names the condition ${name}, which Conditions does not declare`);
    this.conditions.set(name, "evaluating");
    try {
      const value = evaluateCondition(this.declaredConditions[name], this.scope, `Conditions.${name}`);
      this.conditions.set(name, value);
      return value;
    } catch (error) {
      this.conditions.delete(name);
      throw error;
    }
  }

  /** The resources whose Condition holds; every other type is refused here, before anything is planned. */
  private includedResources(): [string, Record<string, unknown>][] {
    const included: [string, Record<string, unknown>][] = [];
    for (const [logicalId, declaration] of Object.entries(this.resourceDeclarations)) {
      this.attempt({ where: logicalId }, () => {
        if (declaration === null || typeof declaration !== "object") throw new ResolveError("must be a map with Type and Properties");
        for (const key of Object.keys(declaration)) if (!RESOURCE_KEYS.has(key) && key !== "Description") throw new ResolveError(`the resource attribute ${key} is not supported by Lambent`, key);
        // A Description beside Type rather than under Properties is a note the template's author left; serverless-patterns' templates carry them.
        if (declaration.Description !== undefined) this.warnings.push(`${logicalId}: the resource attribute Description has no effect (a function's Description goes under Properties)`);
        const type = typeof declaration.Type === "string" ? declaration.Type : "(none)";
        if (declaration.Condition !== undefined) {
          const condition = text(declaration.Condition as Resolved, "Condition");
          if (!this.condition(condition)) {
            this.resources.set(logicalId, leftOut(type, `${logicalId}, which is left out: its Condition ${condition} is false`));
            return;
          }
        }
        if (!FUNCTION_TYPES.has(type) && !Object.hasOwn(API_TYPES, type) && type !== ROLE_TYPE && type !== "AWS::Lambda::Permission" && type !== MAPPING_TYPE && type !== VERSION_TYPE && type !== ALIAS_TYPE && type !== EVENT_INVOKE_TYPE && type !== STATE_MACHINE_TYPE && type !== LAYER_TYPE && type !== BUCKET_TYPE && type !== TOPIC_TYPE && !DEPLOYMENT_TYPES.has(type)) {
          const because = own(REFUSED_TYPE_BECAUSE, type);
          this.resources.set(logicalId, leftOut(type, `${logicalId}, of the type ${type}, which Lambent does not support`));
          throw new ResolveError(`resource type ${type} is not supported by Lambent${because ? `: ${because}` : ""}`, "Type");
        }
        included.push([logicalId, declaration]);
      });
    }
    return included;
  }

  /** What Ref and Fn::GetAtt give for each resource, and for the resources SAM generates beside a function. */
  private describeResources(included: [string, Record<string, unknown>][]): void {
    const { region, accountId, functionUrls = {} } = this.options.facts;
    const names = new Map<string, string | "resolving">();
    const nameOf = (logicalId: string, properties: Record<string, unknown>): string => {
      const known = names.get(logicalId);
      if (known === "resolving") throw new ResolveError(`the FunctionName of ${logicalId} depends on itself`, "FunctionName");
      if (known !== undefined) return known;
      names.set(logicalId, "resolving");
      const given = properties.FunctionName === undefined ? NO_VALUE : resolveValue(properties.FunctionName, this.scope, "FunctionName");
      const name = given === NO_VALUE ? defaultFunctionName(this.options.stackName, logicalId) : checkFunctionName(text(given, "FunctionName"));
      names.set(logicalId, name);
      return name;
    };
    const apiNote = "is API Gateway's id for an API; Lambent serves the template's Api and HttpApi events as routes on its own URL";
    let hasRestApi = false;
    let hasHttpApi = false;
    for (const [logicalId, declaration] of included) {
      const type = declaration.Type as string;
      if (type === ROLE_TYPE) {
        const properties = (declaration.Properties ?? {}) as Record<string, unknown>;
        const name = (): string => {
          const given = properties.RoleName === undefined ? NO_VALUE : resolveValue(properties.RoleName, this.scope, "RoleName");
          return given === NO_VALUE ? defaultFunctionName(this.options.stackName, logicalId) : text(given, "RoleName");
        };
        const arn = (): string => {
          const path = properties.Path === undefined ? "/" : text(resolveValue(properties.Path, this.scope, "Path"), "Path");
          return `arn:aws:iam::${accountId}:role${path}${name()}`;
        };
        this.resources.set(logicalId, { type, ref: name, attributes: { Arn: arn, RoleId: name } });
        continue;
      }
      const api = own(API_TYPES, type);
      if (api !== undefined) {
        this.apis.set(logicalId, { rest: api.rest });
        this.resources.set(logicalId, { type, ref: unavailable(`${logicalId} ${apiNote}`), attributes: {} });
        continue;
      }
      if (type === STATE_MACHINE_TYPE) {
        const properties = (declaration.Properties ?? {}) as Record<string, unknown>;
        const name = (): string => (properties.Name === undefined ? defaultStateMachineName(this.options.stackName, logicalId) : text(resolveValue(properties.Name, this.scope, "Name"), "Name"));
        const arn = (): string => `arn:aws:states:${region}:${accountId}:stateMachine:${name()}`;
        this.resources.set(logicalId, { type, ref: arn, attributes: { Arn: arn, Name: name } });
        continue;
      }
      if (type === BUCKET_TYPE || type === TOPIC_TYPE) {
        const properties = (declaration.Properties ?? {}) as Record<string, unknown>;
        const nameProperty = type === BUCKET_TYPE ? "BucketName" : "TopicName";
        const name = (): string => {
          if (properties[nameProperty] === undefined) return type === BUCKET_TYPE ? defaultBucketName(this.options.stackName, logicalId) : defaultTopicName(this.options.stackName, logicalId);
          const given = text(resolveValue(properties[nameProperty], this.scope, nameProperty), nameProperty);
          return type === BUCKET_TYPE ? checkBucketName(given) : checkTopicName(given);
        };
        const topicArn = (): string => `arn:aws:sns:${region}:${accountId}:${name()}`;
        this.resources.set(logicalId, type === BUCKET_TYPE ? { type, ref: name, attributes: { Arn: () => `arn:aws:s3:::${name()}` } } : { type, ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } });
        continue;
      }
      if (type === LAYER_TYPE) {
        const properties = (declaration.Properties ?? {}) as Record<string, unknown>;
        const name = (): string => (properties.LayerName === undefined ? defaultLayerName(this.options.stackName, logicalId) : checkLayerName(text(resolveValue(properties.LayerName, this.scope, "LayerName"), "LayerName")));
        const arn = (): string => this.options.facts.layerVersionArns?.[logicalId] ?? layerVersionArn(region, accountId, name(), PENDING_LAYER_VERSION);
        this.resources.set(logicalId, { type, ref: arn, attributes: {} });
        continue;
      }
      if (DEPLOYMENT_TYPES.has(type)) {
        const properties = (declaration.Properties ?? {}) as Record<string, unknown>;
        const nameProperty = type === ALARM_TYPE ? "AlarmName" : "DeploymentConfigName";
        const name = (): string => (properties[nameProperty] === undefined ? defaultFunctionName(this.options.stackName, logicalId) : text(resolveValue(properties[nameProperty], this.scope, nameProperty), nameProperty));
        this.resources.set(logicalId, { type, ref: name, attributes: type === ALARM_TYPE ? { Arn: () => `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name()}` } : {} });
        continue;
      }
      if (type === VERSION_TYPE) {
        const later = unavailable(`the version ${logicalId} is known after the deploy`);
        this.resources.set(logicalId, { type, ref: later, attributes: { Version: later } });
        continue;
      }
      if (type === ALIAS_TYPE) {
        const properties = (declaration.Properties ?? {}) as Record<string, unknown>;
        const aliasArn = (): string => {
          const target = text(resolveValue(properties.FunctionName, this.scope, "FunctionName"), "FunctionName");
          const functionName = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)$/.exec(target)?.[1] ?? target;
          return `arn:aws:lambda:${region}:${accountId}:function:${functionName}:${text(resolveValue(properties.Name, this.scope, "Name"), "Name")}`;
        };
        this.resources.set(logicalId, { type, ref: aliasArn, attributes: { AliasArn: aliasArn } });
        continue;
      }
      if (!FUNCTION_TYPES.has(type)) {
        this.resources.set(logicalId, { type, ref: unavailable(`${type} ${logicalId} has no value on Lambent`), attributes: {} });
        continue;
      }
      const properties = (declaration.Properties ?? {}) as Record<string, unknown>;
      const merged = (type === "AWS::Serverless::Function" ? mergeGlobals(this.section("Globals").Function, properties) : properties) as Record<string, unknown>;
      const name = (): string => nameOf(logicalId, merged);
      const arn = (): string => `arn:aws:lambda:${region}:${accountId}:function:${name()}`;
      this.resources.set(logicalId, { type, ref: name, attributes: { Arn: arn } });
      if (merged.Role === undefined) {
        const role = `arn:aws:iam::${accountId}:role/${DEFAULT_ROLE_NAME}`;
        this.resources.set(`${logicalId}Role`, { type: "AWS::IAM::Role", ref: () => DEFAULT_ROLE_NAME, attributes: { Arn: () => role, RoleId: () => DEFAULT_ROLE_NAME } });
      }
      if (type !== "AWS::Serverless::Function") continue;
      const alias = typeof merged.AutoPublishAlias === "string" ? merged.AutoPublishAlias : undefined;
      if (alias !== undefined) {
        this.resources.set(`${logicalId}Alias${alias}`, { type: "AWS::Lambda::Alias", ref: () => `${arn()}:${alias}`, attributes: { AliasName: () => alias } });
      }
      if (merged.FunctionUrlConfig !== undefined) {
        const url = (): string => {
          const value = functionUrls[name()];
          if (value === undefined) throw new UnavailableValueError("the function URL is known after the deploy");
          return value;
        };
        this.resources.set(`${logicalId}Url`, { type: "AWS::Lambda::Url", ref: arn, attributes: { FunctionUrl: url, FunctionArn: arn } });
      }
      for (const event of Object.values((merged.Events ?? {}) as Record<string, { Type?: unknown }>)) {
        if (event?.Type === "Api") hasRestApi = true;
        if (event?.Type === "HttpApi") hasHttpApi = true;
      }
    }
    if (hasRestApi && !this.resources.has("ServerlessRestApi")) {
      this.apis.set("ServerlessRestApi", { rest: true });
      this.resources.set("ServerlessRestApi", { type: "AWS::ApiGateway::RestApi", ref: unavailable(`ServerlessRestApi ${apiNote}`), attributes: {} });
    }
    if (hasHttpApi && !this.resources.has("ServerlessHttpApi")) {
      this.apis.set("ServerlessHttpApi", { rest: false });
      this.resources.set("ServerlessHttpApi", { type: "AWS::ApiGatewayV2::Api", ref: unavailable(`ServerlessHttpApi ${apiNote}`), attributes: {} });
    }
  }

  private planFunction(logicalId: string, declaration: Record<string, unknown>): FunctionPlan {
    const type = declaration.Type as string;
    const properties = (declaration.Properties ?? {}) as Record<string, unknown>;
    const merged = type === "AWS::Serverless::Function" ? this.withoutApiIds(mergeGlobals(this.section("Globals").Function, properties) as Record<string, unknown>) : properties;
    const resolved = resolveValue(merged, this.scope);
    const functionName = this.resources.get(logicalId)!.ref();
    const context = {
      logicalId,
      functionName,
      templateFolder: { path: dirname(this.options.templatePath), confined: this.options.confineToFolder === true },
      defaultRole: `arn:aws:iam::${this.options.facts.accountId}:role/${DEFAULT_ROLE_NAME}`,
      stackName: this.options.stackName,
      warnings: this.warnings,
    };
    const properties_ = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    if (type !== "AWS::Serverless::Function") return planLambdaFunction(properties_, context);
    const plan = planServerlessFunction(properties_, context);
    if (properties_.DeploymentPreference !== undefined) this.preferences.set(plan, properties_.DeploymentPreference);
    return plan;
  }

  /** An AWS::CodeDeploy::DeploymentConfig or AWS::CloudWatch::Alarm, kept by the name a Ref to it gives. */
  private planDeploymentResource(logicalId: string, declaration: Record<string, unknown>): void {
    const typeOf = (id: string): unknown => this.resourceDeclarations[id]?.Type;
    // An alarm's ExecutedVersion may name the version the deploy publishes, unknown until then.
    const isNewVersion = (id: string, attribute: string): boolean => (attribute === "Version.Version" && FUNCTION_TYPES.has(typeOf(id) as string)) || (attribute === "Version" && typeOf(id) === VERSION_TYPE);
    const declared = declaration.Type === ALARM_TYPE ? markNewVersion(declaration.Properties ?? {}, isNewVersion) : (declaration.Properties ?? {});
    const resolved = resolveValue(declared, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    const name = this.resources.get(logicalId)!.ref();
    if (declaration.Type === ALARM_TYPE) this.alarms.set(name, planAlarm(properties, name, this.warnings, logicalId));
    else this.deploymentConfigs.set(name, planDeploymentConfig(properties));
  }

  /** Each function's DeploymentPreference, once its alias (AutoPublishAlias or an AWS::Lambda::Alias) is known. */
  private planDeploymentPreferences(functions: readonly FunctionPlan[]): void {
    const functionNames = new Set(functions.map((fn) => fn.functionName));
    for (const [fn, preference] of this.preferences) {
      this.attempt({ where: fn.logicalId }, () => {
        const deployment = planDeploymentPreference(preference, { logicalId: fn.logicalId, functionName: fn.functionName, alias: fn.alias, configs: this.deploymentConfigs, alarms: this.alarms, functionNames, warnings: this.warnings });
        if (deployment !== undefined) fn.deployment = deployment;
      });
    }
  }

  private planStateMachine(logicalId: string, declaration: Record<string, unknown>): StateMachinePlan {
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    return planStateMachine(properties, {
      logicalId,
      name: this.resources.get(logicalId)!.attributes.Name!(),
      templateFolder: { path: dirname(this.options.templatePath), confined: this.options.confineToFolder === true },
      defaultRole: `arn:aws:iam::${this.options.facts.accountId}:role/${DEFAULT_ROLE_NAME}`,
      stackName: this.options.stackName,
      warnings: this.warnings,
    });
  }

  /** An AWS::S3::Bucket or AWS::SNS::Topic: a name of an Object Store bucket or a NATS subject. */
  private checkNameResource(logicalId: string, declaration: Record<string, unknown>): void {
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    const resource = this.resources.get(logicalId)!;
    checkNameResource(declaration.Type as string, properties, logicalId, resource.type === BUCKET_TYPE ? resource.ref() : resource.attributes.TopicName!(), this.warnings);
  }

  private planLayer(logicalId: string, declaration: Record<string, unknown>, planned: readonly LayerPlan[]): LayerPlan {
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    const layerName = properties.LayerName === undefined ? defaultLayerName(this.options.stackName, logicalId) : checkLayerName(text(properties.LayerName, "LayerName"));
    const other = planned.find((layer) => layer.layerName === layerName);
    if (other !== undefined) throw new ResolveError(`${layerName} is also the name of ${other.logicalId}`, "LayerName");
    return planLayer(properties, { logicalId, layerName, templateFolder: { path: dirname(this.options.templatePath), confined: this.options.confineToFolder === true }, warnings: this.warnings });
  }

  /** An IAM role: its name and path are used; what it grants is not applied, and the warning says so. */
  private checkRole(logicalId: string, declaration: Record<string, unknown>): void {
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    for (const key of Object.keys(properties)) {
      if (!ROLE_PROPERTIES.has(key)) throw new ResolveError(`${ROLE_TYPE} property ${key} is not supported by Lambent`, key);
    }
    const arn = this.resources.get(logicalId)!.attributes.Arn!();
    this.warnings.push(`${logicalId}: Lambent does not create IAM roles: functions run as ${arn}, whose policies here are not applied; give it credentials and a policy with lambent role`);
  }

  /** An explicit API's properties: only those that leave its routes as the implicit API's would be. */
  private checkApi(declaration: Record<string, unknown>): void {
    const api = own(API_TYPES, declaration.Type as string)!;
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    for (const key of Object.keys(properties)) {
      if (!api.properties.has(key)) throw new ResolveError(`${declaration.Type as string} property ${key} is not supported by Lambent: an API's events are served as plain routes`, key);
    }
    if (!api.rest && properties.StageName !== undefined && text(properties.StageName, "StageName") !== "$default") {
      throw new ResolveError("only the $default stage is supported: Lambent's routes have no stage in their path", "StageName");
    }
  }

  /**
   * Drops an Api or HttpApi event's RestApiId or ApiId when it is `!Ref` to an explicit API of the template,
   * whose events are routes like the implicit API's. Anything else there is left for the event check to refuse.
   */
  private withoutApiIds(properties: Record<string, unknown>): Record<string, unknown> {
    const events = properties.Events;
    if (events === null || typeof events !== "object" || Array.isArray(events)) return properties;
    const copy: Record<string, unknown> = {};
    for (const [eventId, event] of Object.entries(events as Record<string, unknown>)) {
      copy[eventId] = event;
      if (event === null || typeof event !== "object") continue;
      const { Type: eventType, Properties: eventProperties } = event as { Type?: unknown; Properties?: unknown };
      const api = Object.values(API_TYPES).find((candidate) => candidate.event === eventType);
      if (api === undefined || eventProperties === null || typeof eventProperties !== "object") continue;
      const reference = (eventProperties as Record<string, unknown>)[api.idProperty] as { Ref?: unknown } | undefined;
      const target = typeof reference?.Ref === "string" ? own(this.resourceDeclarations, reference.Ref) : undefined;
      if (target === undefined || target === null || own(API_TYPES, String(target.Type)) !== api) continue;
      const { [api.idProperty]: _detached, ...rest } = eventProperties as Record<string, unknown>;
      copy[eventId] = { ...(event as Record<string, unknown>), Properties: rest };
    }
    return { ...properties, Events: copy };
  }

  private planPermission(logicalId: string, declaration: Record<string, unknown>, included: [string, Record<string, unknown>][]): PermissionPlan {
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    for (const key of Object.keys(properties)) {
      if (!PERMISSION_PROPERTIES.has(key)) throw new ResolveError(`AWS::Lambda::Permission property ${key} is not supported by Lambent`, key);
    }
    for (const key of ["Action", "FunctionName", "Principal"]) if (properties[key] === undefined) throw new ResolveError("is required", key);
    const target = text(properties.FunctionName, "FunctionName");
    const arn = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)(?::([^:]+))?$/.exec(target);
    const functionName = arn ? arn[1]! : target;
    const templateNames = new Set(included.filter(([, item]) => FUNCTION_TYPES.has(item.Type as string)).map(([id]) => this.resources.get(id)!.ref()));
    if (!templateNames.has(functionName)) throw new ResolveError(`names ${target}, which is not a function of this template`, "FunctionName");
    const request: PermissionPlan["request"] = { StatementId: logicalId, Action: text(properties.Action, "Action"), Principal: text(properties.Principal, "Principal") };
    for (const key of ["SourceArn", "SourceAccount", "EventSourceToken", "PrincipalOrgID"] as const) if (properties[key] !== undefined) request[key] = text(properties[key], key);
    if (properties.FunctionUrlAuthType !== undefined) request.FunctionUrlAuthType = text(properties.FunctionUrlAuthType, "FunctionUrlAuthType") === "AWS_IAM" ? "AWS_IAM" : "NONE";
    const plan: PermissionPlan = { logicalId, functionName, request };
    if (arn?.[2] !== undefined) plan.qualifier = arn[2];
    return plan;
  }

  /** The template function a FunctionName names (by name or unqualified ARN), or a ResolveError. */
  private templateFunction(target: string, included: [string, Record<string, unknown>][]): string {
    const arn = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)(?::([^:]+))?$/.exec(target);
    if (arn?.[2] !== undefined) throw new ResolveError("name the function, not a version or alias of it", "FunctionName");
    const functionName = arn ? arn[1]! : target;
    const templateNames = new Set(included.filter(([, item]) => FUNCTION_TYPES.has(item.Type as string)).map(([id]) => this.resources.get(id)!.ref()));
    if (!templateNames.has(functionName)) throw new ResolveError(`names ${target}, which is not a function of this template`, "FunctionName");
    return functionName;
  }

  /** An AWS::Lambda::Version: the version each deploy freezes of its function. */
  private checkVersion(logicalId: string, declaration: Record<string, unknown>, included: [string, Record<string, unknown>][]): void {
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    for (const key of Object.keys(properties)) {
      if (!VERSION_PROPERTIES.has(key)) {
        const because = key === "ProvisionedConcurrencyConfig" ? ": the version is a new one on every deploy; give the ProvisionedConcurrencyConfig to an AWS::Lambda::Alias on it, or to the function with AutoPublishAlias" : "";
        throw new ResolveError(`${VERSION_TYPE} property ${key} is not supported by Lambent${because}`, key);
      }
    }
    if (properties.FunctionName === undefined) throw new ResolveError("is required", "FunctionName");
    this.templateFunction(text(properties.FunctionName, "FunctionName"), included);
    if (properties.Description !== undefined || properties.CodeSha256 !== undefined) this.warnings.push(`${logicalId}: Description and CodeSha256 have no effect: the version is the one each deploy freezes`);
  }

  /** An AWS::Lambda::Alias of a template function, on the version of it the template declares: the function's alias. */
  private planAlias(logicalId: string, declaration: Record<string, unknown>, functions: FunctionPlan[], included: [string, Record<string, unknown>][]): void {
    const raw = (declaration.Properties ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(raw)) {
      if (!ALIAS_PROPERTIES.has(key)) throw new ResolveError(`${ALIAS_TYPE} property ${key} is not supported by Lambent${key === "RoutingConfig" ? ": weighted aliases are not deployed from templates" : ""}`, key);
    }
    for (const key of ["FunctionName", "FunctionVersion", "Name"]) if (raw[key] === undefined) throw new ResolveError("is required", key);
    const functionName = this.templateFunction(text(resolveValue(raw.FunctionName, this.scope, "FunctionName"), "FunctionName"), included);
    const name = text(resolveValue(raw.Name, this.scope, "Name"), "Name");
    if (!ALIAS_NAME.test(name)) throw new ResolveError(`'${name}' is not an alias name: letters, digits, '-' or '_', not only digits`, "Name");
    // The version is known only once deployed, so the alias must name it by reference: !GetAtt <Version>.Version.
    const getAtt = (raw.FunctionVersion as { "Fn::GetAtt"?: unknown } | null)?.["Fn::GetAtt"];
    const versionId = Array.isArray(getAtt) && getAtt[1] === "Version" && typeof getAtt[0] === "string" ? getAtt[0] : undefined;
    const version = versionId === undefined ? undefined : included.find(([id, item]) => id === versionId && item.Type === VERSION_TYPE)?.[1];
    if (version === undefined) throw new ResolveError(`must be !GetAtt <Version>.Version of an ${VERSION_TYPE} of the template: the version each deploy freezes`, "FunctionVersion");
    const versionOf = text(resolveValue(((version.Properties ?? {}) as Record<string, unknown>).FunctionName, this.scope, "FunctionName"), "FunctionName");
    if (this.templateFunction(versionOf, included) !== functionName) throw new ResolveError(`${versionId} is a version of another function`, "FunctionVersion");
    if (raw.Description !== undefined) this.warnings.push(`${logicalId}: Description has no effect`);
    const fn = functions.find((candidate) => candidate.functionName === functionName);
    if (fn === undefined) return;
    if (fn.alias !== undefined && fn.alias !== name) throw new ResolveError(`${fn.logicalId} has the alias ${fn.alias} already: Lambent deploys one alias per function from a template`, "Name");
    fn.alias = name;
    if (raw.ProvisionedConcurrencyConfig !== undefined) {
      if (fn.provisionedConcurrency !== undefined) throw new ResolveError(`${fn.logicalId} sets the alias's ProvisionedConcurrencyConfig already`, "ProvisionedConcurrencyConfig");
      fn.provisionedConcurrency = provisionedConcurrency(resolveValue(raw.ProvisionedConcurrencyConfig, this.scope, "ProvisionedConcurrencyConfig"), "ProvisionedConcurrencyConfig");
    }
  }

  /** An AWS::Lambda::EventInvokeConfig of a template function, on its alias (or on $LATEST when it has none). */
  private planEventInvokeResource(declaration: Record<string, unknown>, functions: FunctionPlan[], included: [string, Record<string, unknown>][]): void {
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    for (const key of ["FunctionName", "Qualifier"]) if (properties[key] === undefined) throw new ResolveError("is required", key);
    const functionName = this.templateFunction(text(properties.FunctionName, "FunctionName"), included);
    const fn = functions.find((candidate) => candidate.functionName === functionName);
    const config = eventInvokeConfig(properties, undefined, functionName, false);
    if (fn === undefined) return;
    const qualifier = text(properties.Qualifier, "Qualifier");
    const expected = fn.alias ?? "$LATEST";
    if (qualifier !== expected) throw new ResolveError(`'${qualifier}' is not ${expected}: Lambent applies a template function's EventInvokeConfig to its alias, or to $LATEST when it has none`, "Qualifier");
    if (fn.eventInvokeConfig !== undefined) throw new ResolveError(`${fn.logicalId} has an EventInvokeConfig already`, "FunctionName");
    fn.eventInvokeConfig = config;
  }

  /** An AWS::Lambda::EventSourceMapping: a mapping of the template function it names. */
  private planMappingResource(logicalId: string, declaration: Record<string, unknown>, functions: FunctionPlan[], included: [string, Record<string, unknown>][]): void {
    const resolved = resolveValue(declaration.Properties ?? {}, this.scope);
    const properties = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    for (const key of Object.keys(properties)) {
      if (key !== "FunctionName" && key !== "EventSourceArn" && !MAPPING_RESOURCE_SETTINGS.has(key)) throw new ResolveError(`AWS::Lambda::EventSourceMapping property ${key} is not supported by Lambent`, key);
    }
    for (const key of ["FunctionName", "EventSourceArn"]) if (properties[key] === undefined) throw new ResolveError("is required", key);
    const target = text(properties.FunctionName, "FunctionName");
    const arn = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)(?::([^:]+))?$/.exec(target);
    if (arn?.[2] !== undefined) throw new ResolveError("a mapping of a version or alias is not deployed from templates: name the function", "FunctionName");
    const functionName = arn ? arn[1]! : target;
    const templateNames = new Set(included.filter(([, item]) => FUNCTION_TYPES.has(item.Type as string)).map(([id]) => this.resources.get(id)!.ref()));
    if (!templateNames.has(functionName)) throw new ResolveError(`names ${target}, which is not a function of this template`, "FunctionName");
    const mapping = { eventId: logicalId, eventSourceArn: sourceArn(text(properties.EventSourceArn, "EventSourceArn"), "EventSourceArn"), settings: mappingSettings(properties, "Properties") };
    // A function refused for a problem of its own is not planned: that problem is listed already.
    const fn = functions.find((candidate) => candidate.functionName === functionName);
    if (fn) fn.mappings = [...(fn.mappings ?? []), mapping];
  }

  /** Names, routes and trigger names are each one function's: two resources claiming one are refused. */
  private checkAcrossFunctions(functions: readonly FunctionPlan[]): void {
    const names = new Map<string, string>();
    const routes = new Map<string, string>();
    const triggers = new Map<string, string>();
    for (const fn of functions) {
      const other = names.get(fn.functionName);
      if (other !== undefined) this.problems.push({ where: fn.logicalId, property: "FunctionName", message: `${fn.functionName} is also the name of ${other}` });
      names.set(fn.functionName, fn.logicalId);
      const sources = new Map<string, string>();
      for (const mapping of fn.mappings ?? []) {
        const earlier = sources.get(mapping.eventSourceArn);
        if (earlier !== undefined) this.problems.push({ where: fn.logicalId, property: mapping.eventId, message: `${mapping.eventSourceArn} is also read by ${earlier}: a function maps one source once` });
        sources.set(mapping.eventSourceArn, mapping.eventId);
      }
      for (const route of fn.routes) {
        for (const method of route.methods) {
          const keys = method === "ANY" ? [`${route.path} ANY`, ...[...routes.keys()].filter((key) => key.startsWith(`${route.path} `))] : [`${route.path} ${method}`, `${route.path} ANY`];
          const clash = keys.map((key) => routes.get(key)).find((owner) => owner !== undefined);
          if (clash !== undefined) {
            this.problems.push({ where: fn.logicalId, property: `Events.${route.eventId}`, message: `${method} ${route.path} is also served by ${clash}: a path and method belong to one route` });
          }
          routes.set(`${route.path} ${method}`, `${fn.logicalId}.Events.${route.eventId}`);
        }
      }
      for (const schedule of fn.schedules) {
        const owner = triggers.get(schedule.name);
        if (owner !== undefined) this.problems.push({ where: fn.logicalId, property: `Events.${schedule.eventId}`, message: `the schedule name ${schedule.name} is also used by ${owner}` });
        triggers.set(schedule.name, `${fn.logicalId}.Events.${schedule.eventId}`);
      }
    }
  }

  private planOutputs(): OutputPlan[] {
    const outputs: OutputPlan[] = [];
    for (const [name, declaration] of Object.entries(this.section("Outputs"))) {
      this.attempt({ where: `Outputs.${name}` }, () => {
        const output = map(declaration as Resolved, "Outputs");
        if (output.Condition !== undefined && !this.condition(text(output.Condition, "Condition"))) return;
        if (output.Export !== undefined) this.warnings.push(`Outputs.${name}: Export has no effect: Lambent has no cross-stack imports`);
        const plan: OutputPlan = { name };
        if (output.Description !== undefined) plan.description = text(output.Description, "Description");
        try {
          const value = resolveValue(this.apiUrlsAsRoutes(output.Value), this.scope, "Value");
          plan.value = typeof value === "string" ? value : JSON.stringify(value);
        } catch (error) {
          if (!(error instanceof UnavailableValueError)) throw error;
          plan.unavailable = error.message;
        }
        outputs.push(plan);
      });
    }
    return outputs;
  }

  /**
   * SAM's outputs spell an API's URL as `https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/…`
   * (a REST API, with its stage), or `https://${MyHttpApi}.execute-api.${AWS::Region}.amazonaws.com/…`. On Lambent
   * the same paths are routes beneath the route base URL, so that prefix becomes the base URL once it is known.
   */
  private apiUrlsAsRoutes(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((item) => this.apiUrlsAsRoutes(item));
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0]![0] === "Fn::Sub") {
      const argument = entries[0]![1];
      const rewrite = (template: unknown): unknown => {
        if (typeof template !== "string") return template;
        const pattern = /https:\/\/\$\{([A-Za-z0-9]+)\}\.execute-api\.\$\{AWS::Region\}\.(?:amazonaws\.com|\$\{AWS::URLSuffix\})(\/[^/]*)?/g;
        let found = false;
        const rewritten = template.replace(pattern, (whole, apiId: string, stage: string | undefined) => {
          const api = this.apis.get(apiId);
          if (api === undefined) return whole;
          const base = this.options.facts.routeBaseUrl;
          if (base === undefined) throw new UnavailableValueError("the URL of the template's routes is known after the deploy");
          found = true;
          // A REST API's URL carries its stage as the first segment; Lambent's routes have none.
          return base.replace(/\$\{/g, "${!") + (api.rest || stage === undefined ? "" : stage);
        });
        return found ? rewritten : template;
      };
      return { "Fn::Sub": Array.isArray(argument) ? [rewrite(argument[0]), ...argument.slice(1)] : rewrite(argument) };
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.apiUrlsAsRoutes(item)]));
  }

  /** Runs one step of the plan, turning a ResolveError into a problem of `where`. */
  private attempt(where: { where: string }, step: () => unknown): void {
    try {
      step();
    } catch (error) {
      if (!(error instanceof ResolveError)) throw error;
      const problem: TemplateProblem = { where: where.where, message: error.message };
      if (error.property !== undefined) problem.property = error.property;
      this.problems.push(problem);
    }
  }

  private section(name: string): Record<string, unknown> {
    const value = this.template[name];
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }
}
