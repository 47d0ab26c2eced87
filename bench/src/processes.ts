// Child processes for the benchmark: load generators and baseline servers each run in their own
// process, so they never share an event loop with what they measure.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const BENCH_DIST = fileURLToPath(new URL(".", import.meta.url));

/** Runs `node <script> <json>` and parses the last line it prints as JSON. */
export function runJsonProcess<T>(script: string, input: unknown, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(input)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON result: ${stdout.slice(-500)} ${stderr.slice(-500)}`));
      }
    });
  });
}

/**
 * Starts a long-running child; with a pattern, resolves with the first output line that matches it
 * (e.g. `{"port": N}`), otherwise at once.
 */
export async function startServerProcess(command: string, args: string[], readyPattern?: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  if (!readyPattern) {
    child.stdout!.resume();
    child.stderr!.resume();
    return { child, line: "" };
  }
  const line = await new Promise<string>((resolve, reject) => {
    let output = "";
    const onLine = (text: string): void => {
      output += text + "\n";
      if (readyPattern.test(text)) resolve(text);
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", (text) => (output += text + "\n"));
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code}: ${output.slice(-2000)}`)));
  });
  return { child, line };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Resolves once something accepts HTTP requests at the URL (a probe of a process we just started). */
export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { method: "POST", body: "{}" });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${url} did not answer in time`);
}
