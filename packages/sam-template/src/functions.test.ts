import { describe, expect, it } from "vitest";
import { plan, refusal } from "./testing/plans.js";

/** A template whose Orders function carries `properties` (YAML lines indented by six), with `globals` under Globals.Function and `resources` after it. */
function template(properties: string, { globals = "", resources = "" }: { globals?: string; resources?: string } = {}): string {
  return `Transform: AWS::Serverless-2016-10-31
${globals === "" ? "" : `Globals:\n  Function:\n${globals}`}
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs20.x
${properties}
  Audit:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs20.x
${resources}`;
}

describe("ProvisionedConcurrencyConfig and EventInvokeConfig", () => {
  it("plans provisioned concurrency on the AutoPublishAlias alias and the EventInvokeConfig SAM defines, destinations by Type", () => {
    const result = plan(
      template(`      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
      EventInvokeConfig:
        MaximumEventAgeInSeconds: 120
        MaximumRetryAttempts: 1
        DestinationConfig:
          OnSuccess:
            Type: SQS
            Destination: !Sub arn:aws:sqs:\${AWS::Region}:\${AWS::AccountId}:orders-done
          OnFailure:
            Type: Lambda
            Destination: !GetAtt Audit.Arn`),
    );
    const orders = result.functions.find((fn) => fn.logicalId === "Orders")!;
    expect(orders.alias).toBe("live");
    expect(orders.provisionedConcurrency).toBe(2);
    expect(orders.eventInvokeConfig).toEqual({
      MaximumEventAgeInSeconds: 120,
      MaximumRetryAttempts: 1,
      DestinationConfig: {
        OnSuccess: { Destination: "arn:aws:sqs:eu-west-1:123456789012:orders-done" },
        OnFailure: { Destination: "arn:aws:lambda:eu-west-1:123456789012:function:shop-Audit" },
      },
    });
    expect(result.functions.find((fn) => fn.logicalId === "Audit")).not.toHaveProperty("eventInvokeConfig");
  });

  it("takes both from Globals.Function, the function's own values winning", () => {
    const result = plan(
      template(`      AutoPublishAlias: live
      EventInvokeConfig:
        MaximumRetryAttempts: 0`, {
        globals: `    AutoPublishAlias: live
    ProvisionedConcurrencyConfig:
      ProvisionedConcurrentExecutions: 1
    EventInvokeConfig:
      MaximumEventAgeInSeconds: 300
      MaximumRetryAttempts: 2
`,
      }),
    );
    for (const fn of result.functions) expect(fn.provisionedConcurrency).toBe(1);
    expect(result.functions.map((fn) => fn.eventInvokeConfig)).toEqual([
      { MaximumEventAgeInSeconds: 300, MaximumRetryAttempts: 0 },
      { MaximumEventAgeInSeconds: 300, MaximumRetryAttempts: 2 },
    ]);
  });

  it("refuses what Lambent cannot do, naming the resource and property, every problem at once", () => {
    const problems = refusal(
      template(`      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
      EventInvokeConfig:
        MaximumRetryAttempts: 3`) +
        `  Bus:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs20.x
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: EventBridge
            Destination: arn:aws:events:eu-west-1:123456789012:event-bus/default
  Queueless:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs20.x
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess:
            Type: SQS
  Mismatch:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs20.x
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess:
            Type: SNS
            Destination: arn:aws:sqs:eu-west-1:123456789012:q
  Itself:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs20.x
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: Lambda
            Destination: !GetAtt Itself.Arn
`,
    );
    expect(problems).toEqual([
      "Orders: ProvisionedConcurrencyConfig: needs AutoPublishAlias: provisioned concurrency is set on the alias, as SAM sets it",
      "Bus: EventInvokeConfig.DestinationConfig.OnFailure.Type: Type EventBridge is not supported by Lambent: Lambent has no EventBridge: send the outcome to an SQS queue, SNS topic or function",
      "Queueless: EventInvokeConfig.DestinationConfig.OnSuccess.Destination: is required: Lambent creates no queues or topics for a destination, give the ARN of one that exists",
      "Mismatch: EventInvokeConfig.DestinationConfig.OnSuccess.Destination: 'arn:aws:sqs:eu-west-1:123456789012:q' does not match its Type SNS: the ARN must be arn:aws:sns:…",
      "Itself: EventInvokeConfig.DestinationConfig.OnFailure.Destination: is the function itself: a function cannot be its own destination",
    ]);
    expect(refusal(template(`      EventInvokeConfig:\n        MaximumRetryAttempts: 3`))).toEqual(["Orders: EventInvokeConfig.MaximumRetryAttempts: must be a whole number from 0 to 2, not 3"]);
    expect(refusal(template(`      AutoPublishAlias: live\n      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: 0`))).toEqual([
      "Orders: ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions: must be a whole number from 1 to 9007199254740991, not 0",
    ]);
    expect(refusal(template(`      EventInvokeConfig: {}`))).toEqual(["Orders: EventInvokeConfig: sets nothing: give MaximumEventAgeInSeconds, MaximumRetryAttempts or DestinationConfig"]);
  });

  it("plans AWS::Lambda::EventInvokeConfig on the function's qualifier and an AWS::Lambda::Alias's ProvisionedConcurrencyConfig", () => {
    const resources = `  OrdersVersion:
    Type: AWS::Lambda::Version
    Properties:
      FunctionName: !Ref Orders
  OrdersAlias:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Orders
      FunctionVersion: !GetAtt OrdersVersion.Version
      Name: prod
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 3
  OrdersInvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Orders
      Qualifier: prod
      MaximumRetryAttempts: 0
      DestinationConfig:
        OnFailure:
          Destination: arn:aws:sns:eu-west-1:123456789012:orders-failed
  AuditInvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Audit
      Qualifier: $LATEST
      MaximumEventAgeInSeconds: 60
`;
    const result = plan(template("", { resources }));
    const [orders, audit] = result.functions;
    expect(orders).toMatchObject({ alias: "prod", provisionedConcurrency: 3, eventInvokeConfig: { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: "arn:aws:sns:eu-west-1:123456789012:orders-failed" } } } });
    expect(audit).toMatchObject({ eventInvokeConfig: { MaximumEventAgeInSeconds: 60 } });

    const wrongQualifier = resources.replace("Qualifier: $LATEST", "Qualifier: live");
    expect(refusal(template("", { resources: wrongQualifier }))).toEqual([
      "AuditInvokeConfig: Qualifier: 'live' is not $LATEST: Lambent applies a template function's EventInvokeConfig to its alias, or to $LATEST when it has none",
    ]);
    const bucket = resources.replace("arn:aws:sns:eu-west-1:123456789012:orders-failed", "arn:aws:s3:::orders-failed");
    expect(refusal(template("", { resources: bucket }))).toEqual([
      "OrdersInvokeConfig: DestinationConfig.OnFailure.Destination: 'arn:aws:s3:::orders-failed' is not an SQS queue, SNS topic or function ARN: Lambent delivers destinations to nothing else",
    ]);
    const onVersion = resources.replace("      FunctionName: !Ref Orders\n  OrdersAlias", "      FunctionName: !Ref Orders\n      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: 1\n  OrdersAlias");
    expect(refusal(template("", { resources: onVersion }))[0]).toMatch(/^OrdersVersion: ProvisionedConcurrencyConfig: AWS::Lambda::Version property ProvisionedConcurrencyConfig is not supported by Lambent: the version is a new one on every deploy/);
  });
});
