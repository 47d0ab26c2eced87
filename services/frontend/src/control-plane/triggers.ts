// Lambent's trigger calls (CreateTrigger, GetTrigger, ListTriggers, UpdateTrigger, DeleteTrigger): a
// function invoked asynchronously on a schedule, per message on a NATS subject, or per change in an Object
// Store or KV bucket. Records go to KV (`trigger.<name>`, @lambent/registry); a bucket or KV trigger's
// durable consumer is made here at create, so nothing written between the create and the leading
// scheduler picking the trigger up is missed, and removed at delete. The scheduler does the firing.
import type { JetStreamManager } from "@nats-io/jetstream";
import { LambdaError, invalidParameter, resourceConflict, resourceNotFound } from "@lambent/errors";
import type { ListTriggersResponse, TriggerConfiguration } from "@lambent/lambda-api";
import { LATEST, functionArn, isVersionNumber, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";
import {
  deleteTriggerConsumer,
  ensureTriggerConsumer,
  isConsumedSource,
  sourceStreamExists,
  type TriggerRecord,
  type TriggerSource,
  type TriggerState,
  type TriggerStore,
} from "@lambent/registry/triggers";
import { createSchedule, nextFireTime } from "@lambent/schedule-expression";
import { requireBody, requireString, optionalObject, optionalString, type Body } from "./fields.js";
import { compareStrings, paginate, type ListOptions } from "./pagination.js";
import { checkSchedule, readDescription, readEnabled, readInput, readSource, readTriggerName } from "./trigger-input.js";

export interface TriggerOperationsOptions {
  scope: ArnScope;
  triggers: TriggerStore;
  /** Read only: the function and qualifier a trigger names must exist when it is set. */
  functions: FunctionStore;
  jsm: JetStreamManager;
  now?: () => number;
}

export class TriggerOperations {
  private readonly now: () => number;

  constructor(private readonly options: TriggerOperationsOptions) {
    this.now = options.now ?? Date.now;
  }

  async create(input: unknown): Promise<TriggerConfiguration> {
    const body = requireBody(input);
    const name = readTriggerName(body["Name"]);
    const { functionName, qualifier } = this.readTarget(body);
    const time = this.now();
    const record: TriggerRecord = {
      name,
      functionName,
      qualifier,
      enabled: readEnabled(body) ?? true,
      description: readDescription(body) ?? "",
      createdAt: time,
      lastModified: time,
      source: readSource(body, scheduleStart(time)),
    };
    await this.requireTarget(functionName, qualifier);
    if (await this.options.triggers.get(name)) throw this.exists(name);
    const { source } = record;
    if (isConsumedSource(source)) {
      if (!(await sourceStreamExists(this.options.jsm, source))) {
        const kind = source.type === "bucket" ? "Object Store" : "KV";
        throw invalidParameter(`${source.type === "bucket" ? "Bucket" : "KeyValue"}.Bucket: the ${kind} bucket '${source.bucket}' does not exist; create it first`);
      }
      await ensureTriggerConsumer(this.options.jsm, name, source);
    }
    if (!(await this.options.triggers.create(record))) throw this.exists(name);
    return this.describe(record);
  }

  async get(name: string): Promise<TriggerConfiguration> {
    const record = await this.require(name);
    return this.describe(record, await this.options.triggers.state(name));
  }

  /** Every trigger by name, or those of one function (`FunctionName`, a name or ARN). */
  async list(functionReference: string | undefined, options: ListOptions): Promise<ListTriggersResponse> {
    const functionName = functionReference ? parseFunctionReference(functionReference).functionName : undefined;
    const all = await this.options.triggers.list();
    const selected = functionName === undefined ? all : all.filter((record) => record.functionName === functionName);
    const page = paginate(selected, (record) => record.name, compareStrings, options);
    const response: ListTriggersResponse = { Triggers: page.items.map((record) => this.describe(record)) };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  /**
   * UpdateTrigger: `Enabled`, `Qualifier`, `Description`, and a schedule's `Expression`, `Timezone` and
   * `Input` (`""` removes the input). A schedule enabled again, or given a new expression or time zone,
   * counts from now: ticks missed meanwhile are not fired.
   */
  async update(name: string, input: unknown): Promise<TriggerConfiguration> {
    readTriggerName(name);
    const body = requireBody(input);
    for (const field of ["Topic", "Bucket", "KeyValue", "FunctionName", "Name"]) {
      if (body[field] !== undefined) throw invalidParameter(`${field} cannot be changed: delete the trigger and create it again`);
    }
    const enabled = readEnabled(body);
    const description = readDescription(body);
    const qualifierGiven = optionalString(body, "Qualifier");
    const schedule = optionalObject(body, "Schedule");
    const current = await this.require(name);
    const qualifier = qualifierGiven === undefined || qualifierGiven === "" ? undefined : qualifierGiven;
    if (qualifier !== undefined) await this.requireTarget(current.functionName, parseFunctionReference(current.functionName, qualifier).qualifier ?? LATEST);
    if (schedule !== undefined && current.source.type !== "schedule") throw invalidParameter(`Trigger ${name} is not a schedule: Schedule cannot be set`);
    const updated = await this.options.triggers.update(name, (record) => {
      const time = this.now();
      const next: TriggerRecord = { ...record, lastModified: time };
      if (description !== undefined) next.description = description;
      if (qualifier !== undefined) next.qualifier = qualifier;
      let restart = false;
      if (enabled !== undefined) {
        restart = enabled && !record.enabled;
        next.enabled = enabled;
      }
      if (next.source.type === "schedule") {
        const source = { ...next.source };
        if (schedule !== undefined) {
          const expression = optionalString(schedule, "Expression") || source.expression;
          const timezone = optionalString(schedule, "Timezone") || source.timezone;
          restart ||= expression !== source.expression || timezone !== source.timezone;
          source.expression = expression;
          source.timezone = timezone;
          const newInput = readInput(schedule);
          if (newInput === "") delete source.input;
          else if (newInput !== undefined) source.input = newInput;
        }
        if (restart) {
          source.start = scheduleStart(time);
          checkSchedule(source.expression, source.timezone, source.start);
        }
        next.source = source;
      }
      return next;
    });
    if (!updated) throw this.notFound(name);
    return this.describe(updated, await this.options.triggers.state(name));
  }

  /** Deletes the trigger, its schedule state and its consumer; an invocation already enqueued still runs. */
  async delete(name: string): Promise<void> {
    const record = await this.require(name);
    // The consumer first: should the record's delete then fail, the trigger stays whole (the leader
    // makes the consumer again) instead of leaving a consumer nobody reads.
    if (isConsumedSource(record.source)) await deleteTriggerConsumer(this.options.jsm, name, record.source);
    if (!(await this.options.triggers.delete(name))) throw this.notFound(name);
  }

  private readTarget(body: Body): { functionName: string; qualifier: string } {
    const reference = parseFunctionReference(requireString(body, "FunctionName"), optionalString(body, "Qualifier") || undefined);
    return { functionName: reference.functionName, qualifier: reference.qualifier ?? LATEST };
  }

  /** The function, and its version or alias, must exist when a trigger names them (as for an event source mapping). */
  private async requireTarget(functionName: string, qualifier: string): Promise<void> {
    const { functions, scope } = this.options;
    const exists =
      qualifier === LATEST || isVersionNumber(qualifier)
        ? (await functions.get(functionName, qualifier)) !== undefined
        : (await functions.get(functionName, LATEST)) !== undefined && (await functions.aliases.get(functionName, qualifier)) !== undefined;
    if (!exists) throw resourceNotFound(`Function not found: ${functionArn(scope, functionName, qualifier === LATEST ? undefined : qualifier)}`);
  }

  private async require(name: string): Promise<TriggerRecord> {
    readTriggerName(name);
    const record = await this.options.triggers.get(name);
    if (!record) throw this.notFound(name);
    return record;
  }

  private describe(record: TriggerRecord, state?: TriggerState): TriggerConfiguration {
    const { scope } = this.options;
    const shown: TriggerConfiguration = {
      Name: record.name,
      FunctionName: record.functionName,
      FunctionArn: functionArn(scope, record.functionName, record.qualifier === LATEST ? undefined : record.qualifier),
      Qualifier: record.qualifier,
      Enabled: record.enabled,
      Description: record.description,
      CreatedAt: new Date(record.createdAt).toISOString(),
      LastModified: new Date(record.lastModified).toISOString(),
      ...describeSource(record.source),
    };
    if (record.source.type === "schedule") {
      const lastTick = state && state.lastTick > record.source.start ? state.lastTick : undefined;
      if (record.enabled) {
        const next = nextTick(record.source, Math.max(this.now(), lastTick ?? 0));
        if (next !== undefined) shown.NextFireTime = new Date(next).toISOString();
      }
      if (lastTick !== undefined) shown.LastFireTime = new Date(lastTick).toISOString();
    }
    return shown;
  }

  private exists(name: string): LambdaError {
    return resourceConflict(`Trigger ${name} already exists`);
  }

  private notFound(name: string): LambdaError {
    return resourceNotFound(`Trigger not found: ${name}`);
  }
}

function describeSource(source: TriggerSource): Partial<TriggerConfiguration> {
  switch (source.type) {
    case "schedule":
      return { Schedule: { Expression: source.expression, Timezone: source.timezone, ...(source.input === undefined ? {} : { Input: source.input }) } };
    case "topic":
      return { Topic: { Subject: source.subject } };
    case "bucket":
      return {
        Bucket: {
          Bucket: source.bucket,
          Events: source.events,
          ...(source.prefix === undefined ? {} : { Prefix: source.prefix }),
          ...(source.suffix === undefined ? {} : { Suffix: source.suffix }),
        },
      };
    case "keyValue":
      return { KeyValue: { Bucket: source.bucket, ...(source.keys === undefined ? {} : { Keys: source.keys }) } };
  }
}

function nextTick(source: TriggerSource & { type: "schedule" }, after: number): number | undefined {
  try {
    return nextFireTime(createSchedule(source.expression, source.timezone, source.start), after);
  } catch {
    // A stored expression that no longer parses has no next tick to show; the scheduler logs it.
    return undefined;
  }
}

/** A schedule counts from a whole second, so a rate's ticks fall on whole seconds. */
function scheduleStart(time: number): number {
  return Math.floor(time / 1000) * 1000;
}

/** The trigger calls of an API, or ServiceException where this frontend has none. */
export function triggersOf(api: { triggers?: TriggerOperations | undefined }): TriggerOperations {
  if (!api.triggers) throw new LambdaError("ServiceException", "Triggers are not available on this frontend");
  return api.triggers;
}
