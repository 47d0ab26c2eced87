// How a caller reaches a worker straight: over the worker's Unix socket when both run on one node, over
// NATS (the worker's invoke subject, answered to the caller's inbox) otherwise. Every call sent is held
// here with its worker until answered, so when the worker goes the caller's calls fail at once — the one
// that brought the worker's process down (its culprit) as the function's out-of-memory error, the others
// as lost — instead of waiting out their timeouts.
import { connect, type Socket } from "node:net";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  LocalFrameReader,
  LocalFrameWriter,
  NoRespondersError,
  RequestReply,
  RequestTimeoutError,
  Subjects,
  declinedResult,
  failureResult,
  outOfMemoryResult,
  type WorkerGone,
} from "@lambent/protocol";
import type { WorkerDirectory } from "./worker-directory.js";

/** A socket that closed without its worker being announced gone: its calls wait this long for the announcement. */
const LOST_SOCKET_WAIT_MS = 2_000;

/** A direct call's trace context travels in its frame's header (`traceparent`), over a socket or NATS alike. */
export interface SendOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** What a direct call needs to be failed well if its worker goes: whose call it is. */
export interface DirectCall {
  requestId: string;
  version: string;
  memoryMb: number;
}

interface Pending {
  call: DirectCall;
  resolve(result: Uint8Array): void;
  reject(error: Error): void;
  /** Sends the call again another way (over NATS), when its socket never connected. */
  resend?: () => void;
}

/** One worker's socket: calls numbered on it, answers matched back. */
class SocketLink {
  readonly pending = new Map<number, Pending>();
  private readonly writer: LocalFrameWriter;
  private next = 1;
  closed = false;
  connected = false;

  constructor(
    readonly socket: Socket,
    onClosed: (link: SocketLink) => void,
  ) {
    socket.setNoDelay(true);
    socket.once("connect", () => (this.connected = true));
    this.writer = new LocalFrameWriter(socket);
    const reader = new LocalFrameReader();
    socket.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk, (id, frame) => {
          const pending = this.pending.get(id);
          if (!pending) return;
          this.pending.delete(id);
          pending.resolve(frame);
        });
      } catch {
        socket.destroy();
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      this.closed = true;
      onClosed(this);
    });
  }

  send(frame: Uint8Array, pending: Pending): number {
    const id = this.next++ >>> 0;
    this.pending.set(id, pending);
    this.writer.write(id, frame);
    return id;
  }
}

export class WorkerLinks {
  private readonly sockets = new Map<string, SocketLink>();
  /** The socket path that failed to connect, by worker: reached over NATS until it announces another. */
  private readonly noSocket = new Map<string, string>();
  /** Calls sent over NATS, by worker. */
  private readonly natsPending = new Map<string, Map<Pending, (reason: Error) => void>>();
  private readonly loads = new Map<string, number>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly requests: RequestReply,
    private readonly directory: WorkerDirectory,
  ) {}

  /** Calls this caller has waiting on the worker. */
  load(workerId: string): number {
    return this.loads.get(workerId) ?? 0;
  }

  /** Sends an encoded invocation to the worker; resolves with its encoded answer (or the failure a loss comes to). */
  send(workerId: string, call: DirectCall, frame: Uint8Array, options: SendOptions): Promise<Uint8Array> {
    this.loads.set(workerId, this.load(workerId) + 1);
    const done = (): void => {
      const load = this.load(workerId) - 1;
      if (load <= 0) this.loads.delete(workerId);
      else this.loads.set(workerId, load);
    };
    const worker = this.directory.worker(workerId);
    const sent = worker && this.directory.isLocal(worker) && this.noSocket.get(workerId) !== worker.socket ? this.viaSocket(workerId, worker.socket!, call, frame, options) : this.viaNats(workerId, call, frame, options);
    return sent.finally(done);
  }

  /** The worker has gone: every call waiting on it is answered now. */
  workerGone(gone: WorkerGone): void {
    const link = this.sockets.get(gone.workerId);
    if (link) {
      this.sockets.delete(gone.workerId);
      for (const pending of link.pending.values()) pending.resolve(lostResult(pending.call, gone));
      link.pending.clear();
      link.socket.destroy();
    }
    const viaNats = this.natsPending.get(gone.workerId);
    if (viaNats) {
      this.natsPending.delete(gone.workerId);
      for (const pending of viaNats.keys()) pending.resolve(lostResult(pending.call, gone));
    }
    this.noSocket.delete(gone.workerId);
  }

  close(): void {
    for (const link of this.sockets.values()) link.socket.destroy();
    this.sockets.clear();
  }

  private viaSocket(workerId: string, path: string, call: DirectCall, frame: Uint8Array, options: SendOptions): Promise<Uint8Array> {
    let link = this.sockets.get(workerId);
    if (!link || link.closed) {
      link = new SocketLink(connect(path), (closed) => this.socketClosed(workerId, path, closed));
      this.sockets.set(workerId, link);
    }
    const target = link;
    return new Promise<Uint8Array>((resolve, reject) => {
      const pending: Pending = { call, resolve, reject, resend: () => this.resendViaNats(workerId, call, frame, options).then(resolve, reject) };
      const id = target.send(frame, pending);
      const timer = setTimeout(() => {
        if (target.pending.delete(id)) resolve(failureResult(call.requestId, call.version, { type: "ServiceException", message: "The invocation did not complete in time" }));
      }, options.timeoutMs);
      const settle = pending.resolve;
      pending.resolve = (result) => {
        clearTimeout(timer);
        settle(result);
      };
      options.signal?.addEventListener(
        "abort",
        () => {
          if (target.pending.delete(id)) {
            clearTimeout(timer);
            reject(options.signal!.reason);
          }
        },
        { once: true },
      );
    });
  }

  /** A socket closed under its calls: the worker's goodbye (with its culprit) answers them; failing that, a wait. */
  private socketClosed(workerId: string, path: string, link: SocketLink): void {
    if (this.sockets.get(workerId) === link) this.sockets.delete(workerId);
    if (!link.connected) {
      // Never connected (no socket there, or not ours to open): nothing was sent; NATS until the worker
      // announces another socket.
      this.noSocket.set(workerId, path);
      for (const pending of link.pending.values()) pending.resend?.();
      link.pending.clear();
      return;
    }
    if (link.pending.size === 0) return;
    setTimeout(() => {
      for (const pending of link.pending.values()) pending.resolve(lostResult(pending.call, { workerId, reason: "crashed" }));
      link.pending.clear();
    }, LOST_SOCKET_WAIT_MS).unref();
    // Until then the calls stay findable for workerGone.
    this.sockets.set(workerId, link);
  }

  /**
   * A call whose socket never connected, sent again over NATS. The socket may be refused because its
   * worker died (its socket file outlives a SIGKILL) before anyone said so: when nothing listens on the
   * worker's subject, the call is declined (nothing ran), so the caller forgets the route and goes the
   * long way instead of waiting out the call's timeout.
   */
  private resendViaNats(workerId: string, call: DirectCall, frame: Uint8Array, options: SendOptions): Promise<Uint8Array> {
    return this.requests.request(Subjects.workerInvoke(workerId), frame, options.timeoutMs, undefined, options.signal).then(
      (msg) => msg.data,
      (error: unknown) => {
        if (error instanceof NoRespondersError) return declinedResult(call.requestId, call.version, workerId);
        if (error instanceof RequestTimeoutError) return failureResult(call.requestId, call.version, { type: "ServiceException", message: "The invocation did not complete in time" });
        throw error;
      },
    );
  }

  private viaNats(workerId: string, call: DirectCall, frame: Uint8Array, options: SendOptions): Promise<Uint8Array> {
    const expected = this.requests.expect(Subjects.workerInvoke(workerId), options.timeoutMs);
    let byWorker = this.natsPending.get(workerId);
    if (!byWorker) {
      byWorker = new Map();
      this.natsPending.set(workerId, byWorker);
    }
    const waiting = byWorker;
    return new Promise<Uint8Array>((resolve, reject) => {
      const pending: Pending = { call, resolve, reject };
      waiting.set(pending, expected.cancel);
      const forget = (): void => {
        waiting.delete(pending);
        if (waiting.size === 0 && this.natsPending.get(workerId) === waiting) this.natsPending.delete(workerId);
      };
      pending.resolve = (result) => {
        forget();
        expected.cancel(new Error("answered"));
        resolve(result);
      };
      expected.answer.then(
        (msg) => {
          forget();
          resolve(msg.data);
        },
        () => {
          forget();
          resolve(failureResult(call.requestId, call.version, { type: "ServiceException", message: "The invocation did not complete in time" }));
        },
      );
      options.signal?.addEventListener("abort", () => {
        forget();
        expected.cancel(options.signal!.reason instanceof Error ? options.signal!.reason : new Error("aborted"));
        reject(options.signal!.reason);
      }, { once: true });
      this.nc.publish(Subjects.workerInvoke(workerId), frame, { reply: expected.replyTo });
    });
  }
}

/** What a call comes to when its worker went without answering it. */
function lostResult(call: DirectCall, gone: WorkerGone): Uint8Array {
  if (gone.culprit?.requestId === call.requestId) return outOfMemoryResult(call.requestId, call.version, call.memoryMb);
  return failureResult(call.requestId, call.version, {
    type: "ServiceException",
    message: `The worker running this invocation was lost (${gone.reason ?? "left"})`,
  });
}
