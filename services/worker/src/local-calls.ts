// The worker's Unix socket for callers on the same node (frontends, other workers' functions): the same
// call messages as on NATS (call-intake.ts), framed as @lambent/protocol's local frames, without a NATS
// hop. The socket file is made private to the service's user. Its name is the worker's id and a random
// tag: several clusters on one machine (tests, a second `npm start`) reuse worker ids and share the run
// directory, and a name that was only the id let one cluster's worker take over another's socket, so
// that cluster's callers reached a stranger's functions. Callers learn the path from the heartbeat.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, rm } from "node:fs/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { LocalFrameError, LocalFrameReader, LocalFrameWriter } from "@lambent/protocol";
import type { Logger } from "@lambent/telemetry";
import type { CallIntake } from "./call-intake.js";

/** The socket path for a worker: its id and a tag of its own, in the run directory. */
export function localSocketPath(runDir: string, workerId: string): string {
  return join(runDir, `${workerId}.${randomBytes(4).toString("hex")}.sock`);
}

export class LocalCalls {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly path: string,
    private readonly intake: CallIntake,
    private readonly logger: Logger,
    /** The worker's id: sockets it left behind (a killed process) are swept when it listens again. */
    private readonly workerId?: string,
  ) {}

  async listen(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    if (this.workerId !== undefined) await sweepDeadSockets(dirname(this.path), this.workerId);
    await rm(this.path, { force: true });
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.path, () => resolve());
    });
    await chmod(this.path, 0o600);
    this.server = server;
  }

  /** Stops taking connections and ends the open ones: call it once the calls they carried are answered. */
  async close(): Promise<void> {
    // Not awaited: `close` waits for every connection to end, and callers keep theirs open.
    this.server?.close();
    this.server = undefined;
    for (const socket of this.sockets) socket.end();
    await rm(this.path, { force: true });
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new LocalFrameReader();
    const writer = new LocalFrameWriter(socket);
    socket.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk, (id, frame) => this.intake.take(frame, undefined, (result) => writer.write(id, result)));
      } catch (error) {
        // A caller that breaks the framing gets its connection closed; nothing else is affected.
        if (error instanceof LocalFrameError) this.logger.warn("local caller sent a malformed message", { err: error });
        socket.destroy();
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.sockets.delete(socket));
  }
}

/**
 * Removes sockets of this worker id that nothing listens on any more (their process was killed): a live
 * one, another cluster's worker of the same id, answers the probe and is left alone.
 */
async function sweepDeadSockets(directory: string, workerId: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const prefix = `${workerId}.`;
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix) && name.endsWith(".sock") && /^[0-9a-f]{8}$/.test(name.slice(prefix.length, -".sock".length)))
      .map(async (name) => {
        const path = join(directory, name);
        if (!(await listening(path))) await rm(path, { force: true });
      }),
  );
}

function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code !== "ECONNREFUSED" && error.code !== "ENOENT"));
  });
}
