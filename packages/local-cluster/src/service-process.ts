// Runs one Lambent service (frontend, scheduler or worker) as a child process and waits until it
// logs that it is ready.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { onceExited, stopProcess } from "./process-control.js";

export type ServiceName = "frontend" | "scheduler" | "worker";

export interface ServiceOptions {
  name: ServiceName;
  /** Added to the parent's environment. */
  env: Record<string, string>;
  /** Each line the service prints (its structured log), for forwarding or diagnostics. */
  onLog?: (line: string) => void;
  readyTimeoutMs?: number;
  /** Extra Node.js flags, e.g. `--cpu-prof` for profiling. */
  nodeFlags?: string[];
  /**
   * A process group of its own: a terminal's Ctrl-C then reaches only the caller, which stops the process
   * itself (`npm start` stops the services before nats-server).
   */
  detached?: boolean;
  /** Aborting it before the service is ready kills the process, and the start rejects. */
  signal?: AbortSignal;
  /**
   * A command the service runs under, e.g. `["ip", "netns", "exec", "<namespace>"]`: it must exec Node in
   * its own place, so that killing the child kills the service.
   */
  launcher?: string[];
}

export interface RunningService {
  name: ServiceName;
  process: ChildProcess;
  /** The fields of the service's `ready` log line (e.g. the ports a frontend bound). */
  ready: Record<string, unknown>;
  /** SIGTERM: a graceful stop. */
  stop(): Promise<void>;
  /** SIGKILL, as in a crash. */
  kill(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export function serviceEntry(name: ServiceName): string {
  return `${REPO_ROOT}services/${name}/dist/main.js`;
}

/** isolated-vm on Node 20 needs V8's built-in snapshot off. */
const NODE_FLAGS: Record<ServiceName, string[]> = {
  frontend: [],
  scheduler: [],
  worker: ["--no-node-snapshot"],
};

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const flags = [...NODE_FLAGS[options.name], ...(options.nodeFlags ?? [])];
  const [command, ...args] = [...(options.launcher ?? []), process.execPath, ...flags, serviceEntry(options.name)];
  const child = spawn(command!, args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  let tail = "";
  const remember = (line: string): void => {
    options.onLog?.(line);
    tail = (tail + line + "\n").slice(-4000);
  };
  createInterface({ input: child.stderr! }).on("line", remember);
  // A start given up: the process ends, and its exit rejects the start below.
  const abort = (): void => {
    child.kill("SIGKILL");
  };
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${options.name} was not ready in time:\n${tail}`));
    }, options.readyTimeoutMs ?? 30_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      remember(line);
      const record = parseLogLine(line);
      if (record?.["msg"] === "ready") {
        clearTimeout(timer);
        resolve(record);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${signal ? `signal ${signal}` : `code ${String(code)}`}) before it was ready:\n${tail}`));
    });
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener("abort", abort, { once: true });
  }).finally(() => options.signal?.removeEventListener("abort", abort));
  return {
    name: options.name,
    process: child,
    ready,
    stop: () => stopProcess(child, "SIGTERM"),
    kill: async () => {
      child.kill("SIGKILL");
      await onceExited(child);
    },
  };
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
