// AWS Step Functions' operations on Lambent: state machines and executions in the workflows bucket, their
// history in the history stream; executions are driven by the leading scheduler, which hears of each
// start, stop and answered task token on `lambent.sfn.wake`. Inputs arrive checked against AWS's service
// model (@lambent/sfn-api); what the model cannot say (names, ARNs, definitions, JSON) is checked here,
// and every refusal is an SfnError with AWS's error type and wording.
import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/nats-core";
import type { JetStreamClient } from "@nats-io/jetstream";
import { Subjects, encodeJson, decodeJson } from "@lambent/protocol";
import type { Shapes } from "@lambent/sfn-api";
import { expressDiagnostics, invalidDefinitionMessage, parseDefinition } from "@lambent/states-language";
import {
  appendHistory,
  executionArn,
  executionEndEvent,
  executionStartedEvent,
  executionKey,
  expressExecutionArn,
  isValidName,
  parseExecutionArn,
  parseStateMachineArn,
  readHistory,
  stateMachineArn,
  type ExecutionRecord,
  type HistoryEvent,
  type StateMachineRecord,
  type StatesScope,
  type SyncExecutionRequest,
  type SyncExecutionResult,
  type WorkflowStore,
} from "@lambent/workflow-store";
import { tracer } from "@lambent/telemetry";
import { SfnError } from "./sfn-error.js";

const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const MAX_TAGS = 50;
const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;
/** How long StartSyncExecution waits for the leader's answer: an express execution's longest run, and a margin. */
const SYNC_WAIT_MS = 310_000;

const seconds = (ms: number): number => ms / 1000;

export interface WorkflowOperationsOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  store: WorkflowStore;
  scope: StatesScope;
  now?: () => number;
}

export class WorkflowOperations {
  private readonly now: () => number;

  constructor(private readonly options: WorkflowOperationsOptions) {
    this.now = options.now ?? Date.now;
  }

  // State machines.

  async createStateMachine(input: Shapes.CreateStateMachineInput): Promise<Shapes.CreateStateMachineOutput> {
    if (!isValidName(input.name)) throw new SfnError("InvalidName", `Invalid Name: '${input.name}'`);
    checkRoleArn(input.roleArn);
    checkDefinition(input.definition, input.type ?? "STANDARD");
    const tags = tagMap(input.tags ?? []);
    const now = this.now();
    const record: StateMachineRecord = {
      name: input.name,
      arn: stateMachineArn(this.options.scope, input.name),
      definition: input.definition,
      roleArn: input.roleArn,
      type: input.type ?? "STANDARD",
      creationDate: now,
      revisionId: randomUUID(),
      ...(input.loggingConfiguration ? { loggingConfiguration: input.loggingConfiguration as never } : {}),
      ...(input.tracingConfiguration ? { tracingConfiguration: input.tracingConfiguration as never } : {}),
      tags,
    };
    if (!(await this.options.store.createStateMachine(record))) {
      const existing = await this.options.store.getStateMachine(input.name);
      // Creating the same state machine again answers the one there, as AWS does.
      if (existing && existing.definition === record.definition && existing.roleArn === record.roleArn && existing.type === record.type) {
        return { stateMachineArn: existing.arn, creationDate: seconds(existing.creationDate) };
      }
      throw new SfnError("StateMachineAlreadyExists", `State Machine Already Exists: '${record.arn}'`);
    }
    return { stateMachineArn: record.arn, creationDate: seconds(now) };
  }

  async updateStateMachine(input: Shapes.UpdateStateMachineInput): Promise<Shapes.UpdateStateMachineOutput> {
    const name = this.stateMachineName(input.stateMachineArn);
    if (input.definition === undefined && input.roleArn === undefined && input.loggingConfiguration === undefined && input.tracingConfiguration === undefined) {
      throw new SfnError("MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified");
    }
    if (input.roleArn !== undefined) checkRoleArn(input.roleArn);
    if (input.definition !== undefined) {
      const current = await this.options.store.getStateMachine(name);
      checkDefinition(input.definition, current?.type ?? "STANDARD");
    }
    const now = this.now();
    const { written } = await this.options.store.updateStateMachine(name, (current) =>
      current
        ? {
            ...current,
            ...(input.definition !== undefined ? { definition: input.definition } : {}),
            ...(input.roleArn !== undefined ? { roleArn: input.roleArn } : {}),
            ...(input.loggingConfiguration ? { loggingConfiguration: input.loggingConfiguration as never } : {}),
            ...(input.tracingConfiguration ? { tracingConfiguration: input.tracingConfiguration as never } : {}),
            updateDate: now,
            revisionId: randomUUID(),
          }
        : undefined,
    );
    if (!written) throw stateMachineMissing(input.stateMachineArn);
    return { updateDate: seconds(now), revisionId: written.revisionId };
  }

  async describeStateMachine(input: Shapes.DescribeStateMachineInput): Promise<Shapes.DescribeStateMachineOutput> {
    const record = await this.stateMachine(input.stateMachineArn);
    return describeMachine(record);
  }

  async listStateMachines(input: Shapes.ListStateMachinesInput): Promise<Shapes.ListStateMachinesOutput> {
    const all = (await this.options.store.listStateMachines()).sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, input.maxResults, input.nextToken);
    return { stateMachines: page.map((record) => ({ stateMachineArn: record.arn, name: record.name, type: record.type, creationDate: seconds(record.creationDate) })), ...(nextToken ? { nextToken } : {}) };
  }

  async deleteStateMachine(input: Shapes.DeleteStateMachineInput): Promise<Shapes.DeleteStateMachineOutput> {
    const name = this.stateMachineName(input.stateMachineArn);
    // Deleting one that is not there succeeds, as in AWS; its running executions carry on to their end.
    await this.options.store.deleteStateMachine(name);
    return {};
  }

  // Executions.

  async startExecution(input: Shapes.StartExecutionInput): Promise<Shapes.StartExecutionOutput> {
    const machine = await this.stateMachine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!isValidName(name)) throw new SfnError("InvalidName", `Invalid Name: '${name}'`);
    const text = checkExecutionInput(input.input);
    const key = executionKey(machine.name, name);
    const now = this.now();
    const record: ExecutionRecord = {
      executionArn: executionArn(this.options.scope, machine.name, name),
      stateMachineArn: machine.arn,
      stateMachine: machine.name,
      name,
      status: "RUNNING",
      input: text,
      startDate: now,
      definition: machine.definition,
      roleArn: machine.roleArn,
      revisionId: machine.revisionId,
      ...this.traceOf(`StartExecution ${machine.name}`, input.traceHeader),
    };
    // The running mark goes first: a crash after it leaves an execution a leader finds (or a mark it drops).
    await this.options.store.markRunning(key);
    const existing = await this.options.store.createExecution(key, record);
    if (existing) {
      // Starting the same execution again while it runs answers the one there.
      if (existing.status === "RUNNING" && existing.input === text) return { executionArn: existing.executionArn, startDate: seconds(existing.startDate) };
      throw new SfnError("ExecutionAlreadyExists", `Execution Already Exists: '${existing.executionArn}'`);
    }
    await appendHistory(this.options.js, key, [executionStartedEvent(record)], [`${key}:start`]);
    this.wake(key);
    return { executionArn: record.executionArn, startDate: seconds(now) };
  }

  async startSyncExecution(input: Shapes.StartSyncExecutionInput): Promise<Shapes.StartSyncExecutionOutput> {
    const machine = await this.stateMachine(input.stateMachineArn);
    if (machine.type !== "EXPRESS") throw new SfnError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
    const name = input.name ?? randomUUID();
    if (!isValidName(name)) throw new SfnError("InvalidName", `Invalid Name: '${name}'`);
    const text = checkExecutionInput(input.input);
    const arn = expressExecutionArn(this.options.scope, machine.name, name, randomUUID());
    const request: SyncExecutionRequest = { stateMachine: machine, executionArn: arn, name, input: text, ...this.traceOf(`StartSyncExecution ${machine.name}`, input.traceHeader) };
    let result: SyncExecutionResult;
    try {
      const reply = await this.options.nc.request(Subjects.workflowSync, encodeJson(request), { timeout: SYNC_WAIT_MS });
      result = decodeJson(reply.data) as SyncExecutionResult;
    } catch (error) {
      throw new SfnError("ServiceUnavailable", `No scheduler ran the express execution: ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      executionArn: arn,
      stateMachineArn: machine.arn,
      name,
      startDate: seconds(result.startDate),
      stopDate: seconds(result.stopDate),
      status: result.status,
      input: text,
      inputDetails: { included: true },
      ...(result.output !== undefined ? { output: result.output, outputDetails: { included: true } } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.cause !== undefined ? { cause: result.cause } : {}),
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil((result.stopDate - result.startDate) / 100) * 100) },
    };
  }

  async describeExecution(input: Shapes.DescribeExecutionInput): Promise<Shapes.DescribeExecutionOutput> {
    const { record } = await this.execution(input.executionArn);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: seconds(record.startDate),
      ...(record.stopDate !== undefined ? { stopDate: seconds(record.stopDate) } : {}),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
      redriveCount: 0,
      redriveStatus: "NOT_REDRIVABLE",
    };
  }

  async describeStateMachineForExecution(input: Shapes.DescribeStateMachineForExecutionInput): Promise<Shapes.DescribeStateMachineForExecutionOutput> {
    const { record } = await this.execution(input.executionArn);
    return {
      stateMachineArn: record.stateMachineArn,
      name: record.stateMachine,
      definition: record.definition,
      roleArn: record.roleArn,
      updateDate: seconds(record.startDate),
      loggingConfiguration: { level: "OFF", includeExecutionData: false },
      tracingConfiguration: { enabled: false },
      revisionId: record.revisionId,
    };
  }

  async stopExecution(input: Shapes.StopExecutionInput): Promise<Shapes.StopExecutionOutput> {
    const { key } = await this.execution(input.executionArn);
    const now = this.now();
    const { written, previous } = await this.options.store.updateExecution(key, (current) =>
      current && current.status === "RUNNING"
        ? { ...current, status: "ABORTED", stopDate: now, ...(input.error !== undefined ? { error: input.error } : {}), ...(input.cause !== undefined ? { cause: input.cause } : {}) }
        : undefined,
    );
    if (!written) return { stopDate: seconds(previous?.stopDate ?? now) };
    await appendHistory(this.options.js, key, [executionEndEvent(written, now)!], [`${key}:end`]);
    this.wake(key);
    return { stopDate: seconds(now) };
  }

  async listExecutions(input: Shapes.ListExecutionsInput): Promise<Shapes.ListExecutionsOutput> {
    if (input.stateMachineArn === undefined) throw new SfnError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
    const machineName = this.stateMachineName(input.stateMachineArn);
    if (!(await this.options.store.getStateMachine(machineName))) throw stateMachineMissing(input.stateMachineArn);
    const records = (await Promise.all((await this.options.store.executionKeys(machineName)).map((key) => this.options.store.getExecution(key))))
      .flatMap((found) => (found ? [found.record] : []))
      .filter((record) => input.statusFilter === undefined || record.status === input.statusFilter)
      .sort((a, b) => b.startDate - a.startDate || a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(records, input.maxResults, input.nextToken);
    return {
      executions: page.map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: seconds(record.startDate),
        ...(record.stopDate !== undefined ? { stopDate: seconds(record.stopDate) } : {}),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  async getExecutionHistory(input: Shapes.GetExecutionHistoryInput): Promise<Shapes.GetExecutionHistoryOutput> {
    const { key } = await this.execution(input.executionArn);
    let events: HistoryEvent[] = await readHistory(this.options.nc, key);
    if (input.reverseOrder) events = events.reverse();
    if (input.includeExecutionData === false) events = events.map(withoutData);
    const { page, nextToken } = paginate(events, input.maxResults, input.nextToken);
    return { events: page as unknown as Shapes.HistoryEvent[], ...(nextToken ? { nextToken } : {}) };
  }

  // Task tokens.

  async sendTaskSuccess(input: Shapes.SendTaskSuccessInput): Promise<Shapes.SendTaskSuccessOutput> {
    try {
      JSON.parse(input.output);
    } catch {
      throw new SfnError("InvalidOutput", `Invalid Output: '${input.output}'`);
    }
    await this.answerToken(input.taskToken, (record) => ({ ...record, status: "SUCCEEDED", output: input.output }));
    return {};
  }

  async sendTaskFailure(input: Shapes.SendTaskFailureInput): Promise<Shapes.SendTaskFailureOutput> {
    await this.answerToken(input.taskToken, (record) => ({ ...record, status: "FAILED", ...(input.error !== undefined ? { error: input.error } : {}), ...(input.cause !== undefined ? { cause: input.cause } : {}) }));
    return {};
  }

  async sendTaskHeartbeat(input: Shapes.SendTaskHeartbeatInput): Promise<Shapes.SendTaskHeartbeatOutput> {
    checkToken(input.taskToken);
    const now = this.now();
    const { written, previous } = await this.options.store.updateToken(input.taskToken, (current) => (current && current.status === "WAITING" ? { ...current, heartbeatAt: now } : undefined));
    if (!written) throw previous ? new SfnError("TaskTimedOut", "Task Timed Out: the task is no longer waiting") : new SfnError("TaskDoesNotExist", "Task Does Not Exist");
    return {};
  }

  // Validation and tags.

  async validateStateMachineDefinition(input: Shapes.ValidateStateMachineDefinitionInput): Promise<Shapes.ValidateStateMachineDefinitionOutput> {
    const parsed = parseDefinition(input.definition);
    const limit = input.maxResults && input.maxResults > 0 ? input.maxResults : 100;
    const diagnostics = parsed.diagnostics.filter((diagnostic) => input.severity !== "ERROR" || diagnostic.severity === "ERROR");
    return {
      result: parsed.ok ? "OK" : "FAIL",
      diagnostics: diagnostics.slice(0, limit).map((diagnostic) => ({ severity: diagnostic.severity, code: diagnostic.code, message: diagnostic.message, ...(diagnostic.location !== undefined ? { location: diagnostic.location } : {}) })),
      truncated: diagnostics.length > limit,
    };
  }

  async tagResource(input: Shapes.TagResourceInput): Promise<Shapes.TagResourceOutput> {
    const name = this.taggedName(input.resourceArn);
    const { written } = await this.options.store.updateStateMachine(name, (current) => {
      if (!current) return undefined;
      const tags = { ...current.tags, ...tagMap(input.tags) };
      if (Object.keys(tags).length > MAX_TAGS) throw new SfnError("TooManyTags", `Too many tags: a resource takes at most ${MAX_TAGS}`);
      return { ...current, tags };
    });
    if (!written) throw new SfnError("ResourceNotFound", `Resource not found: '${input.resourceArn}'`);
    return {};
  }

  async untagResource(input: Shapes.UntagResourceInput): Promise<Shapes.UntagResourceOutput> {
    const name = this.taggedName(input.resourceArn);
    const { written } = await this.options.store.updateStateMachine(name, (current) =>
      current ? { ...current, tags: Object.fromEntries(Object.entries(current.tags).filter(([key]) => !input.tagKeys.includes(key))) } : undefined,
    );
    if (!written) throw new SfnError("ResourceNotFound", `Resource not found: '${input.resourceArn}'`);
    return {};
  }

  async listTagsForResource(input: Shapes.ListTagsForResourceInput): Promise<Shapes.ListTagsForResourceOutput> {
    const record = await this.options.store.getStateMachine(this.taggedName(input.resourceArn));
    if (!record) throw new SfnError("ResourceNotFound", `Resource not found: '${input.resourceArn}'`);
    return { tags: Object.entries(record.tags).map(([key, value]) => ({ key, value })) };
  }

  // Helpers.

  private wake(key: string): void {
    this.options.nc.publish(Subjects.workflowWake, encodeJson({ executionKey: key }));
  }

  /** A trace for the execution: a span for the call that started it, which every state's span joins. */
  private traceOf(name: string, traceHeader: string | undefined): { traceparent?: string } {
    const tracing = tracer();
    if (!tracing.enabled) return {};
    const span = tracing.start(name, { kind: "server", ...(traceHeader ? { parent: { amznTraceId: traceHeader } } : {}) });
    span.end();
    return { traceparent: span.traceparent };
  }

  private async answerToken(token: string, change: (record: NonNullable<Awaited<ReturnType<WorkflowStore["getToken"]>>>) => NonNullable<Awaited<ReturnType<WorkflowStore["getToken"]>>>): Promise<void> {
    checkToken(token);
    const { written, previous } = await this.options.store.updateToken(token, (current) => (current && current.status === "WAITING" ? change(current) : undefined));
    if (!written) throw previous ? new SfnError("TaskTimedOut", "Task Timed Out: the task is no longer waiting") : new SfnError("TaskDoesNotExist", "Task Does Not Exist");
    this.wake(written.executionKey);
  }

  private stateMachineName(arn: string): string {
    const name = parseStateMachineArn(arn);
    if (!name) throw new SfnError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    return name;
  }

  private taggedName(arn: string): string {
    const name = parseStateMachineArn(arn);
    if (!name) throw new SfnError("InvalidArn", `Invalid Arn: '${arn}'`);
    return name;
  }

  private async stateMachine(arn: string): Promise<StateMachineRecord> {
    const record = await this.options.store.getStateMachine(this.stateMachineName(arn));
    if (!record) throw stateMachineMissing(arn);
    return record;
  }

  private async execution(arn: string): Promise<{ key: string; record: ExecutionRecord }> {
    const parsed = parseExecutionArn(arn);
    if (!parsed) throw new SfnError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const key = executionKey(parsed.stateMachine, parsed.name);
    const found = parsed.express ? undefined : await this.options.store.getExecution(key);
    if (!found || found.record.executionArn !== arn) throw new SfnError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    return { key, record: found.record };
  }
}

function stateMachineMissing(arn: string): SfnError {
  return new SfnError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
}

function checkRoleArn(arn: string): void {
  if (!ROLE_ARN.test(arn)) throw new SfnError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
}

function checkDefinition(definition: string, type: "STANDARD" | "EXPRESS"): void {
  const parsed = parseDefinition(definition);
  if (!parsed.ok) throw new SfnError("InvalidDefinition", invalidDefinitionMessage(parsed.diagnostics));
  const express = type === "EXPRESS" ? expressDiagnostics(parsed.machine) : [];
  if (express.length > 0) throw new SfnError("InvalidDefinition", invalidDefinitionMessage(express));
}

function checkExecutionInput(input: string | undefined): string {
  const text = input ?? "{}";
  try {
    JSON.parse(text);
  } catch (error) {
    throw new SfnError("InvalidExecutionInput", `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : "not JSON"}'`);
  }
  return text;
}

function checkToken(token: string): void {
  if (!/^[A-Za-z0-9_-]{16,1024}$/.test(token)) throw new SfnError("InvalidToken", `Invalid Token: '${token.slice(0, 64)}'`);
}

function tagMap(tags: readonly Shapes.Tag[]): Record<string, string> {
  if (tags.length > MAX_TAGS) throw new SfnError("TooManyTags", `Too many tags: a resource takes at most ${MAX_TAGS}`);
  return Object.fromEntries(tags.map((tag) => [tag.key ?? "", tag.value ?? ""]));
}

function describeMachine(record: StateMachineRecord): Shapes.DescribeStateMachineOutput {
  return {
    stateMachineArn: record.arn,
    name: record.name,
    status: "ACTIVE",
    definition: record.definition,
    roleArn: record.roleArn,
    type: record.type,
    creationDate: seconds(record.creationDate),
    loggingConfiguration: (record.loggingConfiguration as Shapes.LoggingConfiguration | undefined) ?? { level: "OFF", includeExecutionData: false },
    tracingConfiguration: (record.tracingConfiguration as Shapes.TracingConfiguration | undefined) ?? { enabled: false },
    revisionId: record.revisionId,
    ...(record.description !== undefined ? { description: record.description } : {}),
  };
}

/** One page and the token for the next: tokens are the offset of the next item, opaque to callers. */
export function paginate<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined): { page: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const offset = /^[A-Za-z0-9_-]+$/.test(nextToken) ? Number(Buffer.from(nextToken, "base64url").toString("utf8").replace(/^o:/, "")) : NaN;
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) throw new SfnError("InvalidToken", `Invalid Token: '${nextToken}'`);
    start = offset;
  }
  const size = maxResults && maxResults > 0 ? Math.min(maxResults, MAX_PAGE) : DEFAULT_PAGE;
  const end = start + size;
  return { page: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(`o:${end}`, "utf8").toString("base64url") } : {}) };
}

/** includeExecutionData: false leaves inputs and outputs out of every event. */
function withoutData(event: HistoryEvent): HistoryEvent {
  const out: HistoryEvent = { ...event };
  for (const [field, details] of Object.entries(event)) {
    if (field.endsWith("EventDetails") && details && typeof details === "object") {
      const { input: _input, output: _output, parameters: _parameters, ...rest } = details as Record<string, unknown>;
      out[field] = rest;
    }
  }
  return out;
}
