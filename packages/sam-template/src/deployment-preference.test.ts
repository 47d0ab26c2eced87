import { describe, expect, it } from "vitest";
import { PREDEFINED_CONFIGS, trafficSteps } from "./deployment-preference.js";
import { plan, refusal } from "./testing/plans.js";

/** A template with a live function, its hook, and `extra` resources; `preference` is the DeploymentPreference's YAML body. */
function template(preference: string, extra = "", alias = "AutoPublishAlias: live"): string {
  return `
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs20.x
      ${alias}
      DeploymentPreference:
${preference
  .trim()
  .split("\n")
  .map((line) => `        ${line}`)
  .join("\n")}
  Check:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs20.x
${extra}`;
}

const ERRORS_ALARM = `
  ApiErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref Api
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
`;

describe("traffic steps", () => {
  it("moves a canary's share, waits its interval, then moves the rest", () => {
    expect(trafficSteps(PREDEFINED_CONFIGS.Canary10Percent5Minutes!)).toEqual([
      { weight: 0.1, waitMinutes: 5 },
      { weight: 1, waitMinutes: 0 },
    ]);
    expect(trafficSteps(PREDEFINED_CONFIGS.Canary10Percent30Minutes!)[0]).toEqual({ weight: 0.1, waitMinutes: 30 });
  });

  it("moves a linear share every interval, ending at exactly 1", () => {
    const steps = trafficSteps(PREDEFINED_CONFIGS.Linear10PercentEvery3Minutes!);
    expect(steps.map((step) => step.weight)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(steps.slice(0, -1).every((step) => step.waitMinutes === 3)).toBe(true);
    expect(trafficSteps({ kind: "Linear", percentage: 30, intervalMinutes: 2 })).toEqual([
      { weight: 0.3, waitMinutes: 2 },
      { weight: 0.6, waitMinutes: 2 },
      { weight: 0.9, waitMinutes: 2 },
      { weight: 1, waitMinutes: 0 },
    ]);
  });

  it("moves everything at once for AllAtOnce", () => {
    expect(trafficSteps(PREDEFINED_CONFIGS.AllAtOnce!)).toEqual([{ weight: 1, waitMinutes: 0 }]);
  });

  it("knows every predefined Lambda configuration of CodeDeploy", () => {
    expect(Object.keys(PREDEFINED_CONFIGS).sort()).toEqual(
      [
        "AllAtOnce",
        "Canary10Percent5Minutes",
        "Canary10Percent10Minutes",
        "Canary10Percent15Minutes",
        "Canary10Percent30Minutes",
        "Linear10PercentEvery1Minute",
        "Linear10PercentEvery2Minutes",
        "Linear10PercentEvery3Minutes",
        "Linear10PercentEvery10Minutes",
      ].sort(),
    );
  });
});

describe("DeploymentPreference in a template", () => {
  it("plans a predefined type with hooks and an alarm over Lambent's metrics", () => {
    const fn = plan(template("Type: Linear10PercentEvery2Minutes\nHooks:\n  PreTraffic: !Ref Check\n  PostTraffic: !Ref Check\nAlarms:\n  - !Ref ApiErrors", ERRORS_ALARM)).functions.find((item) => item.logicalId === "Api")!;
    expect(fn.deployment).toMatchObject({ config: "Linear10PercentEvery2Minutes", alias: "live", preTrafficHook: "shop-Check", postTrafficHook: "shop-Check" });
    expect(fn.deployment!.steps).toHaveLength(10);
    expect(fn.deployment!.alarms).toEqual([
      { name: "shop-ApiErrors", functionName: "shop-Api", metric: "Errors", periodMinutes: 1, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, comparison: "GreaterThanOrEqualToThreshold" },
    ]);
  });

  it("reads an alarm's Resource and ExecutedVersion dimensions as SAM's canary alarms write them", () => {
    const alarm = (dimensions: string): string => ERRORS_ALARM.replace("        - Name: FunctionName\n          Value: !Ref Api\n", dimensions);
    const resource = '        - Name: Resource\n          Value: !Sub "${Api}:live"\n        - Name: FunctionName\n          Value: !Ref Api\n';
    const use = "Type: Canary10Percent5Minutes\nAlarms:\n  - !Ref ApiErrors";
    expect(plan(template(use, alarm(resource))).functions[0]!.deployment!.alarms[0]).toMatchObject({ functionName: "shop-Api", qualifier: "live" });
    const newVersion = plan(template(use, alarm(`${resource}        - Name: ExecutedVersion\n          Value: !GetAtt Api.Version.Version\n`))).functions[0]!.deployment!.alarms[0]!;
    expect(newVersion).toMatchObject({ functionName: "shop-Api", qualifier: "live", newVersion: true });
    expect(newVersion.executedVersion).toBeUndefined();
    expect(plan(template(use, alarm(`${resource}        - Name: ExecutedVersion\n          Value: "3"\n`))).functions[0]!.deployment!.alarms[0]).toMatchObject({ executedVersion: "3" });
    expect(plan(template(use, alarm('        - Name: Resource\n          Value: !Ref Api\n'))).functions[0]!.deployment!.alarms[0]!.qualifier).toBeUndefined();
    expect(refusal(template(use, alarm(`${resource}        - Name: ExecutedVersion\n          Value: live\n`)))).toContainEqual(expect.stringContaining("ApiErrors: Dimensions[2].Value: 'live' is not a version"));
    expect(refusal(template(use, alarm('        - Name: Resource\n          Value: !Sub "${Api}:a:b"\n')))).toContainEqual(expect.stringContaining("is not function or function:qualifier"));
    expect(refusal(template(use, alarm(`${resource}        - Name: Resource\n          Value: !Ref Api\n`)))).toContainEqual(expect.stringContaining("repeats the Resource dimension"));
  });

  it("takes CodeDeploy's full names of the predefined types", () => {
    expect(plan(template("Type: CodeDeployDefault.LambdaCanary10Percent15Minutes")).functions[0]!.deployment!.steps[0]).toEqual({ weight: 0.1, waitMinutes: 15 });
  });

  it("plans a custom AWS::CodeDeploy::DeploymentConfig referred to by !Ref", () => {
    const config = `
  Slow:
    Type: AWS::CodeDeploy::DeploymentConfig
    Properties:
      ComputePlatform: Lambda
      TrafficRoutingConfig:
        Type: TimeBasedLinear
        TimeBasedLinear:
          LinearPercentage: 25
          LinearInterval: 4
`;
    const fn = plan(template("Type: !Ref Slow", config)).functions[0]!;
    expect(fn.deployment!.config).toBe("shop-Slow");
    expect(fn.deployment!.steps).toEqual([
      { weight: 0.25, waitMinutes: 4 },
      { weight: 0.5, waitMinutes: 4 },
      { weight: 0.75, waitMinutes: 4 },
      { weight: 1, waitMinutes: 0 },
    ]);
  });

  it("deploys at once when Enabled is false", () => {
    expect(plan(template("Type: Canary10Percent5Minutes\nEnabled: false")).functions[0]!.deployment).toBeUndefined();
  });

  it("needs AutoPublishAlias, as SAM does", () => {
    expect(refusal(template("Type: AllAtOnce", "", "MemorySize: 128"))).toContainEqual(expect.stringContaining("Api: DeploymentPreference: needs AutoPublishAlias"));
  });

  it("refuses an unknown type, a hook outside the template and an alarm that is not the template's", () => {
    expect(refusal(template("Type: Canary50Percent1Minute"))).toContainEqual(expect.stringContaining("Api: DeploymentPreference.Type: 'Canary50Percent1Minute' is none of"));
    expect(refusal(template("Type: AllAtOnce\nHooks:\n  PreTraffic: elsewhere"))).toContainEqual("Api: DeploymentPreference.Hooks.PreTraffic: names elsewhere, which is not a function of this template");
    expect(refusal(template("Type: AllAtOnce\nAlarms:\n  - SomeoneElsesAlarm"))).toContainEqual(expect.stringContaining("Api: DeploymentPreference.Alarms[0]: names SomeoneElsesAlarm"));
    expect(refusal(template("Type: AllAtOnce\nTriggerConfigurations: []"))).toContainEqual("Api: DeploymentPreference.TriggerConfigurations: is not supported by Lambent");
  });

  it("refuses alarm shapes Lambent's metrics cannot answer, naming the resource and the property", () => {
    const alarm = (change: string): string => ERRORS_ALARM.replace("      Statistic: Sum\n", `      Statistic: Sum\n${change}\n`);
    const use = "Type: AllAtOnce\nAlarms:\n  - !Ref ApiErrors";
    expect(refusal(template(use, alarm("      Metrics: []")))).toContainEqual(expect.stringContaining("ApiErrors: Metrics: AWS::CloudWatch::Alarm property Metrics is not supported by Lambent: metric math"));
    expect(refusal(template(use, ERRORS_ALARM.replace("MetricName: Errors", "MetricName: Duration")))).toContainEqual(expect.stringContaining("ApiErrors: MetricName: must be one of Errors, Throttles, Invocations"));
    expect(refusal(template(use, ERRORS_ALARM.replace("Namespace: AWS/Lambda", "Namespace: AWS/SQS")))).toContainEqual(expect.stringContaining("ApiErrors: Namespace: must be one of AWS/Lambda"));
    expect(refusal(template(use, ERRORS_ALARM.replace("Statistic: Sum", "Statistic: Average")))).toContainEqual(expect.stringContaining("ApiErrors: Statistic: must be one of Sum"));
    expect(refusal(template(use, ERRORS_ALARM.replace("Period: 60", "Period: 90")))).toContainEqual(expect.stringContaining("ApiErrors: Period: must be whole minutes"));
  });

  it("refuses a custom configuration with EC2's settings", () => {
    const config = `
  Hosts:
    Type: AWS::CodeDeploy::DeploymentConfig
    Properties:
      MinimumHealthyHosts: { Type: FLEET_PERCENT, Value: 50 }
`;
    expect(refusal(template("Type: !Ref Hosts", config))).toContainEqual(expect.stringContaining("Hosts: MinimumHealthyHosts: AWS::CodeDeploy::DeploymentConfig property MinimumHealthyHosts is for EC2 deployments"));
  });
});
