// `lambent mapping`: create, list, show, change and delete event source mappings (Lambda's
// EventSourceMapping): a queue or stream on JetStream polled by the cluster, invoking a function with batches.
import type { EventSourceMappingConfiguration, EventSourceMappingRequest } from "@lambent/lambda-api";
import { collectPages, createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, parsePositiveInteger, parseWholeNumber, type CliIo, type Command } from "../command.js";
import { formatFields, formatTable, writeJson, writeLine } from "../output.js";

const OPTIONS = {
  function: { type: "string" },
  source: { type: "string" },
  "batch-size": { type: "string" },
  window: { type: "string" },
  "starting-position": { type: "string" },
  "starting-timestamp": { type: "string" },
  "report-item-failures": { type: "boolean" },
  "no-report-item-failures": { type: "boolean" },
  "max-retries": { type: "string" },
  "max-record-age": { type: "string" },
  bisect: { type: "boolean" },
  "no-bisect": { type: "boolean" },
  parallelization: { type: "string" },
  "tumbling-window": { type: "string" },
  "on-failure": { type: "string" },
  "max-concurrency": { type: "string" },
  "visibility-timeout": { type: "string" },
  filter: { type: "string", multiple: true },
  "no-filter": { type: "boolean" },
  enable: { type: "boolean" },
  disable: { type: "boolean" },
  disabled: { type: "boolean" },
} as const;

const SETTINGS_USAGE = `Settings (create and update):
  --batch-size N            records per batch, 1 to 10000 (default 10 for queues, 100 for streams)
  --window S                seconds to gather a batch, 0 to 300 (queues: at least 1 when --batch-size > 10)
  --report-item-failures    the function reports failed items ({"batchItemFailures": [...]})
  --no-report-item-failures (update) stop reading partial batch responses
  --max-retries N           -1 (unlimited) to 10000: streams retry a failed batch N times; queues move a
                            message to --on-failure after 1 + N failed receives
  --on-failure ARN          arn:aws:sns:… or arn:aws:sqs:… for given-up records (streams) or dead letters
                            (queues); '' removes it (update)
  --max-concurrency N       queues: batches in flight at most, 2 to 1000 (default 10); 0 removes it (update)
  --visibility-timeout S    queues: seconds a failed message stays invisible, 1 to 43200 (default 30)
  --max-record-age S        streams: -1 (unlimited) or 60 to 604800
  --bisect, --no-bisect     streams: split a failing batch in two before retrying
  --parallelization N       streams: batches in flight at once, 1 to 10 (default 1)
  --tumbling-window S       streams: tumbling windows of S seconds, 1 to 900; 0 turns them off
  --filter PATTERN          a filter pattern (JSON, Lambda's syntax): only records one of the patterns
                            matches run the function; repeat for more (update: replaces them)
  --no-filter               (update) remove the filters: every record runs the function`;

export const mappingCommand: Command = {
  name: "mapping",
  summary: "create, list, show, change or delete event source mappings",
  usage: `Usage: lambent mapping create --function F --source ARN [--starting-position P [--starting-timestamp T]] [settings] [--disabled]
       lambent mapping list [--function F] [--source ARN]
       lambent mapping get <uuid>
       lambent mapping update <uuid> [--function F] [--enable | --disable] [settings]
       lambent mapping delete <uuid>

An event source mapping polls a queue or a stream on JetStream and invokes a function with batches:
  --source arn:aws:sqs:<region>:<account>:<subject>            the messages on a subject (queue semantics)
  --source arn:aws:kinesis:<region>:<account>:stream/<stream>  a stream, in order per subject (stream semantics)
Streams need --starting-position TRIM_HORIZON, LATEST or AT_TIMESTAMP (with --starting-timestamp, an ISO
8601 time or epoch seconds). --function takes a name, name:qualifier or ARN.

${SETTINGS_USAGE}

Write -1 with an equals sign (--max-retries=-1), or it reads as an option.
With --json, prints the EventSourceMappingConfiguration (list: {"EventSourceMappings": [...]}).

${COMMON_USAGE}`,
  run: runMapping,
};

export async function runMapping(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, { min: 0, max: 2 });
  if (common.help) {
    io.stdout.write(`${mappingCommand.usage}\n`);
    return 0;
  }
  const [action, uuid] = positionals;
  const client = createApiClient(common.endpoint);
  const show = (mapping: EventSourceMappingConfiguration): number => {
    if (common.json) writeJson(io.stdout, mapping);
    else io.stdout.write(describeMapping(mapping));
    return 0;
  };
  switch (action) {
    case "create": {
      if (uuid !== undefined) throw new UsageError(`unexpected argument '${uuid}'`);
      if (values.function === undefined || values.function === "") throw new UsageError("--function is required");
      if (values.source === undefined || values.source === "") throw new UsageError("--source is required");
      if (values.enable || values.disable) throw new UsageError("create takes --disabled, not --enable or --disable");
      const request = { FunctionName: values.function, EventSourceArn: values.source, ...readSettings(values, true) };
      if (values.disabled) request.Enabled = false;
      return show(await client.createEventSourceMapping(request));
    }
    case "list": {
      if (uuid !== undefined) throw new UsageError(`unexpected argument '${uuid}'`);
      const filter = { ...(values.function ? { functionName: values.function } : {}), ...(values.source ? { eventSourceArn: values.source } : {}) };
      const mappings = await collectPages((marker) => client.listEventSourceMappings({ ...filter, ...(marker ? { marker } : {}) }), (page) => page.EventSourceMappings);
      if (common.json) writeJson(io.stdout, { EventSourceMappings: mappings });
      else if (mappings.length === 0) writeLine(io.stdout, "no event source mappings");
      else {
        const rows = mappings.map((mapping) => [mapping.UUID, mapping.State ?? "", functionOf(mapping), mapping.EventSourceArn ?? "", String(mapping.BatchSize ?? ""), mapping.LastProcessingResult ?? ""]);
        io.stdout.write(formatTable(["UUID", "STATE", "FUNCTION", "SOURCE", "BATCH", "LAST RESULT"], rows));
      }
      return 0;
    }
    case "get":
      return show(await client.getEventSourceMapping(requireUuid(uuid)));
    case "update": {
      const id = requireUuid(uuid);
      if (values.source !== undefined) throw new UsageError("the source of a mapping cannot change: create a new one");
      if (values["starting-position"] !== undefined || values["starting-timestamp"] !== undefined) throw new UsageError("the starting position of a mapping cannot change");
      if (values.enable && values.disable) throw new UsageError("--enable and --disable cannot be combined");
      const request: EventSourceMappingRequest & { FunctionName?: string } = readSettings(values, false);
      if (values.function) request.FunctionName = values.function;
      if (values.enable) request.Enabled = true;
      if (values.disable) request.Enabled = false;
      if (Object.keys(request).length === 0) throw new UsageError("nothing to change: give --enable, --disable, --function or a setting");
      return show(await client.updateEventSourceMapping(id, request));
    }
    case "delete": {
      const deleted = await client.deleteEventSourceMapping(requireUuid(uuid));
      if (common.json) writeJson(io.stdout, deleted);
      else writeLine(io.stdout, `deleted event source mapping ${deleted.UUID}`);
      return 0;
    }
    case undefined:
      throw new UsageError("missing action: create, list, get, update or delete");
    default:
      throw new UsageError(`unknown action '${action}': create, list, get, update or delete`);
  }
}

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>["values"];

function readSettings(values: Values, creating: boolean): EventSourceMappingRequest {
  const request: EventSourceMappingRequest = {};
  const batchSize = parsePositiveInteger("batch-size", values["batch-size"]);
  if (batchSize !== undefined) request.BatchSize = batchSize;
  const window = parseWholeNumber("window", values.window);
  if (window !== undefined) request.MaximumBatchingWindowInSeconds = window;
  if (values["starting-position"] !== undefined) request.StartingPosition = values["starting-position"];
  if (values["starting-timestamp"] !== undefined) request.StartingPositionTimestamp = parseTimestamp(values["starting-timestamp"]);
  if (values["report-item-failures"] && values["no-report-item-failures"]) throw new UsageError("--report-item-failures and --no-report-item-failures cannot be combined");
  if (values["report-item-failures"]) request.FunctionResponseTypes = ["ReportBatchItemFailures"];
  if (values["no-report-item-failures"]) request.FunctionResponseTypes = [];
  const retries = parseSignedCount("max-retries", values["max-retries"]);
  if (retries !== undefined) request.MaximumRetryAttempts = retries;
  const age = parseSignedCount("max-record-age", values["max-record-age"]);
  if (age !== undefined) request.MaximumRecordAgeInSeconds = age;
  if (values.bisect && values["no-bisect"]) throw new UsageError("--bisect and --no-bisect cannot be combined");
  if (values.bisect) request.BisectBatchOnFunctionError = true;
  if (values["no-bisect"]) request.BisectBatchOnFunctionError = false;
  const parallelization = parsePositiveInteger("parallelization", values.parallelization);
  if (parallelization !== undefined) request.ParallelizationFactor = parallelization;
  const tumbling = parseWholeNumber("tumbling-window", values["tumbling-window"]);
  if (tumbling !== undefined) request.TumblingWindowInSeconds = tumbling;
  if (values["on-failure"] !== undefined) {
    if (values["on-failure"] === "" && creating) throw new UsageError("--on-failure is empty");
    request.DestinationConfig = { OnFailure: values["on-failure"] === "" ? {} : { Destination: values["on-failure"] } };
  }
  const concurrency = parseWholeNumber("max-concurrency", values["max-concurrency"]);
  if (concurrency !== undefined) {
    if (concurrency === 0 && creating) throw new UsageError("--max-concurrency must be from 2 to 1000");
    request.ScalingConfig = concurrency === 0 ? {} : { MaximumConcurrency: concurrency };
  }
  const visibility = parsePositiveInteger("visibility-timeout", values["visibility-timeout"]);
  if (visibility !== undefined) request.VisibilityTimeoutSeconds = visibility;
  if (values.filter !== undefined && values["no-filter"]) throw new UsageError("--filter and --no-filter cannot be combined");
  if (values.filter !== undefined) request.FilterCriteria = { Filters: values.filter.map((pattern) => ({ Pattern: pattern })) };
  if (values["no-filter"]) {
    if (creating) throw new UsageError("--no-filter is for update");
    request.FilterCriteria = {};
  }
  return request;
}

function requireUuid(uuid: string | undefined): string {
  if (uuid === undefined || uuid === "") throw new UsageError("missing argument: the mapping's UUID");
  return uuid;
}

/** -1 or a whole number. */
function parseSignedCount(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^(-1|\d+)$/.test(raw)) throw new UsageError(`--${flag} must be -1 or a whole number, got '${raw}'`);
  return Number(raw);
}

/** Epoch seconds, from epoch seconds or an ISO 8601 time. */
function parseTimestamp(raw: string): number {
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const parsed = Date.parse(raw);
  if (Number.isNaN(parsed)) throw new UsageError(`--starting-timestamp must be an ISO 8601 time or epoch seconds, got '${raw}'`);
  return parsed / 1000;
}

function functionOf(mapping: EventSourceMappingConfiguration): string {
  const arn = mapping.FunctionArn ?? "";
  const index = arn.indexOf(":function:");
  return index < 0 ? arn : arn.slice(index + ":function:".length);
}

export function describeMapping(mapping: EventSourceMappingConfiguration): string {
  return formatFields([
    ["UUID", mapping.UUID],
    ["State", mapping.State],
    ["Function", functionOf(mapping)],
    ["Source", mapping.EventSourceArn],
    ["BatchSize", mapping.BatchSize],
    ["BatchingWindow", mapping.MaximumBatchingWindowInSeconds === undefined ? undefined : `${mapping.MaximumBatchingWindowInSeconds} s`],
    ["StartingPosition", mapping.StartingPosition],
    ["ReportItemFailures", mapping.FunctionResponseTypes === undefined ? undefined : mapping.FunctionResponseTypes.length > 0 ? "yes" : "no"],
    ["MaximumRetryAttempts", mapping.MaximumRetryAttempts],
    ["OnFailure", mapping.DestinationConfig?.OnFailure?.Destination],
    ["MaximumConcurrency", mapping.ScalingConfig?.MaximumConcurrency],
    ["Filters", mapping.FilterCriteria?.Filters.map((filter) => filter.Pattern).join(" | ")],
    ["LastProcessingResult", mapping.LastProcessingResult],
    ["LastModified", mapping.LastModified === undefined ? undefined : new Date(mapping.LastModified * 1000).toISOString()],
  ]);
}
