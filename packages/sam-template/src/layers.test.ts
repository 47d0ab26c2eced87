import { describe, expect, it } from "vitest";
import { OPTIONS, plan, refusal } from "./testing/plans.js";

const WITH_LAYER = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: shared/
      CompatibleRuntimes: [nodejs20.x]
      RetentionPolicy: delete
      Description: greetings
  Greet:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: greet/
      Handler: index.handler
      Runtime: nodejs20.x
      Layers: [!Ref Shared]
      Environment:
        Variables:
          LAYER: !Ref Shared
Outputs:
  SharedLayer:
    Value: !Ref Shared
`;

describe("AWS::Serverless::LayerVersion", () => {
  it("plans a layer named <stack>-<LogicalId>, its content beside the template, and !Ref as its pending ARN until it is published", () => {
    const result = plan(WITH_LAYER);
    expect(result.layers).toEqual([
      { logicalId: "Shared", layerName: "shop-Shared", content: { kind: "folder", path: "/apps/shop/shared" }, description: "greetings", compatibleRuntimes: ["nodejs20.x"], retentionPolicy: "Delete" },
    ]);
    const pending = "arn:aws:lambda:eu-west-1:123456789012:layer:shop-Shared:0";
    expect(result.functions[0]!.settings.Layers).toEqual([pending]);
    expect(result.functions[0]!.settings.Environment).toEqual({ Variables: { LAYER: pending } });
  });

  it("resolves !Ref to the version ARN the facts know, in functions and Outputs", () => {
    const arn = "arn:aws:lambda:eu-west-1:123456789012:layer:shop-Shared:7";
    const result = plan(WITH_LAYER, { facts: { ...OPTIONS.facts, layerVersionArns: { Shared: arn } } });
    expect(result.functions[0]!.settings.Layers).toEqual([arn]);
    expect(result.outputs).toEqual([{ name: "SharedLayer", value: arn }]);
  });

  it("takes LayerName, a zip, and Retain by default; warns for CompatibleArchitectures", () => {
    const result = plan(`
Resources:
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: deps
      ContentUri: build/deps.zip
      LicenseInfo: MIT
      CompatibleArchitectures: [arm64]
`);
    expect(result.layers).toEqual([{ logicalId: "Deps", layerName: "deps", content: { kind: "zip", path: "/apps/shop/build/deps.zip" }, description: "", licenseInfo: "MIT", retentionPolicy: "Retain" }]);
    expect(result.warnings).toEqual(["Deps: CompatibleArchitectures has no effect: Lambent runs every function on the host's architecture"]);
  });

  it("refuses S3 content, an unknown property, a bad policy or name, and two layers of one name, naming each", () => {
    expect(
      refusal(`
Resources:
  FromS3:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: { Bucket: b, Key: k }
  Url:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: s3://b/k.zip
  Odd:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: odd/
      Unknown: 1
  Policy:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: p/, RetentionPolicy: Snapshot }
  BadName:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: x/
      LayerName: has.dot
  One:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: a/, LayerName: same }
  Two:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: b/, LayerName: same }
  Plain:
    Type: AWS::Lambda::LayerVersion
    Properties: { Content: { S3Bucket: b, S3Key: k } }
`),
    ).toEqual([
      "Plain: Type: resource type AWS::Lambda::LayerVersion is not supported by Lambent: its Content is read from S3: declare the layer as an AWS::Serverless::LayerVersion with a local ContentUri",
      "FromS3: ContentUri: must be a local folder or zip file: Lambent does not read layers from S3",
      "Url: ContentUri: 's3://b/k.zip' is not a local path: Lambent does not read layers from S3 or URLs",
      "Odd: Unknown: AWS::Serverless::LayerVersion property Unknown is not supported by Lambent",
      'Policy: RetentionPolicy: must be Retain or Delete, not "Snapshot"',
      "BadName: LayerName: 'has.dot' is not a layer name: 1 to 140 letters, digits, '-' or '_'",
      "Two: LayerName: same is also the name of One",
    ]);
  });
});
