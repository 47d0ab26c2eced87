// SAM's DeploymentPreference: CodeDeploy's Lambda deployment configurations (predefined, or an
// AWS::CodeDeploy::DeploymentConfig of the template) as the weights an alias moves through, the hooks run
// before and after traffic moves, and AWS::CloudWatch::Alarm resources read as alarms over Lambent's own
// metrics. Pure planning: the leading scheduler runs the deployment (docs/apps.md, Gradual deployments).
import { ResolveError } from "./errors.js";
import type { Resolved } from "./intrinsics.js";
import type { AlarmPlan, ComparisonOperator, DeploymentPlan, TrafficRouting, TrafficStep } from "./model.js";
import { integer, map, oneOf, own, text, type Properties } from "./values.js";

export const DEPLOYMENT_CONFIG_TYPE = "AWS::CodeDeploy::DeploymentConfig";
export const ALARM_TYPE = "AWS::CloudWatch::Alarm";

/** CodeDeploy's predefined Lambda configurations, by the name SAM's Type takes (with or without the `CodeDeployDefault.Lambda` prefix). */
export const PREDEFINED_CONFIGS: Readonly<Record<string, TrafficRouting>> = {
  Canary10Percent5Minutes: { kind: "Canary", percentage: 10, intervalMinutes: 5 },
  Canary10Percent10Minutes: { kind: "Canary", percentage: 10, intervalMinutes: 10 },
  Canary10Percent15Minutes: { kind: "Canary", percentage: 10, intervalMinutes: 15 },
  Canary10Percent30Minutes: { kind: "Canary", percentage: 10, intervalMinutes: 30 },
  Linear10PercentEvery1Minute: { kind: "Linear", percentage: 10, intervalMinutes: 1 },
  Linear10PercentEvery2Minutes: { kind: "Linear", percentage: 10, intervalMinutes: 2 },
  Linear10PercentEvery3Minutes: { kind: "Linear", percentage: 10, intervalMinutes: 3 },
  Linear10PercentEvery10Minutes: { kind: "Linear", percentage: 10, intervalMinutes: 10 },
  AllAtOnce: { kind: "AllAtOnce" },
};

const PREFERENCE_PROPERTIES: Readonly<Record<string, "used" | string>> = {
  Type: "used",
  Hooks: "used",
  Alarms: "used",
  Enabled: "used",
  Role: "has no effect: the leading scheduler moves the alias and runs the hooks",
};

const COMPARISONS: readonly ComparisonOperator[] = ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"];
/** The metrics Lambent keeps per function and minute, as CloudWatch's AWS/Lambda namespace names them. */
const METRICS = ["Errors", "Throttles", "Invocations"] as const;

/**
 * The steps an alias moves through: the new version's weight at each, and how long it stays there before
 * the next. The last step is always weight 1 with no wait.
 */
export function trafficSteps(routing: TrafficRouting): TrafficStep[] {
  if (routing.kind === "AllAtOnce") return [{ weight: 1, waitMinutes: 0 }];
  const share = routing.percentage / 100;
  if (routing.kind === "Canary") return [{ weight: share, waitMinutes: routing.intervalMinutes }, { weight: 1, waitMinutes: 0 }];
  const steps: TrafficStep[] = [];
  // Whole percentages, so 10 × 10% ends at exactly 1 and not at 0.9999999.
  for (let percent = routing.percentage; percent < 100; percent += routing.percentage) steps.push({ weight: percent / 100, waitMinutes: routing.intervalMinutes });
  steps.push({ weight: 1, waitMinutes: 0 });
  return steps;
}

/** An AWS::CodeDeploy::DeploymentConfig: its TrafficRoutingConfig. */
export function planDeploymentConfig(properties: Properties): TrafficRouting {
  for (const key of Object.keys(properties)) {
    if (key === "MinimumHealthyHosts" || key === "ZonalConfig") throw new ResolveError(`${DEPLOYMENT_CONFIG_TYPE} property ${key} is for EC2 deployments, not Lambda`, key);
    if (key !== "DeploymentConfigName" && key !== "ComputePlatform" && key !== "TrafficRoutingConfig") throw new ResolveError(`${DEPLOYMENT_CONFIG_TYPE} property ${key} is not supported by Lambent`, key);
  }
  if (properties.ComputePlatform !== undefined) oneOf(properties.ComputePlatform, ["Lambda"], "ComputePlatform");
  if (properties.TrafficRoutingConfig === undefined) throw new ResolveError("is required: TimeBasedCanary, TimeBasedLinear or AllAtOnce", "TrafficRoutingConfig");
  const config = map(properties.TrafficRoutingConfig, "TrafficRoutingConfig");
  const type = oneOf(config.Type, ["TimeBasedCanary", "TimeBasedLinear", "AllAtOnce"], "TrafficRoutingConfig.Type");
  for (const key of Object.keys(config)) {
    if (key !== "Type" && key !== type) throw new ResolveError(`does not go with Type ${type}`, `TrafficRoutingConfig.${key}`);
  }
  if (type === "AllAtOnce") return { kind: "AllAtOnce" };
  const kind = type === "TimeBasedCanary" ? "Canary" : "Linear";
  const where = `TrafficRoutingConfig.${type}`;
  const settings = map(config[type], where);
  for (const key of Object.keys(settings)) {
    if (key !== `${kind}Percentage` && key !== `${kind}Interval`) throw new ResolveError("is not a setting of it", `${where}.${key}`);
  }
  const percentage = integer(settings[`${kind}Percentage`] ?? null, `${where}.${kind}Percentage`, 1, 99);
  const intervalMinutes = integer(settings[`${kind}Interval`] ?? null, `${where}.${kind}Interval`, 1, 2880);
  return { kind, percentage, intervalMinutes };
}

/** What an ExecutedVersion dimension's `!GetAtt Fn.Version.Version` stands for until the deploy knows the version. */
export const NEW_VERSION = "<the version this deploy publishes>";

/**
 * An alarm's declared properties with each ExecutedVersion dimension that names the version the deploy
 * publishes (`isNewVersion` of its Fn::GetAtt: SAM's `Fn.Version.Version`, an AWS::Lambda::Version's
 * `Version`) replaced by NEW_VERSION, which resolving would otherwise refuse as known only after the deploy.
 */
export function markNewVersion(properties: unknown, isNewVersion: (logicalId: string, attribute: string) => boolean): unknown {
  if (typeof properties !== "object" || properties === null || !Array.isArray((properties as Record<string, unknown>).Dimensions)) return properties;
  const declared = properties as Record<string, unknown>;
  const dimensions = (declared.Dimensions as unknown[]).map((item) => {
    if (typeof item !== "object" || item === null || (item as Record<string, unknown>).Name !== "ExecutedVersion") return item;
    const getAtt = ((item as Record<string, unknown>).Value as { "Fn::GetAtt"?: unknown } | null)?.["Fn::GetAtt"];
    const target = typeof getAtt === "string" ? [getAtt.slice(0, getAtt.indexOf(".")), getAtt.slice(getAtt.indexOf(".") + 1)] : getAtt;
    if (!Array.isArray(target) || typeof target[0] !== "string" || typeof target[1] !== "string" || !isNewVersion(target[0], target[1])) return item;
    return { ...item, Value: NEW_VERSION };
  });
  return { ...declared, Dimensions: dimensions };
}

/**
 * An AWS::CloudWatch::Alarm that Lambent can evaluate: one of the AWS/Lambda metrics it keeps (Errors,
 * Throttles, Invocations) of one function, summed per period of whole minutes; of all its calls, or with
 * a Resource (`function:alias`) and/or ExecutedVersion dimension of the calls that named the alias and ran
 * on the version, as CloudWatch's dimensions of Lambda's metrics. Anything else (metric math, other
 * namespaces, percentiles) is refused, naming the property.
 */
export function planAlarm(properties: Properties, name: string, warnings: string[], logicalId: string): AlarmPlan {
  const known = new Set(["AlarmName", "AlarmDescription", "Namespace", "MetricName", "Dimensions", "Statistic", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "Unit"]);
  const noEffect = new Set(["ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions"]);
  for (const key of Object.keys(properties)) {
    if (noEffect.has(key)) warnings.push(`${logicalId}: ${key} has no effect: Lambent's alarms only roll back gradual deployments`);
    else if (!known.has(key)) throw new ResolveError(`${ALARM_TYPE} property ${key} is not supported by Lambent${key === "Metrics" ? ": metric math is not evaluated; give Namespace, MetricName and Dimensions" : ""}`, key);
  }
  oneOf(properties.Namespace, ["AWS/Lambda"], "Namespace");
  const metric = oneOf(properties.MetricName, METRICS, "MetricName");
  oneOf(properties.Statistic ?? "Sum", ["Sum"], "Statistic");
  if (properties.Dimensions === undefined) throw new ResolveError("is required: a FunctionName dimension naming the function whose metrics are read", "Dimensions");
  if (!Array.isArray(properties.Dimensions)) throw new ResolveError("must be a list of {Name, Value}", "Dimensions");
  let functionName: string | undefined;
  let qualifier: string | undefined;
  let executedVersion: string | undefined;
  const seen = new Set<string>();
  properties.Dimensions.forEach((item, index) => {
    const where = `Dimensions[${index}]`;
    const dimension = map(item, where);
    const dimensionName = oneOf(dimension.Name, ["FunctionName", "Resource", "ExecutedVersion"], `${where}.Name`);
    if (seen.has(dimensionName)) throw new ResolveError(`repeats the ${dimensionName} dimension`, where);
    seen.add(dimensionName);
    const value = text(dimension.Value, `${where}.Value`);
    if (dimensionName === "ExecutedVersion") {
      if (value !== NEW_VERSION && !/^(\$LATEST|[1-9][0-9]{0,9})$/.test(value)) throw new ResolveError(`'${value}' is not a version: a number, $LATEST, or !GetAtt <Function>.Version.Version for the version the deploy publishes`, `${where}.Value`);
      executedVersion = value;
      return;
    }
    // A Resource is `function:alias` or `function:version` (the calls that named it), or the function itself.
    const [named, resourceQualifier, extra] = value.split(":");
    if (dimensionName === "Resource" && (extra !== undefined || (resourceQualifier !== undefined && !/^(\$LATEST|[A-Za-z0-9_-]{1,128})$/.test(resourceQualifier)))) throw new ResolveError(`'${value}' is not function or function:qualifier`, `${where}.Value`);
    if (dimensionName === "Resource" && resourceQualifier !== undefined) qualifier = resourceQualifier;
    const fn = dimensionName === "FunctionName" ? value : named!;
    if (functionName !== undefined && functionName !== fn) throw new ResolveError(`names ${fn}, another function than ${functionName}`, where);
    functionName = fn;
  });
  if (functionName === undefined) throw new ResolveError("must name the function (FunctionName)", "Dimensions");
  const period = integer(properties.Period ?? 60, "Period", 60, 86_400);
  if (period % 60 !== 0) throw new ResolveError("must be whole minutes (a multiple of 60): Lambent's metrics are kept per minute", "Period");
  const evaluationPeriods = integer(properties.EvaluationPeriods ?? null, "EvaluationPeriods", 1, 1_440);
  const datapointsToAlarm = properties.DatapointsToAlarm === undefined ? evaluationPeriods : integer(properties.DatapointsToAlarm, "DatapointsToAlarm", 1, evaluationPeriods);
  const threshold = Number(properties.Threshold);
  if (properties.Threshold === undefined || properties.Threshold === null || typeof properties.Threshold === "boolean" || !Number.isFinite(threshold)) throw new ResolveError("must be a number", "Threshold");
  if (properties.TreatMissingData !== undefined) oneOf(properties.TreatMissingData, ["notBreaching", "missing", "ignore", "breaching"], "TreatMissingData");
  const dimensions = {
    ...(qualifier !== undefined ? { qualifier } : {}),
    ...(executedVersion === NEW_VERSION ? { newVersion: true as const } : executedVersion !== undefined ? { executedVersion } : {}),
  };
  return { name, functionName, ...dimensions, metric, periodMinutes: period / 60, evaluationPeriods, datapointsToAlarm, threshold, comparison: oneOf(properties.ComparisonOperator, COMPARISONS, "ComparisonOperator") };
}

export interface PreferenceContext {
  logicalId: string;
  /** The function's name: an alarm on "the new version" must be on it. */
  functionName: string;
  /** The function's AutoPublishAlias (or AWS::Lambda::Alias), which a gradual deployment moves. */
  alias: string | undefined;
  /** The template's deployment configurations and alarms, by the name a Ref to them gives. */
  configs: ReadonlyMap<string, TrafficRouting>;
  alarms: ReadonlyMap<string, AlarmPlan>;
  /** The names of the template's functions: hooks must be among them. */
  functionNames: ReadonlySet<string>;
  warnings: string[];
}

/** A function's resolved DeploymentPreference; undefined when Enabled is false. */
export function planDeploymentPreference(value: Resolved, context: PreferenceContext): DeploymentPlan | undefined {
  const preference = map(value, "DeploymentPreference");
  for (const key of Object.keys(preference)) {
    const use = own(PREFERENCE_PROPERTIES, key);
    if (use === undefined) throw new ResolveError("is not supported by Lambent", `DeploymentPreference.${key}`);
    if (use !== "used") context.warnings.push(`${context.logicalId}: DeploymentPreference.${key} ${use}`);
  }
  const enabled = preference.Enabled === undefined ? true : enabledOf(preference.Enabled);
  if (!enabled) return undefined;
  if (context.alias === undefined) throw new ResolveError("needs AutoPublishAlias: a gradual deployment moves the alias from the last version to the new one", "DeploymentPreference");
  if (preference.Type === undefined) throw new ResolveError("is required", "DeploymentPreference.Type");
  const config = text(preference.Type, "DeploymentPreference.Type");
  const routing = own(PREDEFINED_CONFIGS, config.replace(/^CodeDeployDefault\.Lambda/, "")) ?? context.configs.get(config);
  if (routing === undefined) throw new ResolveError(`'${config}' is none of ${Object.keys(PREDEFINED_CONFIGS).join(", ")}, nor a ${DEPLOYMENT_CONFIG_TYPE} of the template`, "DeploymentPreference.Type");
  const plan: DeploymentPlan = { config, alias: context.alias, routing, steps: trafficSteps(routing), alarms: [] };
  if (preference.Hooks !== undefined) {
    const hooks = map(preference.Hooks, "DeploymentPreference.Hooks");
    for (const [key, hook] of Object.entries(hooks)) {
      const property = `DeploymentPreference.Hooks.${key}`;
      if (key !== "PreTraffic" && key !== "PostTraffic") throw new ResolveError("is not a hook: PreTraffic or PostTraffic", property);
      const name = text(hook, property);
      if (!context.functionNames.has(name)) throw new ResolveError(`names ${name}, which is not a function of this template`, property);
      if (key === "PreTraffic") plan.preTrafficHook = name;
      else plan.postTrafficHook = name;
    }
  }
  if (preference.Alarms !== undefined) {
    if (!Array.isArray(preference.Alarms)) throw new ResolveError(`must be a list of ${ALARM_TYPE} resources (!Ref)`, "DeploymentPreference.Alarms");
    preference.Alarms.forEach((item, index) => {
      const property = `DeploymentPreference.Alarms[${index}]`;
      const name = text(item, property);
      const alarm = context.alarms.get(name);
      if (alarm === undefined) throw new ResolveError(`names ${name}, which is not an ${ALARM_TYPE} of this template: Lambent evaluates only the alarms it can read from its own metrics`, property);
      if (alarm.newVersion === true && alarm.functionName !== context.functionName) throw new ResolveError(`names ${name}, whose ExecutedVersion is the new version of ${alarm.functionName}, not of this function`, property);
      plan.alarms.push(alarm);
    });
  }
  return plan;
}

function enabledOf(value: Resolved): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new ResolveError("must be true or false", "DeploymentPreference.Enabled");
}
