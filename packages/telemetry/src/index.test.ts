import { describe, expect, it } from "vitest";
import { createLogger } from "./index.js";

describe("service logger", () => {
  it("writes JSON lines at or above its level, and lifecycle lines always", () => {
    const lines: string[] = [];
    const logger = createLogger({ service: "test", level: "warn", write: (line) => lines.push(line) });
    logger.info("hidden");
    logger.warn("shown", { n: 1 });
    logger.lifecycle("ready", { port: 1 });
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: "warn", service: "test", msg: "shown", n: 1 },
      { level: "info", msg: "ready", port: 1 },
    ]);
  });

  it("binds fields in children and describes errors", () => {
    const lines: string[] = [];
    createLogger({ service: "test", write: (line) => lines.push(line) })
      .child({ requestId: "r" })
      .error("failed", { err: new TypeError("boom") });
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: "r", err: { name: "TypeError", message: "boom" } });
  });
});
