// Prometheus metrics for Lambent's services: counters, gauges (set, or read at scrape time) and histograms
// with labels, and the text exposition format 0.0.4. A metric keeps at most `maxLabelSets` label sets;
// later ones are folded into one series whose every label is `__other__`, so a flood of function names
// cannot grow a service's memory or a scrape without bound. Incrementing is a walk of nested maps keyed
// by label values: no string is built per call, the series' label text is rendered once, when it appears.

/** The content type of `expose()`'s text. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The label value that stands for every label set past a metric's limit. */
export const OTHER_LABEL_VALUE = "__other__";

export const DEFAULT_MAX_LABEL_SETS = 1000;

/** Seconds: from a millisecond warm call to a function's 15-minute limit. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export interface MetricsRegistryOptions {
  /** Label sets each metric keeps before folding new ones into `__other__`. */
  maxLabelSets?: number;
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

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** `name="value",…` without braces, so a histogram can add `le`. */
function renderLabelPairs(names: readonly string[], values: readonly string[]): string {
  return names.map((name, index) => `${name}="${escapeLabelValue(values[index] ?? "")}"`).join(",");
}

function braces(pairs: string): string {
  return pairs === "" ? "" : `{${pairs}}`;
}

type MetricType = "counter" | "gauge" | "histogram";

/** One metric family: its series by label values, in a tree of maps one level per label. */
abstract class Metric<S> {
  private readonly root = new Map<string, unknown>();
  private readonly series: { pairs: string; value: S }[] = [];
  private single: S | undefined;
  private other: S | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
    private readonly maxLabelSets: number,
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`Invalid metric name "${name}"`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith("__") || label === "le") throw new Error(`Invalid label name "${label}" on ${name}`);
    }
  }

  protected abstract create(): S;

  /** The series for these label values (one per label name, in order), created on first use. */
  labels(...values: string[]): S {
    const depth = this.labelNames.length;
    if (values.length !== depth) throw new Error(`${this.name} takes ${depth} label values, got ${values.length}`);
    if (depth === 0) return (this.single ??= this.add([]));
    let node = this.root;
    for (let i = 0; i < depth - 1; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (!next) {
        if (this.series.length >= this.maxLabelSets) return this.overflow();
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    const last = values[depth - 1]!;
    const found = node.get(last) as S | undefined;
    if (found) return found;
    if (this.series.length >= this.maxLabelSets) return this.overflow();
    const created = this.add(values);
    node.set(last, created);
    return created;
  }

  /** The text of every series of this metric, with its HELP and TYPE lines. */
  expose(): string {
    let text = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    for (const { pairs, value } of this.series) text += this.render(pairs, value);
    return text;
  }

  protected abstract render(pairs: string, series: S): string;

  private add(values: readonly string[]): S {
    const value = this.create();
    this.series.push({ pairs: renderLabelPairs(this.labelNames, values), value });
    return value;
  }

  private overflow(): S {
    if (!this.other) {
      this.other = this.create();
      this.series.push({ pairs: renderLabelPairs(this.labelNames, this.labelNames.map(() => OTHER_LABEL_VALUE)), value: this.other });
    }
    return this.other;
  }
}

class CounterValue implements CounterSeries {
  value = 0;
  inc(amount = 1): void {
    if (amount < 0) throw new Error("A counter only goes up");
    this.value += amount;
  }
}

export class Counter extends Metric<CounterValue> {
  protected create(): CounterValue {
    return new CounterValue();
  }

  protected render(pairs: string, series: CounterValue): string {
    return `${this.name}${braces(pairs)} ${formatSampleValue(series.value)}\n`;
  }
}

class GaugeValue implements GaugeSeries {
  value = 0;
  set(value: number): void {
    this.value = value;
  }
  inc(amount = 1): void {
    this.value += amount;
  }
  dec(amount = 1): void {
    this.value -= amount;
  }
}

export class Gauge extends Metric<GaugeValue> {
  protected create(): GaugeValue {
    return new GaugeValue();
  }

  protected render(pairs: string, series: GaugeValue): string {
    return `${this.name}${braces(pairs)} ${formatSampleValue(series.value)}\n`;
  }
}

class HistogramValue implements HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let index = 0;
    while (index < this.bounds.length && value > this.bounds[index]!) index++;
    this.counts[index]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

export class Histogram extends Metric<HistogramValue> {
  private readonly bounds: readonly number[];
  private readonly leTexts: readonly string[];

  constructor(name: string, help: string, labelNames: readonly string[], maxLabelSets: number, buckets: readonly number[]) {
    super(name, help, "histogram", labelNames, maxLabelSets);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]! > buckets[i - 1]!)) throw new Error(`${name}: buckets must be strictly increasing`);
    }
    this.bounds = buckets.filter((bound) => bound !== Infinity);
    this.leTexts = [...this.bounds.map(formatSampleValue), "+Inf"];
  }

  protected create(): HistogramValue {
    return new HistogramValue(this.bounds);
  }

  protected render(pairs: string, series: HistogramValue): string {
    const prefix = pairs === "" ? "" : pairs + ",";
    let text = "";
    let cumulative = 0;
    for (let i = 0; i < series.counts.length; i++) {
      cumulative += series.counts[i]!;
      text += `${this.name}_bucket{${prefix}le="${this.leTexts[i]!}"} ${cumulative}\n`;
    }
    text += `${this.name}_sum${braces(pairs)} ${formatSampleValue(series.sum)}\n`;
    text += `${this.name}_count${braces(pairs)} ${series.count}\n`;
    return text;
  }
}

/** A gauge whose series are read when scraped; past the limit, the rest are summed into `__other__`. */
export class CallbackGauge {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly maxLabelSets: number,
    private readonly collect: (report: GaugeReporter) => void,
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`Invalid metric name "${name}"`);
  }

  expose(): string {
    let text = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} gauge\n`;
    let reported = 0;
    let other: number | undefined;
    this.collect((values, value) => {
      if (reported >= this.maxLabelSets) {
        other = (other ?? 0) + value;
        return;
      }
      reported++;
      text += `${this.name}${braces(renderLabelPairs(this.labelNames, values))} ${formatSampleValue(value)}\n`;
    });
    if (other !== undefined) {
      text += `${this.name}${braces(renderLabelPairs(this.labelNames, this.labelNames.map(() => OTHER_LABEL_VALUE)))} ${formatSampleValue(other)}\n`;
    }
    return text;
  }
}

interface Exposable {
  readonly name: string;
  expose(): string;
}

/** A service's metrics; `expose()` is what `/metrics` answers. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Exposable>();
  private readonly maxLabelSets: number;

  constructor(options: MetricsRegistryOptions = {}) {
    this.maxLabelSets = options.maxLabelSets ?? DEFAULT_MAX_LABEL_SETS;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(new Counter(name, help, "counter", labelNames, this.maxLabelSets));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(new Gauge(name, help, "gauge", labelNames, this.maxLabelSets));
  }

  /** A gauge read at scrape time: `collect` reports each label set's value. */
  callbackGauge(name: string, help: string, labelNames: readonly string[], collect: (report: GaugeReporter) => void): CallbackGauge {
    return this.register(new CallbackGauge(name, help, labelNames, this.maxLabelSets, collect));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = DURATION_BUCKETS_SECONDS): Histogram {
    return this.register(new Histogram(name, help, labelNames, this.maxLabelSets, buckets));
  }

  /** Every metric in the text exposition format 0.0.4. */
  expose(): string {
    let text = "";
    for (const metric of this.metrics.values()) text += metric.expose();
    return text;
  }

  private register<M extends Exposable>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`Metric ${metric.name} is already registered`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}
