// Runs a nats-server with JetStream on loopback, storing under a directory of ours.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { onceExited, stopProcess } from "./process-control.js";

export interface NatsServerOptions {
  /** Where JetStream stores its files; also holds the generated server config. */
  storeDir: string;
  /** Client port; 0 picks a free one. */
  port?: number;
  /** Address the client port binds to; loopback by default. */
  host?: string;
  /**
   * A command the server runs under, e.g. `["ip", "netns", "exec", "<namespace>"]`: it must exec the
   * server in its own place, so that killing the child kills the server.
   */
  launcher?: string[];
  /** The binary to run; `NATS_SERVER_BIN` or `nats-server` on the PATH by default. */
  binary?: string;
  /** Every line nats-server logs, for diagnostics. */
  onLog?: (line: string) => void;
  /**
   * A process group of its own: a terminal's Ctrl-C then reaches only the caller, which stops the process
   * itself (`npm start` stops the services before nats-server).
   */
  detached?: boolean;
  /** Aborting it before the server is ready kills the process, and the start rejects. */
  signal?: AbortSignal;
  /** More server configuration, e.g. an `authorization` block (@lambent/nats-auth). */
  extraConfig?: string;
}

export interface RunningNatsServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL, as in a crash. */
  kill(): Promise<void>;
}

/** Invocation frames carry up to 6 MB of payload plus a header, above NATS's 1 MB default. */
export const NATS_MAX_PAYLOAD = "8MB";

const READY = /Server is ready/;
const LISTENING = /Listening for client connections on [^\s]*:(\d+)/;

export async function startNatsServer(options: NatsServerOptions): Promise<RunningNatsServer> {
  await mkdir(options.storeDir, { recursive: true });
  const configFile = join(options.storeDir, "nats-server.conf");
  // The config may hold the services' public keys and permissions: readable by its owner only.
  await writeFile(
    configFile,
    [
      `listen: "${options.host ?? "127.0.0.1"}:${options.port && options.port > 0 ? options.port : -1}"`,
      `max_payload: ${NATS_MAX_PAYLOAD}`,
      `jetstream { store_dir: ${JSON.stringify(options.storeDir)} }`,
      options.extraConfig ?? "",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const binary = options.binary ?? process.env["NATS_SERVER_BIN"] ?? "nats-server";
  const [command, ...args] = [...(options.launcher ?? []), binary, "-c", configFile];
  const child = spawn(command!, args, { stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false });
  // A start given up: the process ends, and its exit rejects the start below.
  const abort = (): void => {
    child.kill("SIGKILL");
  };
  const port = await new Promise<number>((resolve, reject) => {
    let found: number | undefined;
    let tail = "";
    const onData = (data: Buffer): void => {
      for (const line of data.toString().split("\n")) {
        if (!line) continue;
        options.onLog?.(line);
        tail = (tail + line + "\n").slice(-2000);
        const listening = LISTENING.exec(line);
        if (listening) found = Number(listening[1]);
        if (READY.test(line) && found !== undefined) resolve(found);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new Error(`nats-server was not found (looked for "${binary}"): install nats-server, set NATS_SERVER_BIN, or point NATS_URL at a running server`)
          : error,
      ),
    );
    child.once("exit", (code, signal) =>
      reject(new Error(`nats-server exited (${signal ? `signal ${signal}` : `code ${String(code)}`}) before it was ready:\n${tail}`)),
    );
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener("abort", abort, { once: true });
  }).finally(() => options.signal?.removeEventListener("abort", abort));
  return {
    url: `nats://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    process: child,
    stop: () => stopProcess(child, "SIGTERM"),
    kill: async () => {
      child.kill("SIGKILL");
      await onceExited(child);
    },
  };
}
