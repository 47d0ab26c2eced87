// The plan a template resolves to: Lambent's functions with their routes, schedules, URLs, aliases and
// concurrency, resource-based permissions, and the stack's Outputs — everything checked, nothing deployed.
import type { AddPermissionRequest, FunctionSettings, FunctionUrlConfigRequest } from "@lambent/lambda-api";

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
  /** FunctionUrlConfig, on the alias when there is one. */
  url?: FunctionUrlConfigRequest;
  routes: RoutePlan[];
  schedules: SchedulePlan[];
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
}

export interface PlanOptions {
  /** The template's absolute path: CodeUri and Code paths resolve against its folder. */
  templatePath: string;
  stackName: string;
  parameterOverrides?: Readonly<Record<string, string>>;
  facts: DeployFacts;
}
