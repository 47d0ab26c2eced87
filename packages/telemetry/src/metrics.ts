// Prometheus metrics for Lambent's services, kept and exposed by prom-client: counters, gauges (set, or
// read at scrape time) and histograms with labels, in the text exposition format 0.0.4, plus prom-client's
// default metrics of the process when a service asks for them. What Lambent adds is the label-cardinality
// cap: a metric keeps at most `maxLabelSets` label sets, and later ones are folded into one series whose
// every label is `__other__`, so a flood of function names cannot grow a service's memory or a scrape
// without bound. A series is found by a walk of nested maps keyed by label values and created once.
import { AggregatorRegistry, Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry, collectDefaultMetrics } from "prom-client";

/** The content type of `expose()`'s text. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** The label value that stands for every label set past a metric's limit. */
export const OTHER_LABEL_VALUE = "__other__";

export const DEFAULT_MAX_LABEL_SETS = 1000;

/** Seconds: from a millisecond warm call to a function's 15-minute limit. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export interface MetricsRegistryOptions {
  /** Label sets each metric keeps before folding new ones into `__other__`. */
  maxLabelSets?: number;
  /**
   * prom-client's default metrics of this process: CPU, memory, heap, GC, event-loop lag, handles.
   * A service's own registry turns them on; a registry made in a test leaves them off.
   */
  defaultMetrics?: boolean;
}

export interface CounterSeries {
  inc(amount?: number): void;
}

export interface GaugeSeries {
  set(value: number): void;
  inc(amount?: number): void;
  dec(amount?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

/** Reports a callback gauge's series at scrape time: one call per label set. */
export type GaugeReporter = (labelValues: readonly string[], value: number) => void;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** prom-client writes NaN as `Nan`; the text format spells it `NaN`. Only sample lines end in a value. */
const PROM_CLIENT_NAN = /^([^#\n].*) Nan$/gm;
/**
 * prom-client writes a bucket's `le` before the series' labels; Lambent has always written it last, and
 * dashboards and tests match the series by its text. (`le` is never a label of Lambent's own.)
 */
const PROM_CLIENT_LE_FIRST = /^([a-zA-Z_:][a-zA-Z0-9_:]*_bucket)\{(le="[^"]*"),(.*)\} (\S+)$/gm;

/** prom-client's text as Prometheus and our tests read it: `NaN` spelled so, and `le` the last label. */
function fixExposition(text: string): string {
  return text.replace(PROM_CLIENT_NAN, "$1 NaN").replace(PROM_CLIENT_LE_FIRST, "$1{$3,$2} $4");
}

function checkNames(name: string, labelNames: readonly string[]): void {
  if (!METRIC_NAME.test(name)) throw new Error(`Invalid metric name "${name}"`);
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith("__") || label === "le") throw new Error(`Invalid label name "${label}" on ${name}`);
  }
}

/** One metric family's series by label values, in a tree of maps one level per label, at most `maxLabelSets`. */
abstract class Metric<S> {
  private readonly root = new Map<string, unknown>();
  private kept = 0;
  private single: S | undefined;
  private other: S | undefined;

  constructor(
    readonly name: string,
    readonly labelNames: readonly string[],
    private readonly maxLabelSets: number,
  ) {}

  /** prom-client's series for these label values. */
  protected abstract series(values: readonly string[]): S;

  /** The series for these label values (one per label name, in order), created on first use. */
  labels(...values: string[]): S {
    const depth = this.labelNames.length;
    if (values.length !== depth) throw new Error(`${this.name} takes ${depth} label values, got ${values.length}`);
    if (depth === 0) return (this.single ??= this.series([]));
    let node = this.root;
    for (let i = 0; i < depth - 1; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (!next) {
        if (this.kept >= this.maxLabelSets) return this.overflow();
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    const last = values[depth - 1]!;
    const found = node.get(last) as S | undefined;
    if (found) return found;
    if (this.kept >= this.maxLabelSets) return this.overflow();
    const created = this.series(values);
    this.kept += 1;
    node.set(last, created);
    return created;
  }

  private overflow(): S {
    return (this.other ??= this.series(this.labelNames.map(() => OTHER_LABEL_VALUE)));
  }
}

export class Counter extends Metric<CounterSeries> {
  private readonly metric: PromCounter;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[], maxLabelSets: number) {
    super(name, labelNames, maxLabelSets);
    this.metric = new PromCounter({ name, help, labelNames, registers: [registry] });
  }

  protected series(values: readonly string[]): CounterSeries {
    const series = this.metric.labels(...values);
    return {
      inc(amount = 1) {
        if (amount < 0) throw new Error("A counter only goes up");
        series.inc(amount);
      },
    };
  }
}

export class Gauge extends Metric<GaugeSeries> {
  private readonly metric: PromGauge;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[], maxLabelSets: number) {
    super(name, labelNames, maxLabelSets);
    this.metric = new PromGauge({ name, help, labelNames, registers: [registry] });
  }

  protected series(values: readonly string[]): GaugeSeries {
    return this.metric.labels(...values);
  }
}

export class Histogram extends Metric<HistogramSeries> {
  private readonly metric: PromHistogram;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[], maxLabelSets: number, buckets: readonly number[]) {
    super(name, labelNames, maxLabelSets);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]! > buckets[i - 1]!)) throw new Error(`${name}: buckets must be strictly increasing`);
    }
    // prom-client adds the +Inf bucket itself.
    this.metric = new PromHistogram({ name, help, labelNames, buckets: buckets.filter((bound) => bound !== Infinity), registers: [registry] });
  }

  protected series(values: readonly string[]): HistogramSeries {
    return this.metric.labels(...values);
  }
}

/** A gauge whose series are read when scraped; past the limit, the rest are summed into `__other__`. */
export class CallbackGauge {
  constructor(
    registry: Registry,
    readonly name: string,
    help: string,
    readonly labelNames: readonly string[],
    private readonly maxLabelSets: number,
    private readonly collect: (report: GaugeReporter) => void,
  ) {
    const gauge: PromGauge = new PromGauge({ name, help, labelNames, registers: [registry], collect: () => this.read(gauge) });
  }

  /** Replaces the gauge's series with what `collect` reports now. */
  private read(gauge: PromGauge): void {
    gauge.reset();
    let reported = 0;
    let other: number | undefined;
    this.collect((values, value) => {
      if (reported >= this.maxLabelSets) {
        other = (other ?? 0) + value;
        return;
      }
      reported += 1;
      gauge.labels(...values).set(value);
    });
    if (other !== undefined) gauge.labels(...this.labelNames.map(() => OTHER_LABEL_VALUE)).set(other);
  }
}

/** A service's metrics; `expose()` is what `/metrics` answers. */
/** A registry's metrics as plain data (prom-client's JSON form), as it crosses between processes. */
export type MetricSnapshot = unknown[];

/** Anything that answers a scrape. */
export interface MetricsSource {
  expose(): Promise<string>;
}

/**
 * A process's own metrics plus those of its child processes, summed per label set (prom-client's
 * AggregatorRegistry): one scrape covers a worker and all its sandbox processes.
 */
export class AggregatedMetrics implements MetricsSource {
  constructor(
    private readonly own: MetricsRegistry,
    private readonly children: () => Promise<MetricSnapshot[]>,
  ) {}

  async expose(): Promise<string> {
    const own = await this.own.snapshot();
    const snapshots = [own, ...(await this.children())];
    const aggregated = AggregatorRegistry.aggregate(snapshots as Parameters<typeof AggregatorRegistry.aggregate>[0]);
    let text = await aggregated.metrics();
    // Metrics that do not add up across processes (the start time) are left out of the sum: this process's own stand.
    for (const name of namesOf(own)) {
      if (!aggregated.getSingleMetric(name)) text += `${await this.own.exposeOne(name)}\n`;
    }
    return fixExposition(text);
  }
}

function namesOf(snapshot: MetricSnapshot): string[] {
  return snapshot.map((metric) => (typeof metric === "object" && metric !== null ? String((metric as { name?: unknown }).name) : "")).filter(Boolean);
}

export class MetricsRegistry implements MetricsSource {
  private readonly registry = new Registry();
  private readonly maxLabelSets: number;

  constructor(options: MetricsRegistryOptions = {}) {
    this.maxLabelSets = options.maxLabelSets ?? DEFAULT_MAX_LABEL_SETS;
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    this.claim(name, labelNames);
    return new Counter(this.registry, name, help, labelNames, this.maxLabelSets);
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    this.claim(name, labelNames);
    return new Gauge(this.registry, name, help, labelNames, this.maxLabelSets);
  }

  /** A gauge read at scrape time: `collect` reports each label set's value. */
  callbackGauge(name: string, help: string, labelNames: readonly string[], collect: (report: GaugeReporter) => void): CallbackGauge {
    this.claim(name, labelNames);
    return new CallbackGauge(this.registry, name, help, labelNames, this.maxLabelSets, collect);
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = DURATION_BUCKETS_SECONDS): Histogram {
    this.claim(name, labelNames);
    return new Histogram(this.registry, name, help, labelNames, this.maxLabelSets, buckets);
  }

  /** Every metric in the text exposition format 0.0.4, one family after another in registration order. */
  async expose(): Promise<string> {
    const families = await Promise.all(this.registry.getMetricsAsArray().map((metric) => this.registry.getSingleMetricAsString(metric.name)));
    return fixExposition(families.map((family) => `${family}\n`).join(""));
  }

  /** One metric family in the text format. */
  exposeOne(name: string): Promise<string> {
    return this.registry.getSingleMetricAsString(name);
  }

  /** Every metric's current values as plain data, for a parent process to add to its own (see AggregatedMetrics). */
  snapshot(): Promise<MetricSnapshot> {
    return this.registry.getMetricsAsJSON() as Promise<MetricSnapshot>;
  }

  /** Checks a new metric's names before prom-client registers it, so the errors name Lambent's rules. */
  private claim(name: string, labelNames: readonly string[]): void {
    checkNames(name, labelNames);
    if (this.registry.getSingleMetric(name)) throw new Error(`Metric ${name} is already registered`);
  }
}
