// A service process with a stray rejection keeps running and says so; an uncaught exception ends it with
// the reason logged. Each runs in a child process of its own, as the services do.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const telemetry = fileURLToPath(new URL("../dist/index.js", import.meta.url));

function runService(body: string): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const script = `import { createLogger, handleProcessFaults } from ${JSON.stringify(telemetry)};
const logger = createLogger({ service: "probe" });
handleProcessFaults(logger);
${body}`;
  return new Promise((resolve) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], (error, stdout) => {
      const lines = stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, lines });
    });
  });
}

describe("process faults", () => {
  it("logs a rejection nobody handled and keeps the service running", async () => {
    const { code, lines } = await runService(`Promise.reject(new Error("request timed out"));
setTimeout(() => logger.info("still serving"), 20);`);
    expect(code).toBe(0);
    expect(lines.map((line) => line["msg"])).toEqual(["unhandled rejection: logged and kept running", "still serving"]);
    expect(lines[0]!["err"]).toMatchObject({ name: "Error", message: "request timed out" });
  });

  it("logs an uncaught exception and exits non-zero for the supervisor to restart", async () => {
    const { code, lines } = await runService(`setTimeout(() => { throw new TypeError("broken state"); }, 1);
setTimeout(() => logger.info("never"), 1000);`);
    expect(code).toBe(1);
    expect(lines.map((line) => line["msg"])).toEqual(["uncaught exception: exiting"]);
    expect(lines[0]!["err"]).toMatchObject({ name: "TypeError", message: "broken state" });
  });
});
