// `lambent dev`: the inner loop. Deploys a function folder or a template once, then watches its folder:
// a saved change redeploys only what it touches — a function's code alone when only its code changed
// (UpdateFunctionCode, and its alias moved to a new version), the whole template through lambent deploy's
// own path when the template or a layer changed — and the functions' log lines are followed meanwhile,
// until Ctrl-C.
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import type { LogEventResponse } from "@lambent/lambda-api";
import { planTemplate, TemplateError, type FunctionPlan, type TemplatePlan } from "@lambent/sam-template";
import { type ApiClient, buildPackages, clusterFacts, createApiClient, packageSha256, settle, zipFolder } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { templateChanges, watchFolder } from "../dev-watch.js";
import { writeLine } from "../output.js";
import { defaultStackName, deployTemplate, findTemplate, parameterOverridesOf, takeParameterOverrides } from "../template-deploy.js";
import { runDeploy } from "./deploy.js";

const OPTIONS = {
  name: { type: "string" },
  handler: { type: "string" },
  runtime: { type: "string" },
  "stack-name": { type: "string" },
} as const;

export const devCommand: Command = {
  name: "dev",
  summary: "deploy a function folder or a template, redeploy it on every save, and follow its logs",
  usage: `Usage: lambent dev <dir> --name NAME [--handler H] [--runtime R]
       lambent dev [<template.yaml | dir with template.yaml>] [--stack-name S] [--parameter-overrides K=V …]

Deploys once as lambent deploy does, then watches the folder (the template's folder for a template) and
redeploys on every save, a moment after the last change: a function's code alone (UpdateFunctionCode, its
alias moved to a new version) when only files of its CodeUri changed, the whole template through lambent
deploy when the template or a layer's content changed. Prints "redeployed ..." for each, and follows the
functions' log lines meanwhile. Code-only updates are not revisions of the application: the next
lambent deploy records one. Ctrl-C stops.

Options:
  --name NAME          the function a folder is deployed as (a folder without a template; default:
                       the folder's name)
  --handler H, --runtime R
                       as lambent deploy's, for a folder
  --stack-name S, --parameter-overrides K=V …
                       as lambent deploy's, for a template

${COMMON_USAGE}`,
  run: runDev,
};

export async function runDev(args: string[], io: CliIo): Promise<number> {
  const overrides = takeParameterOverrides(args);
  const { values, positionals, common } = parseCommandArgs(overrides.args, OPTIONS, io, { min: 0, max: 1 });
  if (common.help) {
    io.stdout.write(`${devCommand.usage}\n`);
    return 0;
  }
  const path = resolve(io.cwd, positionals[0] ?? ".");
  const signal = io.signal ?? new AbortController().signal;
  const client = createApiClient(common.endpoint);
  const template = values.name === undefined ? await findTemplate(path) : undefined;
  const session = template === undefined ? await functionSession(path, values, overrides.pairs.length, common.endpoint, io) : await templateSession(template, values["stack-name"], parameterOverridesOf(overrides.pairs), common.endpoint, client, io);
  if (session === undefined) return 1;

  const followed = new Set<string>();
  const follow = (names: readonly string[]): void => {
    for (const name of names) {
      if (followed.has(name)) continue;
      followed.add(name);
      void followLogs(client, name, signal, io);
    }
  };
  follow(session.functionNames());
  const watcher = watchFolder(session.folder, async (paths) => {
    try {
      await session.redeploy(paths);
      follow(session.functionNames());
    } catch (error) {
      // A failed redeploy leaves the loop running: the next save tries again.
      writeLine(io.stderr, `error: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  writeLine(io.stdout, `watching ${session.folder} (Ctrl-C stops)`);
  await new Promise<void>((done) => (signal.aborted ? done() : signal.addEventListener("abort", () => done(), { once: true })));
  await watcher.close();
  writeLine(io.stdout, "stopped watching");
  return 0;
}

interface DevSession {
  folder: string;
  functionNames(): string[];
  /** Redeploys what the changed paths touch, printing a "redeployed" line for each thing redeployed. */
  redeploy(paths: readonly string[]): Promise<void>;
}

/** A folder deployed as one function: its code redeployed on every change. */
async function functionSession(folder: string, values: { name?: string | undefined; handler?: string | undefined; runtime?: string | undefined; "stack-name"?: string | undefined }, overrideCount: number, endpoint: string, io: CliIo): Promise<DevSession | undefined> {
  if (values["stack-name"] !== undefined || overrideCount > 0) throw new UsageError(`--stack-name and --parameter-overrides are for a template, and '${folder}' is not one (nor a folder with template.yaml)`);
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) throw new UsageError(`'${folder}' is not a folder, nor a template`);
  const name = values.name ?? basename(folder);
  const flags = [...(values.handler ? ["--handler", values.handler] : []), ...(values.runtime ? ["--runtime", values.runtime] : [])];
  if ((await runDeploy([folder, "--name", name, ...flags, "--endpoint", endpoint], io)) !== 0) return undefined;
  const client = createApiClient(endpoint);
  return {
    folder,
    functionNames: () => [name],
    async redeploy() {
      const started = Date.now();
      const { zip, fileCount } = await zipFolder(folder);
      if (fileCount === 0) throw new Error(`${folder} has no files to deploy`);
      await settle(client, name);
      await client.updateFunctionCode(name, Buffer.from(zip).toString("base64"));
      await settle(client, name);
      writeLine(io.stdout, `redeployed ${name}: code, in ${Date.now() - started} ms`);
    },
  };
}

/** A template: its functions' code redeployed alone when only their code changed, the whole template otherwise. */
async function templateSession(templatePath: string, givenStackName: string | undefined, parameterOverrides: Record<string, string>, endpoint: string, client: ApiClient, io: CliIo): Promise<DevSession | undefined> {
  const stackName = givenStackName ?? defaultStackName(templatePath);
  const deployAll = (): Promise<number> => deployTemplate({ templatePath, stackName, parameterOverrides, endpoint, json: false }, io);
  if ((await deployAll()) !== 0) return undefined;
  const facts = await clusterFacts(client);
  const planNow = async (): Promise<TemplatePlan | undefined> => {
    try {
      return planTemplate(await readFile(templatePath, "utf8"), { templatePath, stackName, parameterOverrides, facts });
    } catch (error) {
      if (error instanceof TemplateError) return undefined;
      throw error;
    }
  };
  let plan = (await planNow())!;
  /** The SHA-256 of each function's package as last deployed, so a save that changes no byte redeploys nothing. */
  const deployedPackages = new Map<string, string>();
  return {
    folder: dirname(templatePath),
    functionNames: () => plan.functions.map((fn) => fn.functionName),
    async redeploy(paths) {
      const changes = templateChanges(paths, templatePath, plan.functions, plan.layers ?? []);
      if (changes.template) {
        const started = Date.now();
        if ((await deployAll()) !== 0) return;
        plan = (await planNow()) ?? plan;
        deployedPackages.clear();
        writeLine(io.stdout, `redeployed stack ${stackName}: the template, in ${Date.now() - started} ms`);
        return;
      }
      for (const fn of changes.functions) await redeployCode(client, fn, deployedPackages, io);
    },
  };
}

/** One template function's new code: built and checked as a deploy builds it, uploaded, and its alias moved. */
async function redeployCode(client: ApiClient, fn: FunctionPlan, deployedPackages: Map<string, string>, io: CliIo): Promise<void> {
  const started = Date.now();
  const { packages, problems } = await buildPackages([fn]);
  if (problems.length > 0) {
    for (const problem of problems) writeLine(io.stderr, `error: ${fn.logicalId}: ${problem.property ?? ""}: ${problem.message}; not redeployed`);
    return;
  }
  const zipFile = packages.get(fn.logicalId)!.zipFile;
  const sha = packageSha256(zipFile);
  if (deployedPackages.get(fn.logicalId) === sha) return;
  const name = fn.functionName;
  await settle(client, name);
  await client.updateFunctionCode(name, zipFile);
  await settle(client, name);
  let version = "";
  if (fn.alias !== undefined) {
    version = (await client.publishVersion(name)).Version;
    await client.updateAlias(name, fn.alias, { FunctionVersion: version });
  }
  deployedPackages.set(fn.logicalId, sha);
  writeLine(io.stdout, `redeployed ${name} (${fn.logicalId}): code${version ? `, version ${version} as ${fn.alias}` : ""}, in ${Date.now() - started} ms`);
}

/** Prints a function's log lines as its invocations finish, each prefixed with its name, until the signal. */
async function followLogs(client: ApiClient, name: string, signal: AbortSignal, io: CliIo): Promise<void> {
  const print = (event: LogEventResponse): void => {
    for (const line of event.Message.replace(/\n$/, "").split("\n")) writeLine(io.stdout, `[${name}] ${line}`);
  };
  try {
    for await (const event of client.followLogs(name, { since: new Date().toISOString() }, signal)) print(event);
  } catch (error) {
    if (signal.aborted) return;
    writeLine(io.stderr, `warning: stopped following ${name}'s logs: ${error instanceof Error ? error.message : String(error)}`);
  }
}
