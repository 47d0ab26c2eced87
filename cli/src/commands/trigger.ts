// `lambent trigger add|list|get|enable|disable|remove`: a function invoked asynchronously on a schedule,
// for each message on a NATS subject, or for each change in an Object Store or KV bucket.
import type { CreateTriggerRequest, TriggerConfiguration } from "@lambent/lambda-api";
import { collectPages, createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, FUNCTION_OPTION, UsageError, parseCommandArgs, runSubcommand, type CliIo, type Command, type Subcommands } from "../command.js";
import { formatFields, formatTable, writeJson, writeLine } from "../output.js";

const ADD_OPTIONS = {
  ...FUNCTION_OPTION,
  qualifier: { type: "string" },
  description: { type: "string" },
  disabled: { type: "boolean", default: false },
  schedule: { type: "string" },
  timezone: { type: "string" },
  input: { type: "string" },
  subject: { type: "string" },
  bucket: { type: "string" },
  prefix: { type: "string" },
  suffix: { type: "string" },
  events: { type: "string" },
  kv: { type: "string" },
  keys: { type: "string" },
} as const;

/** Options of any trigger subcommand that take a value, so the subcommand can be found behind them. */
const VALUE_OPTIONS = new Set(
  ["endpoint", ...Object.entries(ADD_OPTIONS).filter(([, option]) => option.type === "string").map(([name]) => name)].map((name) => `--${name}`),
);

/** `--events` words and the S3 event types they stand for. */
const EVENT_WORDS: Record<string, string> = { created: "s3:ObjectCreated:*", removed: "s3:ObjectRemoved:*" };

export const triggerCommand: Command = {
  name: "trigger",
  summary: "invoke a function on a schedule, per NATS message, or per bucket or KV change",
  usage: `Usage: lambent trigger <add|list|get|enable|disable|remove> ... [options]

  lambent trigger add <name> --function F [--qualifier Q] [--description D] [--disabled] SOURCE
      Creates a trigger that invokes F (asynchronously, with retries and destinations as for any
      Event invoke) from one SOURCE:
        --schedule EXPR [--timezone TZ] [--input JSON]
            rate(5 minutes), rate(30 seconds), cron(0 12 * * ? *) or, once, at(2030-01-31T09:30:00), as
            EventBridge writes them; cron and at times are read in TZ (an IANA name, default UTC); JSON
            replaces the scheduled event
        --subject S
            every message on the NATS subject S (wildcards allowed), as an SNS notification
        --bucket B [--prefix P] [--suffix S] [--events created,removed]
            puts and deletes in the Object Store bucket B, as S3 notifications
        --kv B [--keys FILTER]
            puts and deletes in the KV bucket B (keys matching FILTER, e.g. 'orders.>'), as DynamoDB
            Streams records
  lambent trigger list [--function F]
      Every trigger (all pages), or F's.
  lambent trigger get <name>
      The trigger; a schedule with its next and last fire time.
  lambent trigger enable <name>
  lambent trigger disable <name>
  lambent trigger remove <name>

With --json, add, get, enable and disable print the trigger, list prints {"Triggers": [...]}, remove
prints {"Name", "Deleted": true}.

${COMMON_USAGE}`,
  run: runTrigger,
};

const SUBCOMMANDS: Subcommands = {
  add: runAdd,
  list: runList,
  get: runGet,
  enable: (args, io) => runSetEnabled(args, io, true),
  disable: (args, io) => runSetEnabled(args, io, false),
  remove: runRemove,
};

export function runTrigger(args: string[], io: CliIo): Promise<number> {
  return runSubcommand(triggerCommand, SUBCOMMANDS, VALUE_OPTIONS, args, io);
}

async function runAdd(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, ADD_OPTIONS, io, { min: 1, max: 1 });
  if (common.help) return help(io);
  const functionName = values.function ?? (io.env.LAMBENT_FUNCTION || undefined);
  if (functionName === undefined || functionName === "") throw new UsageError("--function is required (or LAMBENT_FUNCTION)");
  const request: CreateTriggerRequest = { Name: positionals[0]!, FunctionName: functionName, ...sourceOf(values) };
  if (values.qualifier !== undefined) request.Qualifier = values.qualifier;
  if (values.description !== undefined) request.Description = values.description;
  if (values.disabled === true) request.Enabled = false;
  const trigger = await createApiClient(common.endpoint).createTrigger(request);
  if (common.json) writeJson(io.stdout, trigger);
  else io.stdout.write(describeTrigger(trigger));
  return 0;
}

type AddValues = ReturnType<typeof parseCommandArgs<typeof ADD_OPTIONS>>["values"];

/** The one source the options name, with the options that belong to it and no others. */
function sourceOf(values: AddValues): Pick<CreateTriggerRequest, "Schedule" | "Topic" | "Bucket" | "KeyValue"> {
  const sources = (["schedule", "subject", "bucket", "kv"] as const).filter((option) => values[option] !== undefined);
  if (sources.length !== 1) throw new UsageError("give exactly one source: --schedule, --subject, --bucket or --kv");
  const source = sources[0]!;
  const belongs: Record<typeof source, readonly (keyof AddValues)[]> = {
    schedule: ["timezone", "input"],
    subject: [],
    bucket: ["prefix", "suffix", "events"],
    kv: ["keys"],
  };
  for (const option of ["timezone", "input", "prefix", "suffix", "events", "keys"] as const) {
    if (values[option] !== undefined && !belongs[source].includes(option)) throw new UsageError(`--${option} does not go with --${source}`);
  }
  switch (source) {
    case "schedule":
      return { Schedule: { Expression: values.schedule!, ...(values.timezone ? { Timezone: values.timezone } : {}), ...(values.input ? { Input: values.input } : {}) } };
    case "subject":
      return { Topic: { Subject: values.subject! } };
    case "bucket":
      return {
        Bucket: {
          Bucket: values.bucket!,
          ...(values.events === undefined ? {} : { Events: parseEvents(values.events) }),
          ...(values.prefix === undefined ? {} : { Prefix: values.prefix }),
          ...(values.suffix === undefined ? {} : { Suffix: values.suffix }),
        },
      };
    case "kv":
      return { KeyValue: { Bucket: values.kv!, ...(values.keys === undefined ? {} : { Keys: values.keys }) } };
  }
}

/** `created,removed` (or S3's own names, `s3:ObjectCreated:Put`) → S3 event types. */
export function parseEvents(raw: string): string[] {
  const events = raw.split(",").map((word) => word.trim()).filter((word) => word !== "");
  if (events.length === 0) throw new UsageError("--events needs created, removed, or S3 event types");
  return events.map((word) => {
    if (word.includes(":")) return word;
    const event = EVENT_WORDS[word];
    if (event === undefined) throw new UsageError(`--events: '${word}' is not created, removed or an S3 event type (s3:ObjectCreated:Put)`);
    return event;
  });
}

async function runList(args: string[], io: CliIo): Promise<number> {
  const { values, common } = parseCommandArgs(args, FUNCTION_OPTION, io, { min: 0, max: 0 });
  if (common.help) return help(io);
  const client = createApiClient(common.endpoint);
  const triggers = await collectPages(
    (marker) => client.listTriggers({ ...(values.function ? { functionName: values.function } : {}), ...(marker ? { marker } : {}) }),
    (page) => page.Triggers,
  );
  if (common.json) writeJson(io.stdout, { Triggers: triggers });
  else if (triggers.length === 0) writeLine(io.stdout, values.function ? `no triggers for ${values.function}` : "no triggers");
  else {
    const rows = triggers.map((trigger) => [
      trigger.Name,
      target(trigger),
      trigger.Enabled ? "yes" : "no",
      describeSource(trigger),
      trigger.NextFireTime ?? "",
    ]);
    io.stdout.write(formatTable(["NAME", "FUNCTION", "ENABLED", "SOURCE", "NEXT"], rows));
  }
  return 0;
}

async function runGet(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, { min: 1, max: 1 });
  if (common.help) return help(io);
  const trigger = await createApiClient(common.endpoint).getTrigger(positionals[0]!);
  if (common.json) writeJson(io.stdout, trigger);
  else io.stdout.write(describeTrigger(trigger));
  return 0;
}

async function runSetEnabled(args: string[], io: CliIo, enabled: boolean): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, { min: 1, max: 1 });
  if (common.help) return help(io);
  const trigger = await createApiClient(common.endpoint).updateTrigger(positionals[0]!, { Enabled: enabled });
  if (common.json) writeJson(io.stdout, trigger);
  else writeLine(io.stdout, `${enabled ? "enabled" : "disabled"} trigger ${trigger.Name}${trigger.NextFireTime ? ` (next fire time ${trigger.NextFireTime})` : ""}`);
  return 0;
}

async function runRemove(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, { min: 1, max: 1 });
  if (common.help) return help(io);
  const name = positionals[0]!;
  await createApiClient(common.endpoint).deleteTrigger(name);
  if (common.json) writeJson(io.stdout, { Name: name, Deleted: true });
  else writeLine(io.stdout, `removed trigger ${name}`);
  return 0;
}

function help(io: CliIo): number {
  io.stdout.write(`${triggerCommand.usage}\n`);
  return 0;
}

function target(trigger: TriggerConfiguration): string {
  return trigger.Qualifier === "$LATEST" ? trigger.FunctionName : `${trigger.FunctionName}:${trigger.Qualifier}`;
}

/** One line for the source: `schedule cron(0 12 * * ? *) in Europe/Paris`, `topic orders.*`, … */
export function describeSource(trigger: TriggerConfiguration): string {
  if (trigger.Schedule) {
    const zone = trigger.Schedule.Timezone && trigger.Schedule.Timezone !== "UTC" ? ` in ${trigger.Schedule.Timezone}` : "";
    return `schedule ${trigger.Schedule.Expression}${zone}`;
  }
  if (trigger.Topic) return `topic ${trigger.Topic.Subject}`;
  if (trigger.Bucket) {
    const filters = [trigger.Bucket.Prefix ? `prefix ${trigger.Bucket.Prefix}` : "", trigger.Bucket.Suffix ? `suffix ${trigger.Bucket.Suffix}` : ""].filter(Boolean);
    return `bucket ${trigger.Bucket.Bucket} (${(trigger.Bucket.Events ?? []).join(", ")}${filters.length ? `; ${filters.join(", ")}` : ""})`;
  }
  if (trigger.KeyValue) return `kv ${trigger.KeyValue.Bucket}${trigger.KeyValue.Keys ? ` keys ${trigger.KeyValue.Keys}` : ""}`;
  return "unknown";
}

export function describeTrigger(trigger: TriggerConfiguration): string {
  return formatFields([
    ["Name", trigger.Name],
    ["Function", trigger.FunctionArn],
    ["Enabled", trigger.Enabled ? "yes" : "no"],
    ["Source", describeSource(trigger)],
    ["Input", trigger.Schedule?.Input],
    ["NextFireTime", trigger.NextFireTime],
    ["LastFireTime", trigger.LastFireTime],
    ["Description", trigger.Description],
    ["CreatedAt", trigger.CreatedAt],
    ["LastModified", trigger.LastModified],
  ]);
}
