// A SAM or CloudFormation template and its parameter overrides → a TemplatePlan: Parameters, pseudo
// parameters, Conditions, Mappings and Globals resolved; every resource planned or refused; Outputs
// resolved as far as the facts allow. Every problem is collected, and any one of them refuses the template.
import { dirname } from "node:path";
import { ResolveError, TemplateError, UnavailableValueError, type TemplateProblem } from "./errors.js";
import { defaultFunctionName, checkFunctionName, planLambdaFunction, planServerlessFunction } from "./functions.js";
import { mergeGlobals } from "./globals.js";
import { evaluateCondition, NO_VALUE, resolveValue, unavailable, type IntrinsicScope, type Resolved, type ResourceValues } from "./intrinsics.js";
import type { FunctionPlan, OutputPlan, PermissionPlan, PlanOptions, TemplatePlan } from "./model.js";
import { parseTemplateText } from "./parse.js";
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
const PERMISSION_PROPERTIES = new Set(["Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "EventSourceToken", "PrincipalOrgID", "FunctionUrlAuthType"]);

/** Why a resource type is refused, where there is more to say than "not supported". */
const REFUSED_TYPE_BECAUSE: Readonly<Record<string, string>> = {
  "AWS::Serverless::LayerVersion": "layers are not deployed from templates yet: publish with lambent layer and list the ARN in Layers",
  "AWS::Lambda::LayerVersion": "layers are not deployed from templates yet: publish with lambent layer and list the ARN in Layers",
  "AWS::Serverless::StateMachine": "state machines are not deployed from templates yet",
  "AWS::Lambda::EventSourceMapping": "event source mappings are not deployed from templates yet",
  "AWS::Lambda::Alias": "use AutoPublishAlias on the function",
  "AWS::Lambda::Version": "use AutoPublishAlias on the function",
  "AWS::Serverless::SimpleTable": "Lambent has no DynamoDB",
  "AWS::DynamoDB::Table": "Lambent has no DynamoDB",
};

export const DEFAULT_ROLE_NAME = "lambent";

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
    for (const [logicalId, declaration] of included) {
      this.attempt({ where: logicalId }, () => {
        if (FUNCTION_TYPES.has(declaration.Type as string)) functions.push(this.planFunction(logicalId, declaration));
        else if (Object.hasOwn(API_TYPES, declaration.Type as string)) this.checkApi(declaration);
        else if (declaration.Type === ROLE_TYPE) this.checkRole(logicalId, declaration);
        else permissions.push(this.planPermission(logicalId, declaration, included));
      });
    }
    this.checkAcrossFunctions(functions);
    const outputs = this.planOutputs();
    if (this.problems.length > 0) throw new TemplateError(this.problems);
    const plan: TemplatePlan = { stackName: this.options.stackName, functions, permissions, outputs, warnings: this.warnings };
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
        for (const key of Object.keys(declaration)) if (!RESOURCE_KEYS.has(key)) throw new ResolveError(`the resource attribute ${key} is not supported by Lambent`, key);
        const type = typeof declaration.Type === "string" ? declaration.Type : "(none)";
        if (declaration.Condition !== undefined) {
          const condition = text(declaration.Condition as Resolved, "Condition");
          if (!this.condition(condition)) {
            this.resources.set(logicalId, leftOut(type, `${logicalId}, which is left out: its Condition ${condition} is false`));
            return;
          }
        }
        if (!FUNCTION_TYPES.has(type) && !Object.hasOwn(API_TYPES, type) && type !== ROLE_TYPE && type !== "AWS::Lambda::Permission") {
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
      templateFolder: dirname(this.options.templatePath),
      defaultRole: `arn:aws:iam::${this.options.facts.accountId}:role/${DEFAULT_ROLE_NAME}`,
      stackName: this.options.stackName,
      warnings: this.warnings,
    };
    const properties_ = map(resolved === NO_VALUE ? {} : resolved, "Properties");
    return type === "AWS::Serverless::Function" ? planServerlessFunction(properties_, context) : planLambdaFunction(properties_, context);
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

  /** Names, routes and trigger names are each one function's: two resources claiming one are refused. */
  private checkAcrossFunctions(functions: readonly FunctionPlan[]): void {
    const names = new Map<string, string>();
    const routes = new Map<string, string>();
    const triggers = new Map<string, string>();
    for (const fn of functions) {
      const other = names.get(fn.functionName);
      if (other !== undefined) this.problems.push({ where: fn.logicalId, property: "FunctionName", message: `${fn.functionName} is also the name of ${other}` });
      names.set(fn.functionName, fn.logicalId);
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
