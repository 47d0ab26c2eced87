// AWS::Serverless::LayerVersion as a Lambent layer version (PublishLayerVersion): its content (a local
// folder or zip), name, description, runtimes, licence and RetentionPolicy. `!Ref` of it is the version's
// ARN, which a deploy knows once the version is published; until then it is the pending ARN, version 0,
// which no layer version has.
import { ResolveError } from "./errors.js";
import { localPath, type TemplateFolder } from "./local-path.js";
import type { LayerPlan } from "./model.js";
import { shortHash, text, type Properties } from "./values.js";

export const LAYER_TYPE = "AWS::Serverless::LayerVersion";
const LAYER_NAME = /^[A-Za-z0-9_-]{1,140}$/;
/** Lambda numbers versions from 1: version 0 stands for one not published yet. */
export const PENDING_LAYER_VERSION = 0;

const USED = new Set(["ContentUri", "LayerName", "Description", "CompatibleRuntimes", "LicenseInfo", "RetentionPolicy"]);
/** Accepted without effect, with a warning. */
const WITHOUT_EFFECT: Readonly<Record<string, string>> = {
  CompatibleArchitectures: "Lambent runs every function on the host's architecture",
};

export interface LayerContext {
  logicalId: string;
  layerName: string;
  templateFolder: TemplateFolder;
  warnings: string[];
}

/** `<stack>-<LogicalId>`, cut to 140 characters with a hash to keep it unique. */
export function defaultLayerName(stackName: string, logicalId: string): string {
  const name = `${stackName}-${logicalId}`;
  return name.length <= 140 ? name : `${name.slice(0, 131)}-${shortHash(name)}`;
}

export function checkLayerName(name: string): string {
  if (!LAYER_NAME.test(name)) throw new ResolveError(`'${name}' is not a layer name: 1 to 140 letters, digits, '-' or '_'`, "LayerName");
  return name;
}

/** The layer version's ARN; PENDING_LAYER_VERSION until the deploy has published it. */
export function layerVersionArn(region: string, accountId: string, layerName: string, version: number): string {
  return `arn:aws:lambda:${region}:${accountId}:layer:${layerName}:${version}`;
}

export function planLayer(properties: Properties, context: LayerContext): LayerPlan {
  for (const key of Object.keys(properties)) {
    if (USED.has(key)) continue;
    const because = Object.hasOwn(WITHOUT_EFFECT, key) ? WITHOUT_EFFECT[key] : undefined;
    if (because === undefined) throw new ResolveError(`${LAYER_TYPE} property ${key} is not supported by Lambent`, key);
    context.warnings.push(`${context.logicalId}: ${key} has no effect: ${because}`);
  }
  if (properties.ContentUri === undefined) throw new ResolveError("is required: the folder or zip of the layer's files", "ContentUri");
  if (typeof properties.ContentUri !== "string") throw new ResolveError("must be a local folder or zip file: Lambent does not read layers from S3", "ContentUri");
  const uri = properties.ContentUri;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new ResolveError(`'${uri}' is not a local path: Lambent does not read layers from S3 or URLs`, "ContentUri");
  const path = localPath(uri, context.templateFolder, "ContentUri");
  const plan: LayerPlan = {
    logicalId: context.logicalId,
    layerName: context.layerName,
    content: /\.zip$/i.test(uri) ? { kind: "zip", path } : { kind: "folder", path },
    description: properties.Description === undefined ? "" : text(properties.Description, "Description"),
    retentionPolicy: "Retain",
  };
  if (properties.CompatibleRuntimes !== undefined) {
    if (!Array.isArray(properties.CompatibleRuntimes)) throw new ResolveError("must be a list of runtimes", "CompatibleRuntimes");
    plan.compatibleRuntimes = properties.CompatibleRuntimes.map((runtime, index) => text(runtime, `CompatibleRuntimes[${index}]`));
  }
  if (properties.LicenseInfo !== undefined) plan.licenseInfo = text(properties.LicenseInfo, "LicenseInfo");
  if (properties.RetentionPolicy !== undefined) {
    // SAM reads the policy without regard to case.
    const policy = text(properties.RetentionPolicy, "RetentionPolicy").toLowerCase();
    if (policy !== "retain" && policy !== "delete") throw new ResolveError(`must be Retain or Delete, not ${JSON.stringify(properties.RetentionPolicy)}`, "RetentionPolicy");
    plan.retentionPolicy = policy === "retain" ? "Retain" : "Delete";
  }
  return plan;
}
