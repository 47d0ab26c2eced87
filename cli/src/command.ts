// What every command shares: the injected IO, the command shape, usage errors and the common options.
import { parseArgs, type ParseArgsConfig } from "node:util";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

export const DEFAULT_ENDPOINT = "http://127.0.0.1:8080";

/** Anything that takes text, such as `process.stdout`; tests pass a collector. */
export interface TextSink {
  write(text: string): unknown;
}

/** The outside world a command may touch, injected so tests can capture and control it. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (deploy folder, payload file) resolve against this. */
  cwd: string;
  /** Aborted when the user interrupts (Ctrl-C): long-running commands such as `logs --follow` stop then. */
  signal?: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code; throws UsageError, ApiError or EndpointUnreachableError. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Bad arguments or unusable input: the CLI prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  endpoint: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies OptionsConfig;

export const COMMON_USAGE = `Common options:
  --endpoint URL   Lambent endpoint (default: $LAMBENT_ENDPOINT or ${DEFAULT_ENDPOINT})
  --json           print the raw JSON response instead of human output
  -h, --help       show this help`;

export interface CommonOptions {
  endpoint: string;
  json: boolean;
  help: boolean;
}

/** The values parseArgs yields for an options table: booleans, strings, or string lists for `multiple`. */
export type OptionValues<O extends OptionsConfig> = {
  [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

export interface ParsedCommandArgs<O extends OptionsConfig> {
  values: OptionValues<O>;
  positionals: string[];
  common: CommonOptions;
}

/**
 * Parses a command's arguments strictly (unknown options and stray positionals are usage errors) with
 * the common options added, and resolves the endpoint from the flag, then `LAMBENT_ENDPOINT`.
 */
export function parseCommandArgs<O extends OptionsConfig>(
  args: string[],
  options: O,
  io: CliIo,
  positionals: number | { min: number; max: number },
): ParsedCommandArgs<O> {
  const { min, max } = typeof positionals === "number" ? { min: positionals, max: positionals } : positionals;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const common: CommonOptions = {
    endpoint: resolveEndpoint(typeof parsed.values.endpoint === "string" ? parsed.values.endpoint : undefined, io.env),
    json: parsed.values.json === true,
    help: parsed.values.help === true,
  };
  if (!common.help && parsed.positionals.length < min) throw new UsageError("missing argument");
  if (!common.help && parsed.positionals.length > max) throw new UsageError(`unexpected argument '${parsed.positionals[max]}'`);
  return { values: parsed.values as OptionValues<O>, positionals: parsed.positionals, common };
}

/** `--function NAME`: lets the commands that take a function name first leave it out. */
export const FUNCTION_OPTION = { function: { type: "string" } } as const satisfies OptionsConfig;

export const FUNCTION_USAGE = `The function comes first (lambent alias set my-fn prod 3), or, with --function NAME or
$LAMBENT_FUNCTION set, may be left out (lambent alias set prod 3 --function my-fn).`;

/** How many positionals a command with `count` arguments after the function name accepts. */
export function withFunctionName(count: number): { min: number; max: number } {
  return { min: count, max: count + 1 };
}

/**
 * Splits positionals into the function name and the `count` arguments after it. With count + 1
 * positionals the first is the function; with count, the function comes from `--function`, then
 * `LAMBENT_FUNCTION`. Giving both the flag and a leading name is refused as ambiguous.
 */
export function splitFunctionName(
  positionals: readonly string[],
  count: number,
  flag: string | undefined,
  env: CliIo["env"],
): { functionName: string; rest: string[] } {
  if (positionals.length === count + 1) {
    if (flag !== undefined) throw new UsageError(`the function is given twice: as --function ${flag} and as '${positionals[0]}'`);
    const functionName = positionals[0]!;
    if (functionName === "") throw new UsageError("the function name is empty");
    return { functionName, rest: positionals.slice(1) };
  }
  if (positionals.length !== count) throw new UsageError(positionals.length < count ? "missing argument" : `unexpected argument '${positionals[count + 1]}'`);
  const functionName = flag ?? (env.LAMBENT_FUNCTION || undefined);
  if (functionName === undefined || functionName === "") {
    throw new UsageError("missing argument: the function name comes first unless --function or LAMBENT_FUNCTION gives it");
  }
  return { functionName, rest: [...positionals] };
}

export function resolveEndpoint(flag: string | undefined, env: CliIo["env"]): string {
  const raw = flag ?? (env.LAMBENT_ENDPOINT || undefined) ?? DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`endpoint '${raw}' is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`endpoint '${raw}' must be http or https`);
  return raw.replace(/\/+$/, "");
}

/** Parses a whole number option, 0 included; undefined stays undefined. */
export function parseWholeNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new UsageError(`--${flag} must be a whole number (0 or more), got '${raw}'`);
  return Number(raw);
}

/** Parses a whole, positive integer option; undefined stays undefined. */
export function parsePositiveInteger(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${flag} must be a positive whole number, got '${raw}'`);
  return Number(raw);
}

/** The forms of a command with subcommands (`lambent alias set …`), each run with the remaining arguments. */
export type Subcommands = Readonly<Record<string, (args: string[], io: CliIo) => Promise<number>>>;

/**
 * Runs `lambent <command> <subcommand> …`. The subcommand is the first argument that is neither an option
 * nor the value of one of `valueOptions`, so options may come before it; `--help` without a subcommand
 * prints the command's usage.
 */
export function runSubcommand(command: Pick<Command, "name" | "usage">, subcommands: Subcommands, valueOptions: ReadonlySet<string>, args: string[], io: CliIo): Promise<number> {
  const names = Object.keys(subcommands);
  const choices = `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
  const index = subcommandIndex(args, valueOptions);
  const rest = index === undefined ? args : [...args.slice(0, index), ...args.slice(index + 1)];
  if (index === undefined) {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(`${command.usage}\n`);
      return Promise.resolve(0);
    }
    throw new UsageError(`missing ${command.name} command: ${choices}`);
  }
  const name = args[index]!;
  const subcommand = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (subcommand === undefined) throw new UsageError(`unknown ${command.name} command '${name}': use ${choices}`);
  return subcommand(rest, io);
}

function subcommandIndex(args: readonly string[], valueOptions: ReadonlySet<string>): number | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (!arg.startsWith("-")) return index;
    if (valueOptions.has(arg)) index += 1;
  }
  return undefined;
}
