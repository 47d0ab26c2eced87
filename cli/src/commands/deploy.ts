// `lambent deploy`: zip a folder and create the function, or update its code (and configuration) if it exists;
// given a SAM template (or a folder with template.yaml), deploy what it describes (template-deploy.ts).
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { FunctionConfiguration, FunctionSettings } from "@lambent/lambda-api";
import { type ApiClient, ApiError, createApiClient, zipFolder } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, parsePositiveInteger, type CliIo, type Command } from "../command.js";
import { formatBytes, writeJson, writeLine } from "../output.js";
import { deployTemplate, findTemplate, parameterOverridesOf, takeParameterOverrides } from "../template-deploy.js";

/** Lambent does not check roles; CreateFunction still requires one, as Lambda does. */
export const DEFAULT_ROLE = "arn:aws:iam::000000000000:role/lambent";
const DEFAULT_HANDLER = "index.handler";
const DEFAULT_RUNTIME = "nodejs20.x";
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TIMEOUT_S = 3;

/** How long deploy waits for a code update to settle before changing the configuration. */
const UPDATE_WAIT_MS = 60_000;
const UPDATE_POLL_MS = 250;

const OPTIONS = {
  name: { type: "string" },
  handler: { type: "string" },
  runtime: { type: "string" },
  memory: { type: "string" },
  timeout: { type: "string" },
  env: { type: "string", multiple: true },
  description: { type: "string" },
  dlq: { type: "string" },
  "stack-name": { type: "string" },
  wait: { type: "boolean", default: false },
} as const;

export const deployCommand: Command = {
  name: "deploy",
  summary: "zip a folder and create or update a function, or deploy a SAM template",
  usage: `Usage: lambent deploy <dir> --name NAME [options]
       lambent deploy <template.yaml | dir with template.yaml> [--stack-name S] [--parameter-overrides K=V …]

Zips <dir> (node_modules included, .git left out) and creates the function, or updates its code when it
exists. Configuration flags given on an update also update the configuration; --env replaces all of the
function's environment variables.

Given a SAM template, or a folder holding template.yaml or template.yml (and no --name), deploys every
function the template describes with its routes, schedules, alias, URL and concurrency, named
<stack>-<LogicalId> unless it has a FunctionName, and prints the Outputs. The whole template is checked
and every package built first: a template Lambent cannot deploy changes nothing. Deploying it again
updates it in place. See docs/apps.md.

Options:
  --name NAME          function name (required)
  --handler H          handler, file.export (default on create: ${DEFAULT_HANDLER})
  --runtime R          runtime (default on create: ${DEFAULT_RUNTIME})
  --memory MB          memory size in MB (default on create: ${DEFAULT_MEMORY_MB})
  --timeout S          timeout in seconds (default on create: ${DEFAULT_TIMEOUT_S})
  --env K=V            environment variable; repeat for more
  --description D      description
  --dlq ARN            dead-letter target for asynchronous events that failed their last attempt:
                       arn:aws:sns:<region>:<account>:<subject> or arn:aws:sqs:<region>:<account>:<subject>;
                       '' removes it on an update

Template options:
  --stack-name S       the stack's name (default: the template's folder name)
  --parameter-overrides K=V …
                       template parameters, as SAM spells them (also ParameterKey=K,ParameterValue=V)
  --wait               follow the gradual deployments (DeploymentPreference) the deploy starts until
                       each is over; exits 1 when one rolled back or failed. Without it the deploy
                       returns once they are started, and lambent app history shows them

${COMMON_USAGE}`,
  run: runDeploy,
};

export async function runDeploy(args: string[], io: CliIo): Promise<number> {
  const overrides = takeParameterOverrides(args);
  const { values, positionals, common } = parseCommandArgs(overrides.args, OPTIONS, io, 1);
  if (common.help) {
    io.stdout.write(`${deployCommand.usage}\n`);
    return 0;
  }
  const name = values.name;
  const template = name === undefined ? await findTemplate(resolve(io.cwd, positionals[0]!)) : undefined;
  if (template !== undefined) {
    const functionFlags = (["handler", "runtime", "memory", "timeout", "env", "description", "dlq"] as const).filter((flag) => values[flag] !== undefined);
    if (functionFlags.length > 0) throw new UsageError(`--${functionFlags[0]} is for a function folder; a template sets its functions' configuration`);
    const parameterOverrides = parameterOverridesOf(overrides.pairs);
    return deployTemplate({ templatePath: template, ...(values["stack-name"] ? { stackName: values["stack-name"] } : {}), parameterOverrides, endpoint: common.endpoint, json: common.json, wait: values.wait }, io);
  }
  if (values["stack-name"] !== undefined || overrides.pairs.length > 0 || values.wait) throw new UsageError(`--stack-name, --parameter-overrides and --wait are for a template, and '${positionals[0]}' is not one (nor a folder with template.yaml)`);
  if (name === undefined || name === "") throw new UsageError("--name is required (or give a SAM template, or a folder with template.yaml)");
  const settings = parseSettings(values);
  const folder = resolve(io.cwd, positionals[0]!);
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat?.isDirectory()) throw new UsageError(`'${positionals[0]}' is not a folder`);

  const { zip, fileCount } = await zipFolder(folder);
  if (fileCount === 0) throw new UsageError(`'${positionals[0]}' has no files to deploy`);
  const zipFile = Buffer.from(zip).toString("base64");
  const client = createApiClient(common.endpoint);

  const existing = await findFunction(client, name);
  let action: string;
  let configuration: FunctionConfiguration;
  if (existing === undefined) {
    configuration = await client.createFunction({
      FunctionName: name,
      Role: DEFAULT_ROLE,
      Runtime: DEFAULT_RUNTIME,
      Handler: DEFAULT_HANDLER,
      MemorySize: DEFAULT_MEMORY_MB,
      Timeout: DEFAULT_TIMEOUT_S,
      ...settings,
      Code: { ZipFile: zipFile },
    });
    action = "created";
  } else {
    configuration = await client.updateFunctionCode(name, zipFile);
    action = "updated code of";
    if (Object.keys(settings).length > 0) {
      await waitForUpdate(client, name, configuration);
      configuration = await client.updateFunctionConfiguration(name, settings);
      action = "updated code and configuration of";
    }
  }

  if (common.json) {
    writeJson(io.stdout, configuration);
  } else {
    writeLine(io.stdout, `${action} function ${configuration.FunctionName}`);
    writeLine(io.stdout, `  files:      ${fileCount} (${formatBytes(zip.byteLength)} zipped)`);
    if (configuration.CodeSha256 !== undefined) writeLine(io.stdout, `  CodeSha256: ${configuration.CodeSha256}`);
    if (configuration.CodeSize !== undefined) writeLine(io.stdout, `  CodeSize:   ${configuration.CodeSize} bytes`);
    if (configuration.State !== undefined) writeLine(io.stdout, `  State:      ${configuration.State}`);
  }
  return 0;
}

/** Turns the configuration flags that were given into Lambda's field names; absent flags stay absent. */
export function parseSettings(values: {
  handler?: string | undefined;
  runtime?: string | undefined;
  memory?: string | undefined;
  timeout?: string | undefined;
  env?: string[] | undefined;
  description?: string | undefined;
  dlq?: string | undefined;
}): FunctionSettings {
  const settings: FunctionSettings = {};
  if (values.handler !== undefined) settings.Handler = values.handler;
  if (values.runtime !== undefined) settings.Runtime = values.runtime;
  const memory = parsePositiveInteger("memory", values.memory);
  if (memory !== undefined) settings.MemorySize = memory;
  const timeout = parsePositiveInteger("timeout", values.timeout);
  if (timeout !== undefined) settings.Timeout = timeout;
  if (values.env !== undefined) settings.Environment = { Variables: parseEnvironment(values.env) };
  if (values.description !== undefined) settings.Description = values.description;
  if (values.dlq !== undefined) settings.DeadLetterConfig = { TargetArn: values.dlq };
  return settings;
}

/** `K=V` pairs → variables. The value may be empty or contain `=`; a missing `=`, an empty key or a repeated key is an error. */
export function parseEnvironment(pairs: readonly string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals < 0) throw new UsageError(`--env '${pair}' must be KEY=VALUE`);
    const key = pair.slice(0, equals);
    if (key === "") throw new UsageError(`--env '${pair}' has no key`);
    if (Object.hasOwn(variables, key)) throw new UsageError(`--env ${key} is given twice`);
    variables[key] = pair.slice(equals + 1);
  }
  return variables;
}

async function findFunction(client: ApiClient, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return (await client.getFunction(name)).Configuration;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** Lambda refuses a configuration change while a code update is InProgress, so wait for it to settle. */
async function waitForUpdate(client: ApiClient, name: string, configuration: FunctionConfiguration): Promise<void> {
  const deadline = Date.now() + UPDATE_WAIT_MS;
  let status = configuration.LastUpdateStatus;
  while (status === "InProgress") {
    if (Date.now() > deadline) throw new ApiError("ResourceConflictException", `the code update of ${name} is still in progress`, 409);
    await new Promise((done) => setTimeout(done, UPDATE_POLL_MS));
    status = (await client.getFunctionConfiguration(name)).LastUpdateStatus;
  }
}
