// Regenerates src/generated/service-model.ts from the committed copy of Lambda's service model
// (model/lambda-2015-03-31.json). With `--from <service-2.json[.gz]>` it first refreshes that copy from a
// full botocore model: the operations Lambent serves, every shape they reach, documentation left out.
// Usage: node scripts/generate.mjs [--from path] [outFile]   (outFile defaults to src/generated/service-model.ts)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const modelFile = join(packageDir, "model", "lambda-2015-03-31.json");

/** The operations Lambent serves; the copy of the model holds these and the shapes they reach. */
const OPERATIONS = [
  "AddLayerVersionPermission",
  "AddPermission",
  "CreateAlias",
  "CreateCodeSigningConfig",
  "CreateEventSourceMapping",
  "CreateFunction",
  "CreateFunctionUrlConfig",
  "DeleteAlias",
  "DeleteCodeSigningConfig",
  "DeleteEventSourceMapping",
  "DeleteFunction",
  "DeleteFunctionCodeSigningConfig",
  "DeleteFunctionConcurrency",
  "DeleteFunctionEventInvokeConfig",
  "DeleteFunctionUrlConfig",
  "DeleteLayerVersion",
  "DeleteProvisionedConcurrencyConfig",
  "GetAccountSettings",
  "GetAlias",
  "GetCodeSigningConfig",
  "GetEventSourceMapping",
  "GetFunction",
  "GetFunctionCodeSigningConfig",
  "GetFunctionConcurrency",
  "GetFunctionConfiguration",
  "GetFunctionEventInvokeConfig",
  "GetFunctionUrlConfig",
  "GetLayerVersion",
  "GetLayerVersionByArn",
  "GetLayerVersionPolicy",
  "GetPolicy",
  "GetProvisionedConcurrencyConfig",
  "GetRuntimeManagementConfig",
  "Invoke",
  "InvokeWithResponseStream",
  "ListAliases",
  "ListCodeSigningConfigs",
  "ListEventSourceMappings",
  "ListFunctionEventInvokeConfigs",
  "ListFunctionUrlConfigs",
  "ListFunctions",
  "ListFunctionsByCodeSigningConfig",
  "ListLayerVersions",
  "ListLayers",
  "ListProvisionedConcurrencyConfigs",
  "ListTags",
  "ListVersionsByFunction",
  "PublishLayerVersion",
  "PublishVersion",
  "PutFunctionCodeSigningConfig",
  "PutFunctionConcurrency",
  "PutFunctionEventInvokeConfig",
  "PutProvisionedConcurrencyConfig",
  "RemoveLayerVersionPermission",
  "RemovePermission",
  "TagResource",
  "UntagResource",
  "UpdateAlias",
  "UpdateCodeSigningConfig",
  "UpdateEventSourceMapping",
  "UpdateFunctionCode",
  "UpdateFunctionConfiguration",
  "UpdateFunctionEventInvokeConfig",
  "UpdateFunctionUrlConfig",
];

const args = process.argv.slice(2);
const fromIndex = args.indexOf("--from");
if (fromIndex >= 0) {
  const source = args[fromIndex + 1];
  if (!source) throw new Error("--from needs the path of botocore's lambda/2015-03-31/service-2.json (or .json.gz)");
  args.splice(fromIndex, 2);
  writeFileSync(modelFile, `${JSON.stringify(extract(readModel(source)), null, 2)}\n`);
}
const outFile = resolve(args[0] ?? join(packageDir, "src", "generated", "service-model.ts"));
const model = JSON.parse(readFileSync(modelFile, "utf8"));
checkPatterns(model);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, render(model));

function readModel(path) {
  const bytes = readFileSync(path);
  return JSON.parse((path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"));
}

/** The operations Lambent serves and every shape they reach, without documentation. */
function extract(full) {
  const operations = {};
  const shapes = {};
  const reach = (name) => {
    if (shapes[name] !== undefined) return;
    const shape = full.shapes[name];
    if (shape === undefined) throw new Error(`The model names shape ${name} but does not define it`);
    shapes[name] = withoutDocumentation(shape);
    for (const member of Object.values(shape.members ?? {})) reach(member.shape);
    for (const part of [shape.member, shape.key, shape.value]) if (part) reach(part.shape);
  };
  for (const name of OPERATIONS) {
    const operation = full.operations[name];
    if (operation === undefined) throw new Error(`The model has no operation ${name}`);
    operations[name] = withoutDocumentation(operation);
    for (const part of [operation.input, operation.output, ...(operation.errors ?? [])]) if (part) reach(part.shape);
  }
  const sorted = (record) => Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
  return { version: full.version, metadata: withoutDocumentation(full.metadata), operations: sorted(operations), shapes: sorted(shapes) };
}

function withoutDocumentation(value) {
  if (Array.isArray(value)) return value.map(withoutDocumentation);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "documentation" && key !== "documentationUrl")
      .map(([key, inner]) => [key, withoutDocumentation(inner)]),
  );
}

/** Every pattern must compile as a JavaScript expression matched against the whole value, as Java's `matches` is. */
function checkPatterns(service) {
  for (const [name, shape] of Object.entries(service.shapes)) {
    if (shape.pattern === undefined) continue;
    try {
      new RegExp(`^(?:${shape.pattern})$`);
    } catch (error) {
      throw new Error(`The pattern of ${name} does not compile in JavaScript: ${error.message}`);
    }
  }
}

function render(service) {
  const operationNames = Object.keys(service.operations);
  const union = (names) => names.map((name) => `  | ${JSON.stringify(name)}`).join("\n");
  const errorNames = Object.keys(service.shapes).filter((name) => service.shapes[name].exception === true);
  return `// Generated by \`npm run model\` (packages/lambda-model/scripts/generate.mjs) from model/lambda-2015-03-31.json,
// a copy of AWS Lambda's service model as botocore ships it; do not edit.
import type { ServiceModel } from "../service-model-types.js";

/** The operations of the model: those Lambent serves. */
export type OperationName =
${union(operationNames)};

/** The error shapes the model's operations name. */
export type ModelErrorName =
${union(errorNames)};

export const lambdaServiceModel: ServiceModel<OperationName> = ${JSON.stringify(service, null, 2)};
`;
}
