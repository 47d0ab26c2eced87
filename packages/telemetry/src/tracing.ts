// OpenTelemetry traces for Lambent's services: one process-wide `Tracer` facade, off unless an OTLP
// endpoint or an exporter is given, and the text forms a trace travels in (W3C `traceparent` in NATS and
// HTTP headers, `X-Amzn-Trace-Id` from and to callers). Services check `tracer.enabled` once per
// request; when it is false they create no span and encode no header. A request's span is handed on as
// an argument, never through AsyncLocalStorage: its promise hooks cost every promise in the process
// (about 35 µs of frontend CPU per traced call).
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Context, type Span, type SpanContext } from "@opentelemetry/api";
import { parseTraceParent } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  RandomIdGenerator,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type IdGenerator,
  type Sampler,
  type SpanExporter,
} from "@opentelemetry/sdk-trace";

export type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
export { InMemorySpanExporter } from "@opentelemetry/sdk-trace";

/** OTEL_TRACES_SAMPLER's values that Lambent supports (the OpenTelemetry SDK's own names). */
export const TRACE_SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

export interface TraceSamplerSetting {
  name: TraceSamplerName;
  /** The share of new traces recorded, for the ratio samplers (0..1). */
  ratio: number;
}

export interface TracingOptions {
  /** `service.name` of every span this process makes. */
  service: string;
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans are posted to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string | undefined;
  /** Another exporter (tests: an in-memory one). Tracing is off when neither this nor an endpoint is set. */
  exporter?: SpanExporter;
  sampler?: TraceSamplerSetting;
  /** Export every span as it ends instead of in batches (tests, to see spans without waiting). */
  exportEachSpan?: boolean;
  /** Longest an ended span waits in its batch before export (5 s by default). */
  exportDelayMs?: number;
}

export type TraceSpanKind = "server" | "client" | "internal" | "producer" | "consumer";

const KINDS: Record<TraceSpanKind, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** Where a span's trace comes from: a span of this process, or a caller's context in text. */
export type TraceParent = TraceSpan | RemoteParent | undefined;

export interface RemoteParent {
  /** A W3C `traceparent` header (NATS message headers, HTTP, gRPC metadata). Wins over `amznTraceId`. */
  traceparent?: string | undefined;
  /** An `X-Amzn-Trace-Id` header: its Root becomes the trace id, its Parent (when present) the parent span. */
  amznTraceId?: string | undefined;
}

export interface SpanOptions {
  parent?: TraceParent;
  kind?: TraceSpanKind;
  attributes?: Attributes;
  /** Epoch milliseconds, for a span that began before it could be recorded (time an event spent queued). */
  startTime?: number;
}

/** One span, as the services see it. */
export class TraceSpan {
  constructor(readonly span: Span) {}

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  /** This span as a W3C `traceparent`, for the next hop's headers. */
  get traceparent(): string {
    const { traceId, spanId, traceFlags } = this.span.spanContext();
    return `00-${traceId}-${spanId}-${traceFlags & TraceFlags.SAMPLED ? "01" : "00"}`;
  }

  /** This span's trace in the `X-Amzn-Trace-Id` form returned to callers. */
  get amznTraceId(): string {
    const { traceId, spanId, traceFlags } = this.span.spanContext();
    return `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=${traceFlags & TraceFlags.SAMPLED ? 1 : 0}`;
  }

  setAttribute(name: string, value: string | number | boolean): this {
    this.span.setAttribute(name, value);
    return this;
  }

  /** Marks the span failed with the error's name and message. */
  fail(error: unknown, message?: string): this {
    const described = error instanceof Error ? error : new Error(String(error));
    this.span.recordException(described);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? `${described.name}: ${described.message}` });
    return this;
  }

  end(endTime?: number): void {
    this.span.end(endTime);
  }
}

/**
 * Trace ids come from the id generator: a caller's `X-Amzn-Trace-Id` Root without a Parent names the
 * trace of a new root span, so the generator hands that id out once, to the span being started now.
 */
class PresetTraceIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  next: string | undefined;

  generateTraceId(): string {
    const preset = this.next;
    this.next = undefined;
    return preset ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}

const AMZN_ROOT = /(?:^|;)\s*Root=1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})\s*(?:;|$)/;
const AMZN_PARENT = /(?:^|;)\s*Parent=([0-9a-fA-F]{16})\s*(?:;|$)/;
const AMZN_SAMPLED = /(?:^|;)\s*Sampled=([01])\s*(?:;|$)/;
const INVALID_TRACE_ID = "00000000000000000000000000000000";

/** The trace id, and the parent span when it names one, of an `X-Amzn-Trace-Id` header. */
export function parseAmznTraceId(header: string): { traceId: string; parent?: SpanContext } | undefined {
  const root = AMZN_ROOT.exec(header);
  if (!root) return undefined;
  const traceId = `${root[1]}${root[2]}`.toLowerCase();
  if (traceId === INVALID_TRACE_ID) return undefined;
  const parent = AMZN_PARENT.exec(header)?.[1]?.toLowerCase();
  const sampled = AMZN_SAMPLED.exec(header)?.[1];
  // Without a sampling decision the caller's trace id is kept and this side's sampler decides.
  if (parent === undefined || parent === "0000000000000000" || sampled === undefined) return { traceId };
  return { traceId, parent: { traceId, spanId: parent, traceFlags: sampled === "1" ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true } };
}

/** The facade every service uses: spans, and flushing at exit. */
export class Tracer {
  private readonly otel;

  private constructor(
    /** The one check the hot path makes: false means no spans and no trace headers at all. */
    readonly enabled: boolean,
    private readonly provider?: TracerProvider,
    private readonly ids?: PresetTraceIds,
  ) {
    this.otel = provider?.getTracer("lambent");
  }

  static readonly disabled = new Tracer(false);

  static create(options: TracingOptions): Tracer {
    const exporter = options.exporter ?? (options.otlpEndpoint ? otlpExporter(options.otlpEndpoint) : undefined);
    if (!exporter) return Tracer.disabled;
    const ids = new PresetTraceIds();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": options.service, "service.namespace": "lambent" }),
      sampler: buildSampler(options.sampler ?? { name: "parentbased_always_on", ratio: 1 }),
      idGenerator: ids,
      spanProcessors: [options.exportEachSpan ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter, ...(options.exportDelayMs !== undefined ? { scheduledDelayMillis: options.exportDelayMs } : {}) })],
    });
    return new Tracer(true, provider, ids);
  }

  /** Starts a span; callers check `enabled` first (a disabled tracer throws, so a missed check shows). */
  start(name: string, options: SpanOptions = {}): TraceSpan {
    const otel = this.otel;
    if (!otel || !this.ids) throw new Error("tracing is off: check Tracer.enabled before starting a span");
    const parent = options.parent;
    let context: Context = ROOT_CONTEXT;
    if (parent instanceof TraceSpan) {
      context = trace.setSpan(ROOT_CONTEXT, parent.span);
    } else if (parent) {
      const remote = remoteContext(parent);
      if (remote && "spanId" in remote) context = trace.setSpanContext(ROOT_CONTEXT, remote);
      else if (remote) this.ids.next = remote.traceId;
    }
    const span = otel.startSpan(
      name,
      { kind: KINDS[options.kind ?? "internal"], ...(options.attributes ? { attributes: options.attributes } : {}), ...(options.startTime !== undefined ? { startTime: options.startTime } : {}) },
      context,
    );
    this.ids.next = undefined;
    return new TraceSpan(span);
  }

  /** Sends every ended span still buffered. */
  async flush(): Promise<void> {
    await this.provider?.forceFlush();
  }

  /** Flushes and stops exporting. */
  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}

/** A remote parent as a span context, or only a trace id to start a root span in. */
function remoteContext(parent: RemoteParent): SpanContext | { traceId: string } | undefined {
  if (parent.traceparent) {
    const context = parseTraceParent(parent.traceparent);
    if (context) return { ...context, isRemote: true };
  }
  if (parent.amznTraceId) {
    const amzn = parseAmznTraceId(parent.amznTraceId);
    if (amzn) return amzn.parent ?? { traceId: amzn.traceId };
  }
  return undefined;
}

function otlpExporter(endpoint: string): SpanExporter {
  return new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` });
}

export function buildSampler(setting: TraceSamplerSetting): Sampler {
  switch (setting.name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(setting.ratio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(setting.ratio) });
  }
}

let current: Tracer = Tracer.disabled;

/** The process's tracer: disabled until `startTracing` installs one. */
export function tracer(): Tracer {
  return current;
}

/**
 * Builds the process's tracer from its options and installs it (services read it when they are built).
 * Returns it disabled when there is nowhere to export to.
 */
export function startTracing(options: TracingOptions): Tracer {
  current = Tracer.create(options);
  return current;
}

/** Flushes and uninstalls the process's tracer (at exit, and between tests). */
export async function stopTracing(): Promise<void> {
  const stopping = current;
  current = Tracer.disabled;
  await stopping.shutdown();
}
