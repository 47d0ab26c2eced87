// The invoke path: parse → resolve qualifier (cached) → for a synchronous call, straight to a worker
// that keeps a warm environment and a slot for the function, else through the leading scheduler (admit,
// place), the worker answering this frontend directly (@lambent/warm-path); for an `Event`, store it in
// the event stream and answer 202 (the scheduler runs it from there).
import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { acceptEvent } from "@lambent/event-queue";
import { answerError } from "@lambent/errors";
import { REPLY_MARGIN_MS, checkPayload, type InvocationHeader } from "@lambent/protocol";
import { WarmCaller } from "@lambent/warm-path";
import { labelInvocation } from "../tracing/invoke-trace.js";
import { parseFunctionReference, resolveTarget, type ArnScope, type FunctionReference, type RegistryView } from "@lambent/registry/functions";
import type { InvokeInput, InvokeOutput, Invoker, StreamedInvokeOutput } from "../api.js";
import { ResponseStreamReader, type ResponseConsumer } from "./response-stream.js";
import type { InvokeMetrics } from "../metrics/invoke-metrics.js";
import { checkInput } from "../control-plane/model-input.js";

const EMPTY = new Uint8Array(0);

export interface NatsInvokerOptions {
  nc: NatsConnection;
  /** This frontend's node: workers there are reached by their Unix socket. */
  nodeId: string;
  /** A worker not heard from for this long is gone, and calls sent straight to it fail. */
  workerTimeoutMs: number;
  view: RegistryView;
  scope: ArnScope;
  /** Counts accepted invocations and failed synchronous ones; absent, nothing is counted. */
  metrics?: InvokeMetrics;
}

export class NatsInvoker implements Invoker {
  private readonly warm: WarmCaller;

  private readonly events: JetStreamClient;

  constructor(private readonly options: NatsInvokerOptions) {
    this.warm = new WarmCaller({ nc: options.nc, nodeId: options.nodeId, workerTimeoutMs: options.workerTimeoutMs });
    this.events = jetstream(options.nc);
  }

  close(): void {
    this.warm.close();
  }

  /** Parsed references by their text: callers repeat the same few names, so parse each once. */
  private readonly references = new Map<string, FunctionReference>();

  async invoke(input: InvokeInput): Promise<InvokeOutput> {
    const { functionName, qualifier } = this.parseReference(input.functionName, input.qualifier);
    const payload = checkPayload(input.payload, input.invocationType);
    const record = await resolveTarget(this.options.view, this.options.scope, functionName, qualifier);
    const requestId = randomUUID();
    // Lambda answers a dry run without the version it would have run.
    if (input.invocationType === "DryRun") return { statusCode: 204, requestId, payload: EMPTY };
    this.options.metrics?.accepted(functionName, record.version, input.invocationType);
    const header: InvocationHeader = {
      requestId,
      functionName,
      qualifier: qualifier ?? "$LATEST",
      version: record.version,
      revisionId: record.revisionId,
      invocationType: input.invocationType,
      logType: input.invocationType === "Event" ? "None" : input.logType,
    };
    if (input.clientContext !== undefined) header.clientContext = input.clientContext;
    const span = input.span && labelInvocation(input.span, header);
    if (input.invocationType === "Event") return this.enqueue(header, payload, span?.traceparent);
    const result = await this.warm
      .call(header, payload, { timeoutMs: record.timeout * 1000 + REPLY_MARGIN_MS, traceparent: span?.traceparent, memoryMb: record.memorySize })
      .catch((error: unknown) => Promise.reject(this.counted(functionName, record.version, error)));
    const failure = result.header.failure;
    if (failure) throw this.counted(functionName, record.version, answerError(failure.type, failure.message, failure.fields));
    if (result.header.functionError) this.options.metrics?.functionError(functionName, record.version);
    const output: InvokeOutput = {
      statusCode: 200,
      requestId,
      payload: result.payload,
      executedVersion: result.header.executedVersion,
    };
    if (result.header.functionError) output.functionError = result.header.functionError;
    if (result.header.logResult !== undefined) output.logResult = result.header.logResult;
    return output;
  }

  /** A synchronous call whose answer streams to `consumer` as the function writes it (response-stream.ts). */
  async invokeStream(input: Omit<InvokeInput, "invocationType">, consumer: ResponseConsumer): Promise<StreamedInvokeOutput> {
    const { functionName, qualifier } = this.parseReference(input.functionName, input.qualifier);
    const payload = checkPayload(input.payload, "RequestResponse");
    const record = await resolveTarget(this.options.view, this.options.scope, functionName, qualifier);
    const requestId = randomUUID();
    this.options.metrics?.accepted(functionName, record.version, "RequestResponse");
    const reader = new ResponseStreamReader(this.options.nc, consumer, { requestId, executedVersion: record.version });
    const header: InvocationHeader = {
      requestId,
      functionName,
      qualifier: qualifier ?? "$LATEST",
      version: record.version,
      revisionId: record.revisionId,
      invocationType: "RequestResponse",
      logType: input.logType,
      responseStream: reader.subject,
    };
    if (input.clientContext !== undefined) header.clientContext = input.clientContext;
    const span = input.span && labelInvocation(input.span, header);
    let result;
    try {
      result = await this.warm.call(header, payload, { timeoutMs: record.timeout * 1000 + REPLY_MARGIN_MS, traceparent: span?.traceparent, memoryMb: record.memorySize });
    } catch (error) {
      reader.abandon();
      throw this.counted(functionName, record.version, error);
    }
    const failure = result.header.failure;
    if (failure && !reader.hasStarted) {
      reader.abandon();
      throw this.counted(functionName, record.version, answerError(failure.type, failure.message, failure.fields));
    }
    await reader.finish(result.header.streamedPieces ?? 0);
    const output: StreamedInvokeOutput = { requestId, executedVersion: result.header.executedVersion };
    if (failure) output.error = { errorType: failure.type, errorMessage: failure.message };
    else if (result.header.functionError) {
      this.options.metrics?.functionError(functionName, record.version);
      output.error = functionErrorOf(result.payload);
    }
    if (result.header.logResult !== undefined) output.logResult = result.header.logResult;
    return output;
  }

  /** Accepts an asynchronous event: answered 202 once JetStream has stored it, never before. */
  private async enqueue(header: InvocationHeader, payload: Uint8Array, traceparent?: string): Promise<InvokeOutput> {
    await acceptEvent(this.events, header, payload, traceparent);
    return { statusCode: 202, requestId: header.requestId, payload: EMPTY };
  }

  /** Counts a synchronous call's failure, and gives the error back to throw. */
  private counted(functionName: string, version: string, error: unknown): unknown {
    this.options.metrics?.failed(functionName, version, error);
    return error;
  }

  /** Checked against Lambda's model and parsed once per distinct name and qualifier: callers repeat a few. */
  private parseReference(functionName: string, qualifier: string | undefined): FunctionReference {
    const key = qualifier === undefined ? functionName : `${functionName}\u0000${qualifier}`;
    let reference = this.references.get(key);
    if (!reference) {
      checkInput("Invoke", { FunctionName: functionName, Qualifier: qualifier });
      reference = parseFunctionReference(functionName, qualifier, this.options.scope);
      if (this.references.size >= REFERENCE_CACHE_LIMIT) this.references.clear();
      this.references.set(key, reference);
    }
    return reference;
  }
}

const REFERENCE_CACHE_LIMIT = 10_000;

/** A function error's type and message from its `{errorType, errorMessage, trace}` payload. */
function functionErrorOf(payload: Uint8Array): { errorType: string; errorMessage: string } {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(payload)) as { errorType?: unknown; errorMessage?: unknown };
    return { errorType: typeof parsed.errorType === "string" ? parsed.errorType : "Unhandled", errorMessage: typeof parsed.errorMessage === "string" ? parsed.errorMessage : "" };
  } catch {
    return { errorType: "Unhandled", errorMessage: "" };
  }
}
