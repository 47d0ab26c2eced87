// Lambda's EventSourceMapping calls (Create, Get, List, Update, Delete) over the registry's
// EventSourceMappingStore: the settings checked as Lambda checks them (event-source-mapping-settings.ts),
// the JetStream side prepared (event-source-jetstream.ts), and answers in Lambda's shape, with the state
// the leading scheduler reports. Polling is the scheduler's (services/scheduler/src/event-sources/).
import { randomUUID } from "node:crypto";
import { LambdaError, invalidParameter, resourceConflict, resourceNotFound, serviceError } from "@lambent/errors";
import type { EventSourceMappingConfiguration, EventSourceMappingStateName, ListEventSourceMappingsResponse } from "@lambent/lambda-api";
import {
  LATEST,
  functionArn,
  isVersionNumber,
  parseDeadLetterTargetArn,
  parseFunctionReference,
  type ArnScope,
  type FunctionStore,
} from "@lambent/registry/functions";
import {
  NO_RECORDS_PROCESSED,
  UUID_PATTERN,
  parseEventSourceArn,
  type EventSourceMapping,
  type EventSourceMappingState,
  type EventSourceMappingStore,
  type QueueMapping,
  type StreamMapping,
} from "@lambent/registry/event-sources";
import { Consumers } from "@lambent/protocol";
import type { EventSourceJetStream } from "./event-source-jetstream.js";
import {
  MappingLimits,
  checkFieldsForKind,
  checkMappingRules,
  mergeSettings,
  readMappingSettings,
} from "./event-source-mapping-settings.js";
import { requireBody, requireString } from "./fields.js";
import { checkInput } from "./model-input.js";
import { compareStrings, paginate, type ListOptions } from "./pagination.js";

export interface ListEventSourceMappingsOptions extends ListOptions {
  functionName?: string;
  eventSourceArn?: string;
}

/** Lambda answers at most 100 mappings per page, whatever MaxItems asks. */
const MAX_PAGE = 100;
/**
 * Every change is the user's (Lambent does not disable mappings by itself), said as Lambda says it: a
 * queue's mapping in SQS's words, a stream's in Kinesis'.
 */
const TRANSITION_REASON = { queue: "USER_INITIATED", stream: "User action" } as const;

export class EventSourceMappings {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
    private readonly mappings: EventSourceMappingStore,
    private readonly jetstream: EventSourceJetStream,
    /** Visibility timeout of queue mappings that set none (LAMBENT_ESM_VISIBILITY_TIMEOUT_SECONDS). */
    private readonly defaultVisibilityTimeoutSeconds: number = MappingLimits.visibilityTimeoutSeconds.default,
    private readonly now: () => number = Date.now,
  ) {}

  /** CreateEventSourceMapping: answers State Creating; the leading scheduler starts polling it. */
  async create(input: unknown): Promise<EventSourceMappingConfiguration> {
    const body = requireBody(input);
    checkInput("CreateEventSourceMapping", body);
    const reference = parseFunctionReference(requireString(body, "FunctionName"), undefined, this.scope);
    const eventSourceArn = requireString(body, "EventSourceArn");
    const source = parseEventSourceArn(eventSourceArn);
    const settings = readMappingSettings(body);
    checkFieldsForKind(body, source.kind);
    await this.requireFunction(reference.functionName, reference.qualifier);
    const existing = (await this.mappings.list()).find(
      (mapping) => mapping.functionName === reference.functionName && mapping.qualifier === reference.qualifier && mapping.eventSourceArn === eventSourceArn,
    );
    if (existing) {
      throw resourceConflict(
        `The event source arn (" ${eventSourceArn} ") and function (" ${reference.functionName} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${existing.uuid}`,
      );
    }
    const uuid = randomUUID();
    const common = {
      uuid,
      functionName: reference.functionName,
      ...(reference.qualifier !== undefined ? { qualifier: reference.qualifier } : {}),
      eventSourceArn,
      enabled: settings.enabled ?? true,
      maximumBatchingWindowInSeconds: settings.maximumBatchingWindowInSeconds ?? 0,
      reportBatchItemFailures: settings.reportBatchItemFailures ?? false,
      maximumRetryAttempts: settings.maximumRetryAttempts ?? -1,
      ...(typeof settings.onFailure === "string" ? { onFailure: settings.onFailure } : {}),
      ...(settings.filters ? { filters: settings.filters } : {}),
      revisionId: randomUUID(),
      lastModified: this.now(),
    };
    const state: EventSourceMappingState = { lastProcessingResult: NO_RECORDS_PROCESSED };
    let mapping: EventSourceMapping;
    if (source.kind === "queue") {
      const info = await this.jetstream.streamCapturing(source.subject);
      const queue: QueueMapping = {
        ...common,
        kind: "queue",
        batchSize: settings.batchSize ?? MappingLimits.batchSize.queueDefault,
        subject: source.subject,
        stream: info.config.name,
        consumer: Consumers.eventSourceMapping(uuid),
        visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds ?? this.defaultVisibilityTimeoutSeconds,
        ...(typeof settings.maximumConcurrency === "number" ? { maximumConcurrency: settings.maximumConcurrency } : {}),
      };
      checkMappingRules(queue, this.now());
      await this.jetstream.createQueueConsumer(info, queue);
      mapping = queue;
    } else {
      if (settings.startingPosition === undefined) {
        throw invalidParameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
      }
      const stream: StreamMapping = {
        ...common,
        kind: "stream",
        batchSize: settings.batchSize ?? MappingLimits.batchSize.streamDefault,
        stream: source.stream,
        startingPosition: settings.startingPosition,
        ...(settings.startingPositionTimestamp !== undefined ? { startingPositionTimestamp: settings.startingPositionTimestamp } : {}),
        parallelizationFactor: settings.parallelizationFactor ?? 1,
        maximumRecordAgeInSeconds: settings.maximumRecordAgeInSeconds ?? -1,
        bisectBatchOnFunctionError: settings.bisectBatchOnFunctionError ?? false,
        ...(settings.tumblingWindowInSeconds ? { tumblingWindowInSeconds: settings.tumblingWindowInSeconds } : {}),
      };
      checkMappingRules(stream, this.now());
      const info = await this.jetstream.stream(source.stream);
      if (info.config.retention === "workqueue") {
        throw invalidParameter(`Stream '${source.stream}' is a work queue: map its subjects as queues (arn:aws:sqs:<region>:<account>:<subject>)`);
      }
      if (stream.onFailure !== undefined) await this.jetstream.refuseFeedback(stream.stream, parseDeadLetterTargetArn(stream.onFailure).subject);
      state.position = await this.jetstream.startingSequence(info, stream.startingPosition, stream.startingPositionTimestamp);
      state.partitions = {};
      mapping = stream;
    }
    try {
      await this.mappings.create(mapping, state);
    } catch (error) {
      if (mapping.kind === "queue") await this.jetstream.deleteQueueConsumer(mapping.stream, mapping.consumer).catch(() => undefined);
      throw error;
    }
    return this.describe(mapping, state, "Creating");
  }

  async get(uuid: string): Promise<EventSourceMappingConfiguration> {
    checkInput("GetEventSourceMapping", { UUID: uuid });
    const mapping = await this.require(uuid);
    return this.describe(mapping, (await this.mappings.getState(uuid))?.state);
  }

  /** ListEventSourceMappings: by UUID, optionally only one function's (any qualifier when FunctionName has none) or one source's. */
  async list(options: ListEventSourceMappingsOptions): Promise<ListEventSourceMappingsResponse> {
    checkInput("ListEventSourceMappings", {
      FunctionName: options.functionName || undefined,
      EventSourceArn: options.eventSourceArn || undefined,
      Marker: options.marker,
      MaxItems: options.maxItems,
    });
    const reference = options.functionName !== undefined && options.functionName !== "" ? parseFunctionReference(options.functionName, undefined, this.scope) : undefined;
    const maxItems = Math.min(parseListMaxItems(options.maxItems), MAX_PAGE);
    const all = (await this.mappings.list())
      .filter((mapping) => reference === undefined || (mapping.functionName === reference.functionName && (reference.qualifier === undefined || mapping.qualifier === reference.qualifier)))
      .filter((mapping) => options.eventSourceArn === undefined || options.eventSourceArn === "" || mapping.eventSourceArn === options.eventSourceArn)
      .sort((a, b) => compareStrings(a.uuid, b.uuid));
    const page = paginate(all, (mapping) => mapping.uuid, compareStrings, { ...(options.marker !== undefined ? { marker: options.marker } : {}), maxItems });
    const states = await Promise.all(page.items.map((mapping) => this.mappings.getState(mapping.uuid)));
    const response: ListEventSourceMappingsResponse = { EventSourceMappings: page.items.map((mapping, index) => this.describe(mapping, states[index]?.state)) };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  /** UpdateEventSourceMapping: the fields given change (FunctionName too); the source and starting position stay. */
  async update(uuid: string, input: unknown): Promise<EventSourceMappingConfiguration> {
    const body = requireBody(input);
    checkInput("UpdateEventSourceMapping", { ...body, UUID: uuid });
    const settings = readMappingSettings(body);
    const name = body["FunctionName"];
    const reference = typeof name === "string" && name !== "" ? parseFunctionReference(name, undefined, this.scope) : undefined;
    if (name !== undefined && name !== null && typeof name !== "string") throw invalidParameter("FunctionName must be a string");
    if (reference) await this.requireFunction(reference.functionName, reference.qualifier);
    const updated = await this.mappings.update(checkUuid(uuid), async (current) => {
      checkFieldsForKind(body, current.kind);
      if (settings.startingPosition !== undefined || settings.startingPositionTimestamp !== undefined) {
        throw invalidParameter("StartingPosition cannot be changed: create a new mapping to read from another position");
      }
      const next = mergeSettings(current, settings);
      if (reference) {
        next.functionName = reference.functionName;
        if (reference.qualifier === undefined) delete next.qualifier;
        else next.qualifier = reference.qualifier;
      }
      next.revisionId = randomUUID();
      next.lastModified = this.now();
      checkMappingRules(next, this.now());
      if (next.kind === "stream" && next.onFailure !== undefined && next.onFailure !== current.onFailure) {
        await this.jetstream.refuseFeedback(next.stream, parseDeadLetterTargetArn(next.onFailure).subject);
      }
      return next;
    });
    if (!updated) throw notFound();
    const { previous: current, mapping: next } = updated;
    if (current.kind === "queue" && next.kind === "queue" && next.visibilityTimeoutSeconds !== current.visibilityTimeoutSeconds) {
      await this.jetstream.updateVisibilityTimeout(next.stream, next.consumer, next.visibilityTimeoutSeconds);
    }
    const state = (await this.mappings.getState(uuid))?.state;
    return this.describe(next, state, current.enabled === next.enabled ? "Updating" : next.enabled ? "Enabling" : "Disabling");
  }

  /** DeleteEventSourceMapping: a queue mapping's consumer, then the mapping and its state (the scheduler stops polling it). */
  async delete(uuid: string): Promise<EventSourceMappingConfiguration> {
    checkInput("DeleteEventSourceMapping", { UUID: uuid });
    const mapping = await this.require(uuid);
    const state = (await this.mappings.getState(uuid))?.state;
    // The consumer first: should that fail, the mapping is still there to delete again.
    if (mapping.kind === "queue") await this.jetstream.deleteQueueConsumer(mapping.stream, mapping.consumer);
    await this.mappings.delete(uuid);
    return this.describe(mapping, state, "Deleting");
  }

  private async require(uuid: string): Promise<EventSourceMapping> {
    const mapping = await this.mappings.get(checkUuid(uuid));
    if (!mapping) throw notFound();
    return mapping;
  }

  /** The function, and the version or alias named, must exist when the mapping is created or moved (as in Lambda, a 400). */
  private async requireFunction(functionName: string, qualifier: string | undefined): Promise<void> {
    const missing = () => invalidParameter("Function does not exist");
    if (qualifier === undefined || qualifier === LATEST || isVersionNumber(qualifier)) {
      if (!(await this.functions.get(functionName, qualifier ?? LATEST))) throw missing();
      return;
    }
    if (!(await this.functions.aliases.get(functionName, qualifier))) throw missing();
  }

  /** A mapping as Lambda reports it; `transition` overrides the state a write just started. */
  private describe(mapping: EventSourceMapping, state: EventSourceMappingState | undefined, transition?: EventSourceMappingStateName): EventSourceMappingConfiguration {
    const described: EventSourceMappingConfiguration = {
      UUID: mapping.uuid,
      EventSourceMappingArn: `arn:aws:lambda:${this.scope.region}:${this.scope.accountId}:event-source-mapping:${mapping.uuid}`,
      EventSourceArn: mapping.eventSourceArn,
      FunctionArn: functionArn(this.scope, mapping.functionName, mapping.qualifier),
      BatchSize: mapping.batchSize,
      MaximumBatchingWindowInSeconds: mapping.maximumBatchingWindowInSeconds,
      FunctionResponseTypes: mapping.reportBatchItemFailures ? ["ReportBatchItemFailures"] : [],
      LastModified: mapping.lastModified / 1000,
      State: transition ?? stateOf(mapping, state),
      StateTransitionReason: TRANSITION_REASON[mapping.kind],
    };
    if (mapping.filters !== undefined) described.FilterCriteria = { Filters: mapping.filters.map((pattern) => ({ Pattern: pattern })) };
    if (mapping.kind === "queue") {
      if (mapping.maximumConcurrency !== undefined) described.ScalingConfig = { MaximumConcurrency: mapping.maximumConcurrency };
      if (mapping.maximumRetryAttempts >= 0) described.MaximumRetryAttempts = mapping.maximumRetryAttempts;
      if (mapping.onFailure !== undefined) described.DestinationConfig = { OnFailure: { Destination: mapping.onFailure } };
      described.VisibilityTimeoutSeconds = mapping.visibilityTimeoutSeconds;
      return described;
    }
    // Lambda reports the last batch's outcome for streams only.
    described.LastProcessingResult = state?.lastProcessingResult ?? NO_RECORDS_PROCESSED;
    described.StartingPosition = mapping.startingPosition;
    if (mapping.startingPositionTimestamp !== undefined) described.StartingPositionTimestamp = mapping.startingPositionTimestamp;
    described.ParallelizationFactor = mapping.parallelizationFactor;
    described.MaximumRecordAgeInSeconds = mapping.maximumRecordAgeInSeconds;
    described.BisectBatchOnFunctionError = mapping.bisectBatchOnFunctionError;
    described.MaximumRetryAttempts = mapping.maximumRetryAttempts;
    described.TumblingWindowInSeconds = mapping.tumblingWindowInSeconds ?? 0;
    described.DestinationConfig = { OnFailure: mapping.onFailure !== undefined ? { Destination: mapping.onFailure } : {} };
    return described;
  }
}

/**
 * Settled once the leading scheduler has applied the mapping's current revision: Enabled or Disabled.
 * Before that it is on its way: Creating (never applied), Enabling or Disabling, or Updating.
 */
export function stateOf(mapping: EventSourceMapping, state: EventSourceMappingState | undefined): EventSourceMappingStateName {
  const applied = state?.applied;
  if (applied === undefined) return "Creating";
  if (applied.revisionId === mapping.revisionId) return mapping.enabled ? "Enabled" : "Disabled";
  if (applied.enabled !== mapping.enabled) return mapping.enabled ? "Enabling" : "Disabling";
  return "Updating";
}

/** The mapping calls of an API, failing with ServiceException where the frontend was built without them. */
export function eventSourceMappingsOf(api: { eventSourceMappings?: EventSourceMappings | undefined }): EventSourceMappings {
  if (!api.eventSourceMappings) throw serviceError("Event source mappings are not available on this frontend");
  return api.eventSourceMappings;
}

function checkUuid(uuid: string): string {
  if (!UUID_PATTERN.test(uuid)) throw notFound();
  return uuid;
}

function notFound(): LambdaError {
  return resourceNotFound("The resource you requested does not exist.");
}

/** Lambda's MaxItems for this call: 1–10000 (a page holds at most 100), default 100. */
function parseListMaxItems(raw: string | number | undefined): number {
  if (raw === undefined || raw === "") return MAX_PAGE;
  const value = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) throw invalidParameter("MaxItems must be an integer from 1 to 10000");
  return value;
}
