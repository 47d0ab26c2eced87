import { describe, expect, it } from "vitest";
import { loadSchedulerConfig, loadWorkerConfig } from "./index.js";

describe("metrics listener configuration", () => {
  it("binds a free port on loopback by default", () => {
    expect(loadSchedulerConfig({}).metrics).toEqual({ host: "127.0.0.1", port: 0 });
    expect(loadWorkerConfig({}).metrics).toEqual({ host: "127.0.0.1", port: 0 });
  });

  it("reads LAMBENT_METRICS_HOST and LAMBENT_METRICS_PORT, naming a bad port", () => {
    expect(loadWorkerConfig({ LAMBENT_METRICS_HOST: "0.0.0.0", LAMBENT_METRICS_PORT: "9464" }).metrics).toEqual({ host: "0.0.0.0", port: 9464 });
    expect(() => loadSchedulerConfig({ LAMBENT_METRICS_PORT: "metrics" })).toThrow(/LAMBENT_METRICS_PORT/);
    expect(() => loadWorkerConfig({ LAMBENT_METRICS_PORT: "70000" })).toThrow(/LAMBENT_METRICS_PORT/);
  });
});
