// The CLI as a function: picks the command from argv, runs it, and turns every failure into a message and
// an exit code. Kept apart from main.ts so tests run it with captured IO.
import { ApiError, DeployInputError, EndpointUnreachableError } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, type CliIo, type Command } from "./command.js";
import { accountCommand } from "./commands/account.js";
import { roleCommand } from "./commands/role.js";
import { keyCommand } from "./commands/key.js";
import { clusterCommand } from "./commands/cluster.js";
import { aliasCommand } from "./commands/alias.js";
import { concurrencyCommand } from "./commands/concurrency.js";
import { deleteCommand } from "./commands/delete.js";
import { deployCommand } from "./commands/deploy.js";
import { devCommand } from "./commands/dev.js";
import { eventConfigCommand } from "./commands/event-config.js";
import { getCommand } from "./commands/get.js";
import { invokeCommand } from "./commands/invoke.js";
import { listCommand } from "./commands/list.js";
import { logsCommand } from "./commands/logs.js";
import { mappingCommand } from "./commands/mapping.js";
import { provisionedCommand } from "./commands/provisioned.js";
import { publishCommand } from "./commands/publish.js";
import { queueCommand } from "./commands/queue.js";
import { rollbackCommand } from "./commands/rollback.js";
import { routeCommand } from "./commands/route.js";
import { triggerCommand } from "./commands/trigger.js";
import { urlCommand } from "./commands/url.js";
import { usageCommand } from "./commands/usage.js";
import { versionsCommand } from "./commands/versions.js";
import { workflowCommand } from "./commands/workflow.js";
import { tagsCommand } from "./commands/tags.js";
import { permissionCommand } from "./commands/permission.js";
import { layerCommand } from "./commands/layer.js";
import { appCommand } from "./commands/app.js";
import { writeLine } from "./output.js";

export const ExitCode = {
  ok: 0,
  /** The API answered an error, the function failed, or something unexpected broke. */
  failure: 1,
  /** Bad usage, or the endpoint could not be reached. */
  usage: 2,
} as const;

export const commands: readonly Command[] = [
  deployCommand,
  devCommand,
  appCommand,
  invokeCommand,
  listCommand,
  getCommand,
  deleteCommand,
  publishCommand,
  versionsCommand,
  aliasCommand,
  rollbackCommand,
  concurrencyCommand,
  provisionedCommand,
  eventConfigCommand,
  urlCommand,
  routeCommand,
  triggerCommand,
  mappingCommand,
  workflowCommand,
  tagsCommand,
  permissionCommand,
  layerCommand,
  queueCommand,
  logsCommand,
  usageCommand,
  accountCommand,
  roleCommand,
  keyCommand,
  clusterCommand,
];

/** Common options that take a value, so they can precede the command name. */
const LEADING_VALUE_OPTIONS = new Set(["--endpoint", "--function"]);

export function mainUsage(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: lambent <command> [options]

Deploy and invoke functions on a Lambent cluster over the AWS Lambda REST API.

Commands:
${lines.join("\n")}

${COMMON_USAGE}

Run 'lambent <command> --help' or 'lambent help <command>' for a command's options.`;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const { name, args } = splitCommand(argv);
  if (name === undefined) {
    const help = args.includes("--help") || args.includes("-h");
    (help ? io.stdout : io.stderr).write(`${mainUsage()}\n`);
    return help ? ExitCode.ok : ExitCode.usage;
  }
  if (name === "help") return runHelp(args, io);
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    writeLine(io.stderr, `error: unknown command '${name}'`);
    writeLine(io.stderr, mainUsage());
    return ExitCode.usage;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    return report(error, command, io);
  }
}

/** `lambent help [command]`, the same as `--help`. */
function runHelp(args: readonly string[], io: CliIo): number {
  const topic = args.find((arg) => !arg.startsWith("-"));
  if (topic === undefined) {
    writeLine(io.stdout, mainUsage());
    return ExitCode.ok;
  }
  const command = commands.find((candidate) => candidate.name === topic);
  if (command === undefined) {
    writeLine(io.stderr, `error: unknown command '${topic}'`);
    return ExitCode.usage;
  }
  writeLine(io.stdout, command.usage);
  return ExitCode.ok;
}

/**
 * Finds the command name: the first argument that is not an option, allowing common options before it
 * (`lambent --endpoint URL list`). Those leading options move behind the name for the command to parse.
 */
function splitCommand(argv: readonly string[]): { name: string | undefined; args: string[] } {
  const leading: string[] = [];
  let index = 0;
  while (index < argv.length && argv[index]!.startsWith("-")) {
    const option = argv[index]!;
    leading.push(option);
    index += 1;
    if (LEADING_VALUE_OPTIONS.has(option) && index < argv.length) {
      leading.push(argv[index]!);
      index += 1;
    }
  }
  if (index >= argv.length) return { name: undefined, args: leading };
  return { name: argv[index], args: [...leading, ...argv.slice(index + 1)] };
}

function report(error: unknown, command: Command, io: CliIo): number {
  // The deploy package's input errors (a stack name, LAMBENT_DEPLOY_LOCK_TTL) are usage errors too.
  if (error instanceof UsageError || error instanceof DeployInputError) {
    writeLine(io.stderr, `error: ${error.message}`);
    writeLine(io.stderr, command.usage);
    return ExitCode.usage;
  }
  if (error instanceof EndpointUnreachableError) {
    writeLine(io.stderr, `error: ${error.message}`);
    return ExitCode.usage;
  }
  if (error instanceof ApiError) {
    writeLine(io.stderr, `error: ${error.type}: ${error.message}`);
    return ExitCode.failure;
  }
  writeLine(io.stderr, `error: ${error instanceof Error ? error.message : String(error)}`);
  return ExitCode.failure;
}
