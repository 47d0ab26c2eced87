import { describe, expect, it } from "vitest";
import { plan, refusal } from "./testing/plans.js";

const FUNCTION = `
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: exports.handler = async () => 1;
      Handler: index.handler
      Runtime: nodejs20.x`;

describe("S3 and SNS events", () => {
  it("plans an S3 event on the template's bucket as a bucket trigger, and an SNS event on its topic as a topic trigger", () => {
    const result = plan(`
Resources:
  Photos:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: photos
  Orders:
    Type: AWS::SNS::Topic
  Thumbnail:${FUNCTION}
      Environment:
        Variables:
          BUCKET: !Ref Photos
          BUCKET_ARN: !GetAtt Photos.Arn
          TOPIC: !Ref Orders
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Photos
            Events: [s3:ObjectCreated:*, s3:ObjectRemoved:Delete]
            Filter:
              S3Key:
                Rules:
                  - { Name: prefix, Value: raw/ }
                  - { Name: Suffix, Value: .jpg }
        Ordered:
          Type: SNS
          Properties:
            Topic: !Ref Orders
        Elsewhere:
          Type: SNS
          Properties:
            Topic: arn:aws:sns:eu-west-1:123456789012:orders.*
`);
    const fn = result.functions[0]!;
    expect(fn.notifications).toEqual([
      { eventId: "Upload", name: "shop-Thumbnail-Upload", bucket: { Bucket: "photos", Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"], Prefix: "raw/", Suffix: ".jpg" } },
      { eventId: "Ordered", name: "shop-Thumbnail-Ordered", topic: { Subject: "shop-Orders" } },
      { eventId: "Elsewhere", name: "shop-Thumbnail-Elsewhere", topic: { Subject: "orders.*" } },
    ]);
    expect(fn.settings.Environment).toEqual({ Variables: { BUCKET: "photos", BUCKET_ARN: "arn:aws:s3:::photos", TOPIC: "arn:aws:sns:eu-west-1:123456789012:shop-Orders" } });
    expect(result.warnings).toEqual([
      "Photos: Lambent creates no buckets: this is the Object Store bucket photos, which must exist (nats object add photos) before a trigger on it is created",
      "Orders: Lambent creates no topics: this is the NATS subject shop-Orders",
    ]);
  });

  it("refuses what bucket and topic triggers cannot do, naming the resource and property", () => {
    expect(
      refusal(`
Resources:
  Dotted:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: my.photos
  Versioned:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: { Status: Enabled }
  Fifo:
    Type: AWS::SNS::Topic
    Properties: { FifoTopic: true }
  Copies:${FUNCTION}
      Events:
        Copy:
          Type: S3
          Properties: { Bucket: photos, Events: s3:ObjectCreated:Copy }
  Filtered:${FUNCTION}
      Events:
        Big:
          Type: SNS
          Properties:
            Topic: arn:aws:sns:eu-west-1:123456789012:orders
            FilterPolicy: { size: [big] }
  Twice:${FUNCTION}
      Events:
        Raw:
          Type: S3
          Properties:
            Bucket: photos
            Events: s3:ObjectCreated:*
            Filter: { S3Key: { Rules: [{ Name: prefix, Value: a/ }, { Name: prefix, Value: b/ }] } }
  NotArn:${FUNCTION}
      Events:
        Queue:
          Type: SNS
          Properties: { Topic: orders }
`),
    ).toEqual([
      "Dotted: BucketName: 'my.photos' is not an Object Store bucket name: 1 to 63 letters, digits, '-' or '_'",
      "Versioned: VersioningConfiguration: AWS::S3::Bucket property VersioningConfiguration is not supported by Lambent",
      "Fifo: FifoTopic: AWS::SNS::Topic property FifoTopic is not supported by Lambent: a subject keeps no order across its subscribers",
      "Copies: Events.Copy.Properties.Events: s3:ObjectCreated:Copy is not an event Lambent's buckets send: s3:ObjectCreated:*, s3:ObjectCreated:Put, s3:ObjectRemoved:*, s3:ObjectRemoved:Delete",
      "Filtered: Events.Big.Properties.FilterPolicy: SNS event property FilterPolicy is not supported by Lambent: a topic trigger takes every message on its subject: narrow the subject, or filter in the function",
      "Twice: Events.Raw.Properties.Filter.S3Key.Rules[1]: a second prefix rule: S3 takes one of each",
      "NotArn: Events.Queue.Properties.Topic: 'orders' is not a topic ARN: !Ref the template's AWS::SNS::Topic, or arn:aws:sns:<region>:<account>:<subject>",
    ]);
  });
});
