// `lambent invoke`: call a function synchronously (or queue an event) and print what it answered.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { writeJson, writeLine, writeText } from "../output.js";

const OPTIONS = {
  qualifier: { type: "string" },
  payload: { type: "string" },
  "payload-file": { type: "string" },
  log: { type: "boolean", default: false },
  async: { type: "boolean", default: false },
} as const;

export const invokeCommand: Command = {
  name: "invoke",
  summary: "invoke a function and print its response",
  usage: `Usage: lambent invoke <name> [options]

Prints the function's response payload to stdout. When the function fails, prints its error payload
and exits 1.

Options:
  --qualifier Q        version or alias to invoke (default: $LATEST)
  --payload JSON       event as JSON text (default: {})
  --payload-file F     read the event from file F
  --log                print the tail of the invocation's log to stderr
  --async              queue the event (invocation type Event) and return at once

With --json, prints {StatusCode, FunctionError, ExecutedVersion, LogResult, Payload} instead.

${COMMON_USAGE}`,
  run: runInvoke,
};

export async function runInvoke(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io, 1);
  if (common.help) {
    io.stdout.write(`${invokeCommand.usage}\n`);
    return 0;
  }
  const payload = await readPayload(values.payload, values["payload-file"], io.cwd);
  const client = createApiClient(common.endpoint);
  const response = await client.invoke({
    functionName: positionals[0]!,
    qualifier: values.qualifier,
    payload,
    invocationType: values.async ? "Event" : "RequestResponse",
    logType: values.log ? "Tail" : "None",
  });
  const text = new TextDecoder().decode(response.payload);
  const log = response.logResult === undefined ? undefined : Buffer.from(response.logResult, "base64").toString("utf8");

  if (common.json) {
    writeJson(io.stdout, {
      StatusCode: response.statusCode,
      FunctionError: response.functionError,
      ExecutedVersion: response.executedVersion,
      LogResult: log,
      Payload: parseOrKeep(text),
    });
  } else {
    if (log !== undefined) writeText(io.stderr, log);
    if (values.async) writeLine(io.stdout, `queued event for ${positionals[0]} (status ${response.statusCode}${response.requestId ? `, request ${response.requestId}` : ""})`);
    else writeText(io.stdout, text);
    if (response.functionError !== undefined) writeLine(io.stderr, `error: the function failed (${response.functionError})`);
  }
  return response.functionError === undefined ? 0 : 1;
}

/** The event to send: --payload or --payload-file (not both), checked to be JSON; `{}` when neither is given. */
export async function readPayload(inline: string | undefined, file: string | undefined, cwd: string): Promise<string> {
  if (inline !== undefined && file !== undefined) throw new UsageError("give --payload or --payload-file, not both");
  let text = inline ?? "{}";
  let source = "--payload";
  if (file !== undefined) {
    source = `payload file '${file}'`;
    try {
      text = await readFile(resolve(cwd, file), "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return text;
}

function parseOrKeep(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
