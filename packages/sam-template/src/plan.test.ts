import { describe, expect, it } from "vitest";
import { mergeGlobals } from "./globals.js";
import { parseParameterOverrides } from "./parameters.js";
import { OPTIONS, plan, refusal } from "./testing/plans.js";

const HELLO = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 3
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello-world/
      Handler: app.lambdaHandler
      Runtime: nodejs20.x
      Architectures: [x86_64]
      Events:
        HelloWorld:
          Type: Api
          Properties: { Path: /hello, Method: get }
Outputs:
  HelloWorldApi:
    Value: !Sub "https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/hello/"
  HelloWorldFunction:
    Value: !GetAtt HelloWorldFunction.Arn
  HelloWorldFunctionIamRole:
    Value: !GetAtt HelloWorldFunctionRole.Arn
  ApiId:
    Value: !Ref ServerlessRestApi
`;

describe("planTemplate", () => {
  it("takes a Description beside a resource's Type with a warning, as serverless-patterns' eventbridge-lambda has it, and still refuses other unknown attributes", () => {
    const described = HELLO.replace("    Type: AWS::Serverless::Function\n", "    Type: AWS::Serverless::Function\n    Description: Invoked by an API\n");
    const result = plan(described);
    expect(result.functions.map((fn) => fn.logicalId)).toEqual(["HelloWorldFunction"]);
    expect(result.warnings).toContain("HelloWorldFunction: the resource attribute Description has no effect (a function's Description goes under Properties)");
    expect(refusal(HELLO.replace("    Type: AWS::Serverless::Function\n", "    Type: AWS::Serverless::Function\n    Comment: no\n"))).toContainEqual(expect.stringContaining("HelloWorldFunction: Comment: the resource attribute Comment is not supported by Lambent"));
  });

  it("plans the sam init hello world: a function named after the stack, its route, and honest outputs", () => {
    const result = plan(HELLO);
    expect(result.functions).toHaveLength(1);
    const [fn] = result.functions;
    expect(fn).toMatchObject({
      logicalId: "HelloWorldFunction",
      functionName: "shop-HelloWorldFunction",
      code: { kind: "folder", path: "/apps/shop/hello-world" },
      role: "arn:aws:iam::123456789012:role/lambent",
      settings: { Handler: "app.lambdaHandler", Runtime: "nodejs20.x", Timeout: 3, MemorySize: 128, Environment: { Variables: {} } },
      routes: [{ eventId: "HelloWorld", path: "/hello", methods: ["GET"] }],
      schedules: [],
      tags: { "lambent:stack": "shop", "lambent:logical-id": "HelloWorldFunction" },
    });
    expect(result.warnings).toEqual([expect.stringMatching(/^HelloWorldFunction: Architectures has no effect/)]);
    const outputs = Object.fromEntries(result.outputs.map((output) => [output.name, output]));
    expect(outputs.HelloWorldApi).toEqual({ name: "HelloWorldApi", unavailable: expect.stringMatching(/known after the deploy/) });
    expect(outputs.HelloWorldFunction!.value).toBe("arn:aws:lambda:eu-west-1:123456789012:function:shop-HelloWorldFunction");
    expect(outputs.HelloWorldFunctionIamRole!.value).toBe("arn:aws:iam::123456789012:role/lambent");
    expect(outputs.ApiId!.unavailable).toMatch(/ServerlessRestApi is API Gateway's id/);
  });

  it("plans Python functions: python3.12 from a folder, and inline code written as index.py", () => {
    const result = plan(`
Resources:
  Greeter:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: greeter, Handler: app.lambda_handler, Runtime: python3.12 }
  Inline:
    Type: AWS::Lambda::Function
    Properties: { Handler: index.handler, Runtime: python3.12, Role: arn:aws:iam::123456789012:role/lambent, Code: { ZipFile: "def handler(event, context):\\n    return event" } }
`);
    const [greeter, inline] = result.functions;
    expect(greeter).toMatchObject({ code: { kind: "folder", path: "/apps/shop/greeter" }, settings: { Handler: "app.lambda_handler", Runtime: "python3.12" } });
    expect(inline).toMatchObject({ code: { kind: "inline", fileName: "index.py" }, settings: { Handler: "index.handler", Runtime: "python3.12" } });
  });

  it("resolves the API URL output to the route base once it is known", () => {
    const result = plan(HELLO, { facts: { ...OPTIONS.facts, routeBaseUrl: "http://10.0.0.5:8080" } });
    expect(result.outputs.find((output) => output.name === "HelloWorldApi")!.value).toBe("http://10.0.0.5:8080/hello/");
  });

  it("resolves Ref, Sub, GetAtt, Join, Select, Split, FindInMap, If and pseudo parameters in properties", () => {
    const result = plan(`
Parameters:
  Stage: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Sizes: { Type: CommaDelimitedList, Default: "256,512" }
Mappings:
  Tiers: { dev: { Memory: 128 }, prod: { Memory: 1024 } }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition NotProd, !Or [!Equals [a, a], !Equals [a, b]]]
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./api
      Handler: index.handler
      Runtime: nodejs22.x
      MemorySize: !FindInMap [Tiers, !Ref Stage, Memory]
      Description: !Join ["-", [!Ref Stage, !Select [1, !Ref Sizes], !Select [0, !Split [":", "a:b"]]]]
      Environment:
        Variables:
          WORKER: !Ref Worker
          WORKER_ARN: !GetAtt Worker.Arn
          WHERE: !Sub "\${AWS::StackName} in \${AWS::Region} on \${AWS::Partition} for \${AWS::AccountId}"
          LITERAL: !Sub "\${!NotAVariable} \${Name}"
          NAMED: !Sub ["\${Greeting}", { Greeting: hi }]
          PROD_ONLY: !If [IsProd, "yes", !Ref AWS::NoValue]
          BOTH: !If [Both, "both", "neither"]
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "\${AWS::StackName}-worker-\${Stage}"
      Code: { ZipFile: "exports.handler = async () => 1;" }
      Handler: index.handler
      Runtime: nodejs20.x
`.replace("${Name}", "${Stage}"));
    const api = result.functions.find((fn) => fn.logicalId === "Api")!;
    expect(api.settings.MemorySize).toBe(128);
    expect(api.settings.Description).toBe("dev-512-a");
    expect(api.settings.Environment!.Variables).toEqual({
      WORKER: "shop-worker-dev",
      WORKER_ARN: "arn:aws:lambda:eu-west-1:123456789012:function:shop-worker-dev",
      WHERE: "shop in eu-west-1 on aws for 123456789012",
      LITERAL: "${NotAVariable} dev",
      NAMED: "hi",
      BOTH: "both",
    });
    const worker = result.functions.find((fn) => fn.logicalId === "Worker")!;
    expect(worker.code).toEqual({ kind: "inline", fileName: "index.js", source: "exports.handler = async () => 1;" });
  });

  it("takes parameter overrides, holding them to AllowedValues, patterns and number bounds", () => {
    const template = `
Parameters:
  Stage: { Type: String, AllowedValues: [dev, prod] }
  Memory: { Type: Number, Default: 256, MinValue: 128, MaxValue: 1024 }
  Prefix: { Type: String, Default: app, AllowedPattern: "[a-z]+" }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      MemorySize: !Ref Memory
      FunctionName: !Sub "\${Prefix}-\${Stage}"
  ProdOnly:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties: { CodeUri: fn, Handler: index.handler, Runtime: nodejs20.x }
`;
    const prod = plan(template, { parameterOverrides: parseParameterOverrides(["Stage=prod", "ParameterKey=Memory,ParameterValue=512"]) });
    expect(prod.functions.map((fn) => [fn.functionName, fn.settings.MemorySize])).toEqual([
      ["app-prod", 512],
      ["shop-ProdOnly", 128],
    ]);
    expect(plan(template, { parameterOverrides: { Stage: "dev" } }).functions.map((fn) => fn.logicalId)).toEqual(["Fn"]);
    expect(refusal(template)).toEqual(["Parameters.Stage: has no Default, so it must be given: --parameter-overrides Stage=VALUE"]);
    expect(refusal(template, { parameterOverrides: { Stage: "qa" } })).toEqual(["Parameters.Stage: 'qa' is not one of AllowedValues dev, prod"]);
    expect(refusal(template, { parameterOverrides: { Stage: "dev", Memory: "2048", Prefix: "App", Extra: "1" } })).toEqual([
      "Parameters.Extra: is given in --parameter-overrides but the template declares no such parameter",
      "Parameters.Memory: 2048 is above MaxValue 1024",
      "Parameters.Prefix: 'App' does not match AllowedPattern [a-z]+",
    ]);
  });

  it("merges Globals as SAM does: maps key by key, lists appended, scalars replaced", () => {
    const result = plan(`
Globals:
  Function:
    Runtime: nodejs18.x
    Handler: index.handler
    MemorySize: 256
    Environment: { Variables: { TABLE: orders, STAGE: dev } }
    Layers: ["arn:aws:lambda:eu-west-1:123456789012:layer:base:1"]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn.zip
      Runtime: nodejs20.x
      Environment: { Variables: { STAGE: prod } }
      Layers: ["arn:aws:lambda:eu-west-1:123456789012:layer:extra:2"]
`);
    expect(result.functions[0]).toMatchObject({
      code: { kind: "zip", path: "/apps/shop/fn.zip" },
      settings: {
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        MemorySize: 256,
        Environment: { Variables: { TABLE: "orders", STAGE: "prod" } },
        Layers: ["arn:aws:lambda:eu-west-1:123456789012:layer:base:1", "arn:aws:lambda:eu-west-1:123456789012:layer:extra:2"],
      },
    });
    expect(mergeGlobals({ A: { Ref: "X" } }, { A: { Ref: "Y" } })).toEqual({ A: { Ref: "Y" } });
  });

  it("plans routes, schedules, an alias, a function URL, reserved concurrency and a permission", () => {
    const result = plan(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
      ReservedConcurrentExecutions: 5
      FunctionUrlConfig: { AuthType: NONE, Cors: { AllowOrigins: ["*"], MaxAge: 60 } }
      Events:
        Proxy: { Type: HttpApi, Properties: { Path: "/shop/{proxy+}", Method: ANY } }
        Everything: { Type: HttpApi }
        Nightly: { Type: Schedule, Properties: { Schedule: "cron(0 2 * * ? *)", Input: '{"job":"nightly"}' } }
        Berlin: { Type: ScheduleV2, Properties: { ScheduleExpression: "rate(5 minutes)", ScheduleExpressionTimezone: Europe/Berlin, State: DISABLED, FlexibleTimeWindow: { Mode: "OFF" } } }
  Allow:
    Type: AWS::Lambda::Permission
    Properties: { Action: "lambda:InvokeFunction", FunctionName: !GetAtt Fn.Arn, Principal: "123456789012" }
Outputs:
  Alias: { Value: !Ref FnAliaslive }
  Url: { Value: !GetAtt FnUrl.FunctionUrl }
`, { facts: { ...OPTIONS.facts, functionUrls: { "shop-Fn": "http://x/lambent-url/abc/" } } });
    expect(result.functions[0]).toMatchObject({
      alias: "live",
      reservedConcurrency: 5,
      url: { AuthType: "NONE", Cors: { AllowOrigins: ["*"], MaxAge: 60 } },
      routes: [
        { eventId: "Proxy", path: "/shop", methods: ["ANY"] },
        { eventId: "Everything", path: "/", methods: ["ANY"] },
      ],
      schedules: [
        { eventId: "Nightly", name: "shop-Fn-Nightly", expression: "cron(0 2 * * ? *)", input: '{"job":"nightly"}', enabled: true },
        { eventId: "Berlin", name: "shop-Fn-Berlin", expression: "rate(5 minutes)", timezone: "Europe/Berlin", enabled: false },
      ],
    });
    expect(result.permissions).toEqual([{ logicalId: "Allow", functionName: "shop-Fn", request: { StatementId: "Allow", Action: "lambda:InvokeFunction", Principal: "123456789012" } }]);
    expect(result.outputs).toEqual([
      { name: "Alias", value: "arn:aws:lambda:eu-west-1:123456789012:function:shop-Fn:live" },
      { name: "Url", value: "http://x/lambent-url/abc/" },
    ]);
  });

  it("plans SQS and Kinesis events and AWS::Lambda::EventSourceMapping resources as event source mappings of their function", () => {
    const planned = plan(`
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Jobs:
          Type: SQS
          Properties: { Queue: arn:aws:sqs:eu-west-1:123456789012:jobs, BatchSize: 5, FunctionResponseTypes: [ReportBatchItemFailures], ScalingConfig: { MaximumConcurrency: 4 } }
        Clicks:
          Type: Kinesis
          Properties: { Stream: arn:aws:kinesis:eu-west-1:123456789012:stream/clicks, StartingPosition: TRIM_HORIZON, MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Type: SQS, Destination: arn:aws:sqs:eu-west-1:123456789012:failed } } }
  Orders:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: arn:aws:sqs:eu-west-1:123456789012:orders
      Enabled: false
      FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] }
`);
    expect(planned.functions[0]!.mappings).toEqual([
      { eventId: "Jobs", eventSourceArn: "arn:aws:sqs:eu-west-1:123456789012:jobs", settings: { BatchSize: 5, FunctionResponseTypes: ["ReportBatchItemFailures"], ScalingConfig: { MaximumConcurrency: 4 } } },
      { eventId: "Clicks", eventSourceArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks", settings: { StartingPosition: "TRIM_HORIZON", MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:eu-west-1:123456789012:failed" } } } },
      { eventId: "Orders", eventSourceArn: "arn:aws:sqs:eu-west-1:123456789012:orders", settings: { Enabled: false, FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] } } },
    ]);
    expect(refusal(`
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Jobs: { Type: SQS, Properties: { Queue: arn:aws:sqs:eu-west-1:123456789012:jobs, KmsKeyArn: k } }
        Clicks: { Type: Kinesis, Properties: { Stream: arn:aws:kinesis:eu-west-1:123456789012:stream/clicks } }
  Elsewhere:
    Type: AWS::Lambda::EventSourceMapping
    Properties: { FunctionName: other-function, EventSourceArn: arn:aws:sqs:eu-west-1:123456789012:jobs }
  Table:
    Type: AWS::Lambda::EventSourceMapping
    Properties: { FunctionName: !Ref Worker, EventSourceArn: arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/x }
`)).toEqual([
      "Worker: Events.Jobs.Properties.KmsKeyArn: SQS event property KmsKeyArn is not supported by Lambent",
      "Elsewhere: FunctionName: names other-function, which is not a function of this template",
      "Table: EventSourceArn: Lambent has no DynamoDB streams: its mappings read JetStream queues (arn:aws:sqs:…) and streams (arn:aws:kinesis:…:stream/…)",
    ]);
  });

  it("plans an AWS::Lambda::Alias on the template's AWS::Lambda::Version of a function as the function's alias", () => {
    const planned = plan(`
Resources:
  Worker:
    Type: AWS::Lambda::Function
    Properties: { Code: { ZipFile: "exports.handler = async () => 1;" }, Handler: index.handler, Runtime: nodejs20.x, Role: arn:aws:iam::123456789012:role/r }
  WorkerVersion:
    Type: AWS::Lambda::Version
    Properties: { FunctionName: !Ref Worker }
  Live:
    Type: AWS::Lambda::Alias
    Properties: { FunctionName: !Ref Worker, FunctionVersion: !GetAtt WorkerVersion.Version, Name: live }
Outputs:
  LiveArn: { Value: !Ref Live }
  Version: { Value: !GetAtt WorkerVersion.Version }
`);
    expect(planned.functions[0]!.alias).toBe("live");
    expect(planned.outputs).toEqual([
      { name: "LiveArn", value: "arn:aws:lambda:eu-west-1:123456789012:function:shop-Worker:live" },
      { name: "Version", unavailable: "the version WorkerVersion is known after the deploy" },
    ]);
    expect(refusal(`
Resources:
  Worker:
    Type: AWS::Lambda::Function
    Properties: { Code: { ZipFile: "exports.handler = async () => 1;" }, Handler: index.handler, Runtime: nodejs20.x, Role: arn:aws:iam::123456789012:role/r }
  Pinned:
    Type: AWS::Lambda::Alias
    Properties: { FunctionName: !Ref Worker, FunctionVersion: "1", Name: pinned }
  Weighted:
    Type: AWS::Lambda::Alias
    Properties: { FunctionName: !Ref Worker, FunctionVersion: "1", Name: w, RoutingConfig: { AdditionalVersionWeights: [] } }
`)).toEqual([
      "Pinned: FunctionVersion: must be !GetAtt <Version>.Version of an AWS::Lambda::Version of the template: the version each deploy freezes",
      "Weighted: RoutingConfig: AWS::Lambda::Alias property RoutingConfig is not supported by Lambent: weighted aliases are not deployed from templates",
    ]);
  });

  it("plans an AWS::Serverless::StateMachine with its substitutions, name, role and tags; refuses its Events", () => {
    const planned = plan(`
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: fn, Handler: index.handler, Runtime: nodejs20.x }
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Policies: [AWSLambdaRole]
      DefinitionSubstitutions: { WorkerArn: !GetAtt Worker.Arn }
      Definition:
        StartAt: Work
        States:
          Work: { Type: Task, Resource: "\${WorkerArn}", End: true }
Outputs:
  FlowArn: { Value: !Ref Flow }
`);
    expect(planned.stateMachines).toEqual([
      {
        logicalId: "Flow",
        name: "shop-Flow",
        definition: JSON.stringify({ StartAt: "Work", States: { Work: { Type: "Task", Resource: "arn:aws:lambda:eu-west-1:123456789012:function:shop-Worker", End: true } } }),
        roleArn: "arn:aws:iam::123456789012:role/lambent",
        type: "EXPRESS",
        tags: { "lambent:stack": "shop", "lambent:logical-id": "Flow" },
      },
    ]);
    expect(planned.outputs).toEqual([{ name: "FlowArn", value: "arn:aws:states:eu-west-1:123456789012:stateMachine:shop-Flow" }]);
    expect(planned.warnings).toContain("Flow: Policies has no effect: Lambent does not create IAM roles");
    expect(refusal(`
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: { StartAt: A, States: { A: { Type: Succeed } } }
      Events: { Nightly: { Type: Schedule, Properties: { Schedule: rate(1 day) } } }
`)).toEqual(["Flow: Events: AWS::Serverless::StateMachine property Events is not supported by Lambent: start executions with lambent workflow or a function's schedule"]);
  });

  it("refuses what Lambent cannot do, naming the resource and the property or type, every problem at once", () => {
    const lines = refusal(`
Resources:
  Good:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: fn, Handler: index.handler, Runtime: nodejs20.x }
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: orders }
  Queue:
    Type: AWS::SQS::Queue
  Python:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: fn, Handler: app.handler, Runtime: python3.11 }
  Vpc:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: fn, Handler: index.handler, Runtime: nodejs20.x, VpcConfig: { SubnetIds: [a] } }
  Canary:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: fn, Handler: index.handler, Runtime: nodejs20.x, AutoPublishAlias: live, DeploymentPreference: { Type: Canary10Percent5Minutes, TriggerConfigurations: [] } }
  Queued:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Jobs: { Type: DynamoDB, Properties: { Stream: arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/x, StartingPosition: LATEST } }
        Item: { Type: Api, Properties: { Path: "/items/{id}", Method: get } }
  FromS3:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: s3://bucket/key.zip, Handler: index.handler, Runtime: nodejs20.x }
`);
    expect(lines).toEqual([
      "Table: Type: resource type AWS::DynamoDB::Table is not supported by Lambent: Lambent has no DynamoDB",
      "Queue: Type: resource type AWS::SQS::Queue is not supported by Lambent",
      "Python: Runtime: python3.11 is not a runtime Lambent runs: Lambent runs Node.js 18 and later (nodejs18.x, nodejs20.x, nodejs22.x) and python3.12",
      "Vpc: VpcConfig: AWS::Serverless::Function property VpcConfig is not supported by Lambent: Lambent runs functions in isolates, without VPCs",
      "Queued: Events.Jobs.Type: event type DynamoDB is not supported by Lambent: Lambent's event source mappings read JetStream queues (SQS) and streams (Kinesis); it has no DynamoDB streams",
      "FromS3: CodeUri: 's3://bucket/key.zip' is not a local path: Lambent does not read code from S3 or URLs",
      "Canary: DeploymentPreference.TriggerConfigurations: is not supported by Lambent",
    ]);
    expect(refusal(`
Resources:
  Item:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Get: { Type: Api, Properties: { Path: "/items/{id}", Method: get } }
`)).toEqual(["Item: Events.Get.Properties.Path: '/items/{id}': a path parameter other than a trailing {proxy+} is not supported by Lambent's routes, which match a prefix"]);
  });

  it("refuses two functions on one path and method, a bad reference, a bad schedule and an unknown section", () => {
    expect(refusal(`
Transform: AWS::LanguageExtensions
Rules: {}
Globals:
  Api: { Cors: "'*'" }
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: a
      Handler: index.handler
      Runtime: nodejs20.x
      Environment: { Variables: { TABLE: !Ref Missing } }
`)).toEqual([
      "Rules: the template section Rules is not supported by Lambent",
      'Transform: "AWS::LanguageExtensions" is not supported by Lambent: only AWS::Serverless-2016-10-31',
      "Globals.Api: Globals for Api are not supported by Lambent: only Globals.Function",
    ]);
    expect(refusal(`
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: a
      Handler: index.handler
      Runtime: nodejs20.x
      Environment: { Variables: { TABLE: !Ref Missing } }
      Events:
        Root: { Type: Api, Properties: { Path: /orders, Method: get } }
  B:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: b
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Root: { Type: HttpApi, Properties: { Path: "/orders/{proxy+}", Method: any } }
        Tick: { Type: Schedule, Properties: { Schedule: "every day" } }
`)).toEqual([
      "A: Environment.Variables.TABLE: Ref Missing names no parameter or resource of the template",
      expect.stringMatching(/^B: Events\.Tick\.Properties\.Schedule: 'every day' is not a schedule expression/),
    ]);
    expect(refusal(`
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: a
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Root: { Type: Api, Properties: { Path: /orders, Method: get } }
  B:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: b
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Root: { Type: HttpApi, Properties: { Path: "/orders/{proxy+}", Method: any } }
`)).toEqual(["B: Events.Root: ANY /orders is also served by A.Events.Root: a path and method belong to one route"]);
  });

  it("serves the events of explicit APIs as routes, and points their URL outputs at them", () => {
    const template = `
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
  RestApi:
    Type: AWS::Serverless::Api
    Properties: { StageName: prod }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Post: { Type: HttpApi, Properties: { Path: /, Method: post, ApiId: !Ref HttpApi } }
        Items: { Type: Api, Properties: { Path: /items, Method: get, RestApiId: !Ref RestApi } }
Outputs:
  HttpUrl: { Value: !Sub "https://\${HttpApi}.execute-api.\${AWS::Region}.amazonaws.com/" }
  RestUrl: { Value: !Sub "https://\${RestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/prod/items" }
  Id: { Value: !Ref HttpApi }
`;
    const result = plan(template, { facts: { ...OPTIONS.facts, routeBaseUrl: "http://lambent:8080" } });
    expect(result.functions[0]!.routes).toEqual([
      { eventId: "Post", path: "/", methods: ["POST"] },
      { eventId: "Items", path: "/items", methods: ["GET"] },
    ]);
    expect(result.outputs).toEqual([
      { name: "HttpUrl", value: "http://lambent:8080/" },
      { name: "RestUrl", value: "http://lambent:8080/items" },
      { name: "Id", unavailable: expect.stringMatching(/^HttpApi is API Gateway's id/) },
    ]);
    expect(refusal(`
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties: { CorsConfiguration: { AllowOrigins: ["*"] } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Post: { Type: HttpApi, Properties: { Path: /, Method: post, ApiId: some-api-id } }
`)).toEqual([
      "HttpApi: CorsConfiguration: AWS::Serverless::HttpApi property CorsConfiguration is not supported by Lambent: an API's events are served as plain routes",
      "Fn: Events.Post.Properties.ApiId: HttpApi event property ApiId is not supported by Lambent",
    ]);
  });

  it("takes an IAM role as the name its functions run as, with a warning that its policies are not applied", () => {
    const result = plan(`
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Path: /service/
      AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }] }
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      Role: !GetAtt Role.Arn
`);
    expect(result.functions[0]!.role).toBe("arn:aws:iam::123456789012:role/service/shop-Role");
    expect(result.warnings).toEqual([expect.stringMatching(/^Role: Lambent does not create IAM roles: functions run as arn:aws:iam::123456789012:role\/service\/shop-Role/)]);
    expect(refusal(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Poll:
          Type: ScheduleV2
          Properties: { ScheduleExpression: "rate(1 hour)", RetryPolicy: { MaximumRetryAttempts: 0 } }
`)).toEqual([
      "Fn: Events.Poll.Properties.RetryPolicy: ScheduleV2 event property RetryPolicy is not supported by Lambent: a schedule's events are retried as the function's asynchronous events are: set them with lambent event-config",
    ]);
  });

  it("names the reason when a property refers to a refused resource or one whose Condition is false", () => {
    expect(refusal(`
Parameters:
  Stage: { Type: String, Default: dev }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Jobs: { Type: AWS::SQS::Queue }
  Audit:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties: { CodeUri: a, Handler: index.handler, Runtime: nodejs20.x }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: w
      Handler: index.handler
      Runtime: nodejs20.x
      Environment: { Variables: { QUEUE: !Ref Jobs, AUDIT: !GetAtt Audit.Arn } }
`)).toEqual([
      "Jobs: Type: resource type AWS::SQS::Queue is not supported by Lambent",
      "Worker: Environment.Variables.QUEUE: refers to Jobs, of the type AWS::SQS::Queue, which Lambent does not support",
    ]);
    expect(refusal(`
Conditions:
  Never: !Equals [a, b]
Resources:
  Audit:
    Type: AWS::Serverless::Function
    Condition: Never
    Properties: { CodeUri: a, Handler: index.handler, Runtime: nodejs20.x }
  Worker:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: w, Handler: index.handler, Runtime: nodejs20.x, Description: !GetAtt Audit.Arn }
`)).toEqual(["Worker: Description: refers to Audit, which is left out: its Condition Never is false"]);
  });

  it("refuses a template whose last function has an error, so none of it is planned", () => {
    const lines = refusal(`
Resources:
  First: { Type: AWS::Serverless::Function, Properties: { CodeUri: a, Handler: index.handler, Runtime: nodejs20.x } }
  Second: { Type: AWS::Serverless::Function, Properties: { CodeUri: b, Handler: index.handler, Runtime: nodejs20.x } }
  Last: { Type: AWS::Serverless::Function, Properties: { CodeUri: c, Handler: index.handler, Runtime: nodejs20.x, MemorySize: 20000 } }
`);
    expect(lines).toEqual(["Last: MemorySize: must be a whole number from 128 to 10240, not 20000"]);
  });
});
