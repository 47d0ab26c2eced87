// `lambent workflow …`: AWS Step Functions on Lambent — state machines (create, update, get, list,
// delete, validate), executions (start, run, executions, describe, history, stop) and task tokens
// (task-success, task-failure, heartbeat). State machines are named by name or ARN.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { COMMON_USAGE, UsageError, parseCommandArgs, parsePositiveInteger, runSubcommand, type CliIo, type Command, type Subcommands } from "../command.js";
import { formatFields, formatTable, writeJson, writeLine } from "../output.js";
import { ApiError, createSfnClient, type SfnClient } from "@lambent/app-deploy";

const DEFAULT_ROLE = "arn:aws:iam::000000000000:role/lambent-default";

const OPTIONS = {
  definition: { type: "string" },
  role: { type: "string" },
  type: { type: "string" },
  input: { type: "string" },
  name: { type: "string" },
  status: { type: "string" },
  output: { type: "string" },
  error: { type: "string" },
  cause: { type: "string" },
  "max-results": { type: "string" },
  reverse: { type: "boolean", default: false },
  wait: { type: "boolean", default: false },
} as const;

const VALUE_OPTIONS = new Set(["endpoint", ...Object.entries(OPTIONS).filter(([, option]) => option.type === "string").map(([name]) => name)].map((name) => `--${name}`));

export const workflowCommand: Command = {
  name: "workflow",
  summary: "AWS Step Functions: state machines, executions, history and task tokens",
  usage: `Usage: lambent workflow <command> ... [options]

State machines (by name or ARN):
  lambent workflow create <name> --definition FILE [--role ARN] [--type STANDARD|EXPRESS]
  lambent workflow update <machine> [--definition FILE] [--role ARN]
  lambent workflow get <machine>
  lambent workflow list
  lambent workflow delete <machine>
  lambent workflow validate --definition FILE
Executions:
  lambent workflow start <machine> [--input JSON] [--name N] [--wait]
      Starts a standard execution; with --wait, waits for its end and prints it.
  lambent workflow run <machine> [--input JSON] [--name N]
      Runs an express state machine synchronously (StartSyncExecution) and prints the result.
  lambent workflow executions <machine> [--status RUNNING|SUCCEEDED|FAILED|TIMED_OUT|ABORTED]
  lambent workflow describe <execution ARN>
  lambent workflow history <execution ARN> [--reverse] [--max-results N]
  lambent workflow stop <execution ARN> [--error E] [--cause C]
Task tokens:
  lambent workflow task-success <token> --output JSON
  lambent workflow task-failure <token> [--error E] [--cause C]
  lambent workflow heartbeat <token>

A definition FILE is read relative to the current folder; '-' is not supported. With --json, each
command prints the Step Functions response as AWS answers it.

${COMMON_USAGE}`,
  run: (args, io) => runSubcommand(workflowCommand, SUBCOMMANDS, VALUE_OPTIONS, args, io),
};

type Parsed = ReturnType<typeof parse>;

function parse(args: string[], io: CliIo, positionals: number) {
  const parsed = parseCommandArgs(args, OPTIONS, io, { min: positionals, max: positionals });
  return { ...parsed, sfn: createSfnClient(parsed.common.endpoint) };
}

/** Runs a subcommand taking `positionals` arguments; `--help` prints the command's usage. */
function subcommand(positionals: number, body: (parsed: Parsed, io: CliIo) => Promise<number>) {
  return async (args: string[], io: CliIo): Promise<number> => {
    const parsed = parse(args, io, positionals);
    if (parsed.common.help) {
      io.stdout.write(`${workflowCommand.usage}\n`);
      return 0;
    }
    return body(parsed, io);
  };
}

async function readDefinition(io: CliIo, file: string | undefined): Promise<string> {
  if (file === undefined) throw new UsageError("--definition FILE is required");
  try {
    return await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --definition ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function jsonOption(flag: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    JSON.parse(raw);
  } catch {
    throw new UsageError(`--${flag} must be JSON, got '${raw}'`);
  }
  return raw;
}

/** A state machine's ARN from its name (looked up in ListStateMachines) or its ARN. */
async function machineArn(sfn: SfnClient, nameOrArn: string): Promise<string> {
  if (nameOrArn.startsWith("arn:")) return nameOrArn;
  let nextToken: string | undefined;
  do {
    const page = await sfn.call("ListStateMachines", { ...(nextToken ? { nextToken } : {}) });
    const found = page.stateMachines.find((machine) => machine.name === nameOrArn);
    if (found) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new ApiError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${nameOrArn}'`, 400);
}

const date = (seconds: number | undefined): string | undefined => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());

const SUBCOMMANDS: Subcommands = {
  create: subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    const definition = await readDefinition(io, values.definition);
    const type = values.type === undefined ? undefined : values.type.toUpperCase();
    if (type !== undefined && type !== "STANDARD" && type !== "EXPRESS") throw new UsageError(`--type must be STANDARD or EXPRESS, got '${values.type}'`);
    const created = await sfn.call("CreateStateMachine", { name: positionals[0]!, definition, roleArn: values.role ?? DEFAULT_ROLE, ...(type ? { type } : {}) });
    if (common.json) writeJson(io.stdout, created);
    else io.stdout.write(formatFields([["StateMachineArn", created.stateMachineArn], ["CreationDate", date(created.creationDate)]]));
    return 0;
  }),
  update: subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    const stateMachineArn = await machineArn(sfn, positionals[0]!);
    const definition = values.definition === undefined ? undefined : await readDefinition(io, values.definition);
    const updated = await sfn.call("UpdateStateMachine", { stateMachineArn, ...(definition !== undefined ? { definition } : {}), ...(values.role ? { roleArn: values.role } : {}) });
    if (common.json) writeJson(io.stdout, updated);
    else io.stdout.write(formatFields([["UpdateDate", date(updated.updateDate)], ["RevisionId", updated.revisionId]]));
    return 0;
  }),
  get: subcommand(1, async ({ positionals, common, sfn }, io) => {
    const described = await sfn.call("DescribeStateMachine", { stateMachineArn: await machineArn(sfn, positionals[0]!) });
    if (common.json) writeJson(io.stdout, described);
    else {
      io.stdout.write(formatFields([["Name", described.name], ["StateMachineArn", described.stateMachineArn], ["Type", described.type], ["Status", described.status], ["RoleArn", described.roleArn], ["CreationDate", date(described.creationDate)]]));
      writeLine(io.stdout, described.definition);
    }
    return 0;
  }),
  list: subcommand(0, async ({ common, sfn }, io) => {
    const machines = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.call("ListStateMachines", { ...(nextToken ? { nextToken } : {}) });
      machines.push(...page.stateMachines);
      nextToken = page.nextToken;
    } while (nextToken);
    if (common.json) writeJson(io.stdout, { stateMachines: machines });
    else io.stdout.write(formatTable(["NAME", "TYPE", "CREATED"], machines.map((machine) => [machine.name, machine.type, date(machine.creationDate) ?? ""])));
    return 0;
  }),
  delete: subcommand(1, async ({ positionals, common, sfn }, io) => {
    const stateMachineArn = await machineArn(sfn, positionals[0]!);
    await sfn.call("DeleteStateMachine", { stateMachineArn });
    if (common.json) writeJson(io.stdout, { stateMachineArn, deleted: true });
    else writeLine(io.stdout, `deleted ${stateMachineArn}`);
    return 0;
  }),
  validate: subcommand(0, async ({ values, common, sfn }, io) => {
    const result = await sfn.call("ValidateStateMachineDefinition", { definition: await readDefinition(io, values.definition) });
    if (common.json) writeJson(io.stdout, result);
    else {
      writeLine(io.stdout, result.result);
      for (const diagnostic of result.diagnostics) writeLine(io.stdout, `${diagnostic.severity} ${diagnostic.code} at ${diagnostic.location ?? "/"}: ${diagnostic.message}`);
    }
    return result.result === "OK" ? 0 : 1;
  }),
  start: subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    const stateMachineArn = await machineArn(sfn, positionals[0]!);
    const input = jsonOption("input", values.input);
    const started = await sfn.call("StartExecution", { stateMachineArn, ...(input !== undefined ? { input } : {}), ...(values.name ? { name: values.name } : {}) });
    if (!values.wait) {
      if (common.json) writeJson(io.stdout, started);
      else io.stdout.write(formatFields([["ExecutionArn", started.executionArn], ["StartDate", date(started.startDate)]]));
      return 0;
    }
    for (;;) {
      const described = await sfn.call("DescribeExecution", { executionArn: started.executionArn });
      if (described.status !== "RUNNING") return printExecution(io, common.json, described);
      await new Promise((done) => setTimeout(done, 250));
      if (io.signal?.aborted) return 130;
    }
  }),
  run: subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    const stateMachineArn = await machineArn(sfn, positionals[0]!);
    const input = jsonOption("input", values.input);
    const result = await sfn.call("StartSyncExecution", { stateMachineArn, ...(input !== undefined ? { input } : {}), ...(values.name ? { name: values.name } : {}) });
    return printExecution(io, common.json, result);
  }),
  executions: subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    const stateMachineArn = await machineArn(sfn, positionals[0]!);
    const status = values.status?.toUpperCase();
    const executions = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.call("ListExecutions", { stateMachineArn, ...(status ? { statusFilter: status as "RUNNING" } : {}), ...(nextToken ? { nextToken } : {}) });
      executions.push(...page.executions);
      nextToken = page.nextToken;
    } while (nextToken);
    if (common.json) writeJson(io.stdout, { executions });
    else io.stdout.write(formatTable(["NAME", "STATUS", "STARTED", "STOPPED"], executions.map((execution) => [execution.name, execution.status, date(execution.startDate) ?? "", date(execution.stopDate) ?? ""])));
    return 0;
  }),
  describe: subcommand(1, async ({ positionals, common, sfn }, io) => printExecution(io, common.json, await sfn.call("DescribeExecution", { executionArn: positionals[0]! }))),
  history: subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    const maxResults = parsePositiveInteger("max-results", values["max-results"]);
    const events = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.call("GetExecutionHistory", { executionArn: positionals[0]!, reverseOrder: values.reverse ?? false, ...(nextToken ? { nextToken } : {}), ...(maxResults ? { maxResults } : {}) });
      events.push(...page.events);
      nextToken = maxResults ? undefined : page.nextToken;
    } while (nextToken);
    if (common.json) writeJson(io.stdout, { events });
    else {
      const detail = (event: Record<string, unknown>): string => {
        const field = Object.keys(event).find((key) => key.endsWith("EventDetails"));
        const details = field ? (event[field] as Record<string, unknown>) : undefined;
        return details ? String(details["name"] ?? details["error"] ?? details["resource"] ?? "") : "";
      };
      io.stdout.write(formatTable(["ID", "TIME", "TYPE", "DETAIL"], events.map((event) => [String(event.id), date(event.timestamp) ?? "", event.type, detail(event as unknown as Record<string, unknown>)])));
    }
    return 0;
  }),
  stop: subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    const stopped = await sfn.call("StopExecution", { executionArn: positionals[0]!, ...(values.error ? { error: values.error } : {}), ...(values.cause ? { cause: values.cause } : {}) });
    if (common.json) writeJson(io.stdout, stopped);
    else io.stdout.write(formatFields([["StopDate", date(stopped.stopDate)]]));
    return 0;
  }),
  "task-success": subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    const output = jsonOption("output", values.output);
    if (output === undefined) throw new UsageError("--output JSON is required");
    await sfn.call("SendTaskSuccess", { taskToken: positionals[0]!, output });
    if (common.json) writeJson(io.stdout, {});
    else writeLine(io.stdout, "task succeeded");
    return 0;
  }),
  "task-failure": subcommand(1, async ({ values, positionals, common, sfn }, io) => {
    await sfn.call("SendTaskFailure", { taskToken: positionals[0]!, ...(values.error ? { error: values.error } : {}), ...(values.cause ? { cause: values.cause } : {}) });
    if (common.json) writeJson(io.stdout, {});
    else writeLine(io.stdout, "task failed");
    return 0;
  }),
  heartbeat: subcommand(1, async ({ positionals, common, sfn }, io) => {
    await sfn.call("SendTaskHeartbeat", { taskToken: positionals[0]! });
    if (common.json) writeJson(io.stdout, {});
    else writeLine(io.stdout, "heartbeat sent");
    return 0;
  }),
};

interface ExecutionView {
  executionArn: string;
  name?: string;
  status: string;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

/** Prints an execution; exits 0 when it succeeded or still runs, 1 when it failed, timed out or was stopped. */
function printExecution(io: CliIo, json: boolean, execution: ExecutionView): number {
  if (json) writeJson(io.stdout, execution);
  else {
    io.stdout.write(
      formatFields([
        ["ExecutionArn", execution.executionArn],
        ["Status", execution.status],
        ["StartDate", date(execution.startDate)],
        ["StopDate", date(execution.stopDate)],
        ["Output", execution.output],
        ["Error", execution.error],
        ["Cause", execution.cause],
      ]),
    );
  }
  return execution.status === "SUCCEEDED" || execution.status === "RUNNING" ? 0 : 1;
}
