// The plan a template resolves to: Lambent's functions with their routes, schedules, URLs, aliases and
// concurrency, resource-based permissions, and the stack's Outputs — everything checked, nothing deployed.
import type { AddPermissionRequest, EventInvokeConfigRequest, EventSourceMappingRequest, FunctionSettings, FunctionUrlConfigRequest } from "@lambent/lambda-api";

/** Where a function's code comes from, paths absolute. */
export type CodeSource =
  | { kind: "folder"; path: string }
  | { kind: "zip"; path: string }
  /** InlineCode or Code.ZipFile: one file, `index.js`, as Lambda writes it. */
  | { kind: "inline"; fileName: string; source: string };

/** An Api or HttpApi event as a Lambent route: the prefix and its methods. */
export interface RoutePlan {
  eventId: string;
  path: string;
  /** `["ANY"]` or upper-case methods. */
  methods: string[];
}

/** An S3 or SNS event as a Lambent bucket or topic trigger, named `<function>-<EventId>`. */
export interface NotificationPlan {
  eventId: string;
  name: string;
  /** An S3 event: the Object Store bucket, its events, and key filters. */
  bucket?: { Bucket: string; Events: string[]; Prefix?: string; Suffix?: string };
  /** An SNS event: the NATS subject its topic names. */
  topic?: { Subject: string };
}

/** A Schedule or ScheduleV2 event as a Lambent schedule trigger. */
export interface SchedulePlan {
  eventId: string;
  /** The trigger's name: the event's Name, or `<function>-<EventId>`. */
  name: string;
  expression: string;
  timezone?: string;
  input?: string;
  enabled: boolean;
  description?: string;
}

/** An SQS or Kinesis event (or an AWS::Lambda::EventSourceMapping) as a Lambent event source mapping, one per source. */
export interface MappingPlan {
  /** The event's id, or the resource's logical id. */
  eventId: string;
  /** `arn:aws:sqs:…` (a queue on JetStream) or `arn:aws:kinesis:…:stream/…` (a JetStream stream). */
  eventSourceArn: string;
  /** The mapping's settings, as CreateEventSourceMapping takes them. */
  settings: EventSourceMappingRequest;
}

export interface FunctionPlan {
  logicalId: string;
  /** The FunctionName property, or `<stack>-<LogicalId>`. */
  functionName: string;
  code: CodeSource;
  role: string;
  /** Handler, Runtime, MemorySize, Timeout, Description and the rest, with SAM's defaults filled in. */
  settings: FunctionSettings & { Handler: string; Runtime: string };
  tags: Record<string, string>;
  reservedConcurrency?: number;
  /** AutoPublishAlias: a version is published on every deploy and this alias moved to it. */
  alias?: string;
  /** ProvisionedConcurrencyConfig's ProvisionedConcurrentExecutions, on the alias (SAM allows it only with one). */
  provisionedConcurrency?: number;
  /** EventInvokeConfig: retries, maximum event age and destinations, on the alias when there is one, else on $LATEST. */
  eventInvokeConfig?: EventInvokeConfigRequest;
  /** FunctionUrlConfig, on the alias when there is one. */
  url?: FunctionUrlConfigRequest;
  routes: RoutePlan[];
  schedules: SchedulePlan[];
  /** Event source mappings; absent in plans recorded before they were deployed from templates. */
  mappings?: MappingPlan[];
  /** S3 and SNS events as bucket and topic triggers; absent when the function has none. */
  notifications?: NotificationPlan[];
  /** DeploymentPreference: the alias moves to each new version gradually, run by the leading scheduler. */
  deployment?: DeploymentPlan;
}

/** A CodeDeploy Lambda deployment configuration: all at once, or a canary or linear shift every interval. */
export type TrafficRouting = { kind: "AllAtOnce" } | { kind: "Canary" | "Linear"; percentage: number; intervalMinutes: number };

/** One weight the alias gives the new version, held for `waitMinutes` before the next step. */
export interface TrafficStep {
  /** The new version's share of calls, in (0, 1]; the last step is 1. */
  weight: number;
  waitMinutes: number;
}

export type ComparisonOperator = "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

/** An AWS::CloudWatch::Alarm read over Lambent's own metrics of one function (all its versions). */
export interface AlarmPlan {
  name: string;
  functionName: string;
  /** A Resource dimension's alias or version (`function:live`): only the calls that named it. */
  qualifier?: string;
  /** An ExecutedVersion dimension's literal version: only the calls that ran on it. */
  executedVersion?: string;
  /** An ExecutedVersion dimension of `!GetAtt Fn.Version.Version`: the calls that ran on the version this deploy publishes. */
  newVersion?: true;
  metric: "Errors" | "Throttles" | "Invocations";
  /** Each datapoint is the metric's sum over this many minutes. */
  periodMinutes: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: ComparisonOperator;
}

/** A function's DeploymentPreference, resolved. */
export interface DeploymentPlan {
  /** The Type as written: a predefined configuration's name, or a custom DeploymentConfig's. */
  config: string;
  /** The alias moved. */
  alias: string;
  routing: TrafficRouting;
  steps: TrafficStep[];
  /** Function names of the hooks. */
  preTrafficHook?: string;
  postTrafficHook?: string;
  alarms: AlarmPlan[];
}

/** An AWS::Serverless::StateMachine as a Lambent workflow. */
export interface StateMachinePlan {
  logicalId: string;
  name: string;
  /** The Amazon States Language definition, as JSON text. */
  definition: string;
  roleArn: string;
  type: "STANDARD" | "EXPRESS";
  tags: Record<string, string>;
}

/** An AWS::Serverless::LayerVersion as a Lambent layer, published as a new version when it changes. */
export interface LayerPlan {
  logicalId: string;
  /** The LayerName property, or `<stack>-<LogicalId>`. */
  layerName: string;
  content: { kind: "folder" | "zip"; path: string };
  description: string;
  compatibleRuntimes?: string[];
  licenseInfo?: string;
  /** Delete: a version the stack no longer uses is deleted; Retain (SAM's default): it stays. */
  retentionPolicy: "Retain" | "Delete";
}

/** An AWS::Lambda::Permission: one statement of the function's resource-based policy. */
export interface PermissionPlan {
  logicalId: string;
  functionName: string;
  qualifier?: string;
  request: AddPermissionRequest;
}

export interface OutputPlan {
  name: string;
  description?: string;
  /** The value, or absent with `unavailable` saying why (known only after deploy, or not a thing Lambent has). */
  value?: string;
  unavailable?: string;
}

export interface TemplatePlan {
  stackName: string;
  description?: string;
  functions: FunctionPlan[];
  permissions: PermissionPlan[];
  /** Absent in revisions recorded before state machines were deployed from templates. */
  stateMachines?: StateMachinePlan[];
  /** Absent when the template has no layers. */
  layers?: LayerPlan[];
  outputs: OutputPlan[];
  /** Parts of the template accepted but without effect on Lambent (Policies, Architectures, …), one line each. */
  warnings: string[];
}

/** What the cluster tells the deployer; the values known only after deploy are absent before it. */
export interface DeployFacts {
  region: string;
  accountId: string;
  /** The URL routes are served beneath (no trailing `/`), once a route exists. */
  routeBaseUrl?: string;
  /** Each function URL by function name, once created. */
  functionUrls?: Readonly<Record<string, string>>;
  /** Each layer's version ARN by logical id, once known; a layer not here is `!Ref`'d as its pending ARN (version 0). */
  layerVersionArns?: Readonly<Record<string, string>>;
}

export interface PlanOptions {
  /** The template's absolute path: CodeUri and Code paths resolve against its folder. */
  templatePath: string;
  stackName: string;
  parameterOverrides?: Readonly<Record<string, string>>;
  facts: DeployFacts;
  /** Refuse local paths (CodeUri, ContentUri, DefinitionUri) outside the template's folder: for a folder uploaded to the cluster. */
  confineToFolder?: boolean;
}
