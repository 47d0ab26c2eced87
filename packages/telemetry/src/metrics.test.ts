import { afterEach, describe, expect, it } from "vitest";
import { MetricsRegistry, METRICS_CONTENT_TYPE, listenForMetrics, trackNatsConnection, type MetricsListener } from "./index.js";

describe("metrics exposition", () => {
  it("writes counters and gauges with HELP, TYPE and escaped labels", async () => {
    const registry = new MetricsRegistry();
    const calls = registry.counter("calls_total", "Calls.\nAll of them \\ really.", ["function", "type"]);
    calls.labels("a", "sync").inc();
    calls.labels("a", "sync").inc(2);
    calls.labels('we"ird\\\n', "event").inc();
    registry.gauge("up", "Whether it is up.").labels().set(1);
    expect(await registry.expose()).toBe(
      [
        "# HELP calls_total Calls.\\nAll of them \\\\ really.",
        "# TYPE calls_total counter",
        'calls_total{function="a",type="sync"} 3',
        'calls_total{function="we\\"ird\\\\\\n",type="event"} 1',
        "# HELP up Whether it is up.",
        "# TYPE up gauge",
        "up 1",
        "",
      ].join("\n"),
    );
  });

  it("writes histograms with cumulative buckets, +Inf, _sum and _count", async () => {
    const registry = new MetricsRegistry();
    const duration = registry.histogram("duration_seconds", "Duration.", ["function"], [0.1, 1, 10]);
    const series = duration.labels("f");
    for (const value of [0.05, 0.1, 0.5, 5, 50]) series.observe(value);
    expect(await registry.expose()).toBe(
      [
        "# HELP duration_seconds Duration.",
        "# TYPE duration_seconds histogram",
        'duration_seconds_bucket{function="f",le="0.1"} 2',
        'duration_seconds_bucket{function="f",le="1"} 3',
        'duration_seconds_bucket{function="f",le="10"} 4',
        'duration_seconds_bucket{function="f",le="+Inf"} 5',
        'duration_seconds_sum{function="f"} 55.65',
        'duration_seconds_count{function="f"} 5',
        "",
      ].join("\n"),
    );
  });

  it("writes NaN and infinities as the text format spells them, and an unlabelled histogram's buckets", async () => {
    const registry = new MetricsRegistry();
    const ratio = registry.gauge("ratio", "Ratio.", ["of"]);
    ratio.labels("nothing").set(Number.NaN);
    ratio.labels("up").set(Infinity);
    ratio.labels("down").set(-Infinity);
    registry.histogram("size", "Size.", [], [1]).labels().observe(2);
    expect((await registry.expose()).split("\n").filter((line) => !line.startsWith("#"))).toEqual([
      'ratio{of="nothing"} NaN',
      'ratio{of="up"} +Inf',
      'ratio{of="down"} -Inf',
      'size_bucket{le="1"} 0',
      'size_bucket{le="+Inf"} 1',
      "size_sum 2",
      "size_count 1",
      "",
    ]);
  });

  it("reads callback gauges when scraped", async () => {
    const registry = new MetricsRegistry();
    let running = new Map([["a", 2]]);
    registry.callbackGauge("running", "Running.", ["function"], (report) => {
      for (const [name, count] of running) report([name], count);
    });
    expect(await registry.expose()).toContain('running{function="a"} 2\n');
    running = new Map([["b", 1]]);
    expect(await registry.expose()).not.toContain('function="a"');
    expect(await registry.expose()).toContain('running{function="b"} 1\n');
  });

  it("returns the same series for the same labels, and rejects a wrong label count", () => {
    const counter = new MetricsRegistry().counter("c_total", "C.", ["a", "b"]);
    expect(counter.labels("x", "y")).toBe(counter.labels("x", "y"));
    expect(counter.labels("x", "y")).not.toBe(counter.labels("x", "z"));
    expect(() => counter.labels("x")).toThrow(/2 label values/);
  });

  it("refuses invalid names, duplicate metrics, unordered buckets and negative increments", () => {
    const registry = new MetricsRegistry();
    registry.counter("ok_total", "Ok.");
    expect(() => registry.counter("ok_total", "Again.")).toThrow(/already registered/);
    expect(() => registry.counter("bad-name", "Bad.")).toThrow(/Invalid metric name/);
    expect(() => registry.counter("x_total", "X.", ["le"])).toThrow(/Invalid label name/);
    expect(() => registry.histogram("h", "H.", [], [1, 1])).toThrow(/strictly increasing/);
    expect(() => registry.counter("y_total", "Y.").labels().inc(-1)).toThrow(/only goes up/);
  });
});

describe("label cardinality", () => {
  it("folds label sets past the limit into __other__", async () => {
    const registry = new MetricsRegistry({ maxLabelSets: 3 });
    const calls = registry.counter("calls_total", "Calls.", ["function", "version"]);
    for (let i = 0; i < 10; i++) calls.labels(`f${i}`, "1").inc();
    calls.labels("f0", "1").inc();
    calls.labels("f0", "2").inc();
    const lines = (await registry.expose()).split("\n").filter((line) => line.startsWith("calls_total"));
    expect(lines).toEqual([
      'calls_total{function="f0",version="1"} 2',
      'calls_total{function="f1",version="1"} 1',
      'calls_total{function="f2",version="1"} 1',
      'calls_total{function="__other__",version="__other__"} 8',
    ]);
  });

  it("keeps 1000 label sets by default, histograms included", async () => {
    const registry = new MetricsRegistry();
    const calls = registry.counter("calls_total", "Calls.", ["function"]);
    const duration = registry.histogram("duration_seconds", "Duration.", ["function"], [1]);
    for (let i = 0; i < 1005; i++) {
      calls.labels(`f${i}`).inc();
      duration.labels(`f${i}`).observe(0.5);
    }
    const text = await registry.expose();
    const counted = text.split("\n").filter((line) => line.startsWith("calls_total{"));
    expect(counted).toHaveLength(1001);
    expect(counted.at(-2)).toBe('calls_total{function="f999"} 1');
    expect(counted.at(-1)).toBe('calls_total{function="__other__"} 5');
    expect(text.split("\n").filter((line) => line.startsWith("duration_seconds_count{"))).toHaveLength(1001);
    expect(text).toContain('duration_seconds_bucket{function="__other__",le="1"} 5\n');
  });

  it("bounds callback gauges too, summing the rest", async () => {
    const registry = new MetricsRegistry({ maxLabelSets: 2 });
    registry.callbackGauge("running", "Running.", ["function"], (report) => {
      for (let i = 0; i < 5; i++) report([`f${i}`], 1);
    });
    const lines = (await registry.expose()).split("\n").filter((line) => line.startsWith("running"));
    expect(lines).toEqual(['running{function="f0"} 1', 'running{function="f1"} 1', 'running{function="__other__"} 3']);
  });
});

describe("default metrics", () => {
  const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/;

  it("adds prom-client's process metrics to a service's registry, each its own, in the text format", async () => {
    const first = new MetricsRegistry({ defaultMetrics: true });
    const second = new MetricsRegistry({ defaultMetrics: true });
    first.counter("hits_total", "Hits.").labels().inc();
    for (const registry of [first, second]) {
      const text = await registry.expose();
      for (const name of [
        "process_cpu_user_seconds_total",
        "process_cpu_system_seconds_total",
        "process_resident_memory_bytes",
        "process_start_time_seconds",
        "nodejs_heap_size_used_bytes",
        "nodejs_heap_space_size_used_bytes",
        "nodejs_external_memory_bytes",
        "nodejs_eventloop_lag_seconds",
        "nodejs_eventloop_lag_p99_seconds",
        "nodejs_active_handles_total",
      ]) {
        expect(text, name).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? `, "m"));
      }
      expect(text).toContain("# TYPE nodejs_gc_duration_seconds histogram\n");
      for (const line of text.split("\n")) if (line !== "" && !line.startsWith("#")) expect(line).toMatch(SAMPLE_LINE);
    }
    expect(await second.expose()).not.toContain("hits_total");
  });

  it("leaves them out unless asked", async () => {
    expect(await new MetricsRegistry().expose()).toBe("");
  });
});

describe("metrics listener", () => {
  let listener: MetricsListener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it("serves GET /metrics in the text format, GET /livez, and 404 elsewhere", async () => {
    const registry = new MetricsRegistry();
    registry.counter("hits_total", "Hits.").labels().inc(4);
    listener = await listenForMetrics(registry, "127.0.0.1", 0);
    const scrape = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get("content-type")).toBe(METRICS_CONTENT_TYPE);
    expect(await scrape.text()).toContain("hits_total 4\n");
    const live = await fetch(`http://127.0.0.1:${listener.port}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "live" });
    expect((await fetch(`http://127.0.0.1:${listener.port}/other`)).status).toBe(404);
  });

  it("answers 500 when a collector fails, and goes on serving", async () => {
    const registry = new MetricsRegistry();
    let failing = true;
    registry.callbackGauge("flaky", "Flaky.", [], (report) => {
      if (failing) throw new Error("no reading");
      report([], 1);
    });
    listener = await listenForMetrics(registry, "127.0.0.1", 0);
    const failed = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain("no reading");
    // Liveness asks nothing of the collectors.
    expect((await fetch(`http://127.0.0.1:${listener.port}/livez`)).status).toBe(200);
    failing = false;
    expect(await (await fetch(`http://127.0.0.1:${listener.port}/metrics`)).text()).toContain("flaky 1\n");
  });
});

describe("NATS connection gauge", () => {
  it("follows disconnects, reconnects and the close", async () => {
    const registry = new MetricsRegistry();
    const statuses: { type: string }[] = [];
    let push: (() => void) | undefined;
    // Resolved when the tracker asks for the next status: it has applied every earlier one.
    let asked: (() => void) | undefined;
    let close!: () => void;
    const closed = new Promise<void>((resolve) => (close = resolve));
    const connection = {
      closed: () => closed,
      async *status() {
        for (;;) {
          while (statuses.length > 0) yield statuses.shift()!;
          asked?.();
          await new Promise<void>((resolve) => (push = resolve));
        }
      },
    };
    const value = async (): Promise<string> => (await registry.expose()).split("\n").find((line) => line.startsWith("lambent_nats_connected "))!;
    const emit = async (type: string): Promise<void> => {
      const taken = new Promise<void>((resolve) => (asked = resolve));
      statuses.push({ type });
      push?.();
      await taken;
    };
    trackNatsConnection(registry, connection);
    expect(await value()).toBe("lambent_nats_connected 1");
    await emit("disconnect");
    expect(await value()).toBe("lambent_nats_connected 0");
    await emit("reconnect");
    expect(await value()).toBe("lambent_nats_connected 1");
    close();
    // The tracker awaited `closed` first, so it has seen the close by the time this await returns.
    await closed;
    expect(await value()).toBe("lambent_nats_connected 0");
  });
});
