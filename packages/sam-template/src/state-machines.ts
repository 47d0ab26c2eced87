// AWS::Serverless::StateMachine as a Lambent workflow (Step Functions' API, docs/workflows.md): its
// definition (inline, or a local JSON or YAML file) with DefinitionSubstitutions applied, name, role, type
// and tags. What Lambent's workflows have nothing for is refused, naming the property.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ResolveError } from "./errors.js";
import { localPath, type TemplateFolder } from "./local-path.js";
import type { Resolved } from "./intrinsics.js";
import type { StateMachinePlan } from "./model.js";
import { map, oneOf, text, type Properties } from "./values.js";

export const STATE_MACHINE_TYPE = "AWS::Serverless::StateMachine";
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const ACCEPTED: ReadonlySet<string> = new Set(["Definition", "DefinitionUri", "DefinitionSubstitutions", "Name", "Role", "Type", "Tags"]);
/** Accepted without effect, with a warning. */
const WITHOUT_EFFECT: Readonly<Record<string, string>> = {
  Policies: "Lambent does not create IAM roles",
  PermissionsBoundary: "Lambent does not create IAM roles",
  Logging: "executions are logged to their history",
  Tracing: "executions are traced with Lambent's own spans",
};

export interface StateMachineContext {
  logicalId: string;
  name: string;
  templateFolder: TemplateFolder;
  defaultRole: string;
  stackName: string;
  warnings: string[];
}

/** `<stack>-<LogicalId>`, cut to 80 characters (Step Functions' limit). */
export function defaultStateMachineName(stackName: string, logicalId: string): string {
  return `${stackName}-${logicalId}`.slice(0, 80);
}

export function planStateMachine(properties: Properties, context: StateMachineContext): StateMachinePlan {
  for (const key of Object.keys(properties)) {
    if (ACCEPTED.has(key)) continue;
    const because = WITHOUT_EFFECT[key];
    if (because !== undefined) {
      context.warnings.push(`${context.logicalId}: ${key} has no effect: ${because}`);
      continue;
    }
    throw new ResolveError(`${STATE_MACHINE_TYPE} property ${key} is not supported by Lambent${key === "Events" ? ": start executions with lambent workflow or a function's schedule" : ""}`, key);
  }
  if ((properties.Definition === undefined) === (properties.DefinitionUri === undefined)) throw new ResolveError("give exactly one of Definition and DefinitionUri", "Definition");
  let definition: Resolved = properties.Definition ?? readDefinition(properties.DefinitionUri, context.templateFolder);
  if (properties.DefinitionSubstitutions !== undefined) {
    const substitutions = map(properties.DefinitionSubstitutions, "DefinitionSubstitutions");
    const values = Object.fromEntries(Object.entries(substitutions).map(([key, value]) => [key, text(value, `DefinitionSubstitutions.${key}`)]));
    definition = substitute(definition, values);
  }
  if (!STATE_MACHINE_NAME.test(context.name)) throw new ResolveError(`'${context.name}' is not a state machine name: 1 to 80 letters, digits, '-' or '_'`, "Name");
  const tags = properties.Tags === undefined ? {} : Object.fromEntries(Object.entries(map(properties.Tags, "Tags")).map(([key, value]) => [key, text(value, `Tags.${key}`)]));
  return {
    logicalId: context.logicalId,
    name: context.name,
    definition: JSON.stringify(definition),
    roleArn: properties.Role === undefined ? context.defaultRole : text(properties.Role, "Role"),
    type: properties.Type === undefined ? "STANDARD" : oneOf(properties.Type, ["STANDARD", "EXPRESS"], "Type"),
    tags: { ...tags, "lambent:stack": context.stackName, "lambent:logical-id": context.logicalId },
  };
}

function readDefinition(uri: Resolved | undefined, folder: TemplateFolder): Resolved {
  const path = text(uri, "DefinitionUri");
  if (/^(s3|https?):\/\//.test(path)) throw new ResolveError(`'${path}' is not a local path: Lambent does not read definitions from S3 or URLs`, "DefinitionUri");
  const file = localPath(path, folder, "DefinitionUri");
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    throw new ResolveError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, "DefinitionUri");
  }
  try {
    return parse(source) as Resolved;
  } catch (error) {
    throw new ResolveError(`${path} is not JSON or YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`, "DefinitionUri");
  }
}

/** `${Key}` in every string of the definition replaced by the substitution's value, as SAM does. */
function substitute(value: Resolved, substitutions: Record<string, string>): Resolved {
  if (typeof value === "string") return value.replace(/\$\{([^}]+)\}/g, (whole, key: string) => substitutions[key] ?? whole);
  if (Array.isArray(value)) return value.map((item) => substitute(item, substitutions));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item as Resolved, substitutions)]));
  return value;
}
