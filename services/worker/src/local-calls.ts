// The worker's Unix socket for callers on the same node (frontends, other workers' functions): the same
// call messages as on NATS (call-intake.ts), framed as @lambent/protocol's local frames, without a NATS
// hop. The socket file is made private to the service's user.
import { chmod, mkdir, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { LocalFrameError, LocalFrameReader, LocalFrameWriter } from "@lambent/protocol";
import type { Logger } from "@lambent/telemetry";
import type { CallIntake } from "./call-intake.js";

export class LocalCalls {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly path: string,
    private readonly intake: CallIntake,
    private readonly logger: Logger,
  ) {}

  async listen(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
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
