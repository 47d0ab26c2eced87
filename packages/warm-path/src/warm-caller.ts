// A synchronous invocation from wherever one starts (a frontend; a worker whose function invokes
// another), by the shortest path there is: straight to a worker that keeps a warm environment and a slot
// for the function (over its Unix socket on the same node, or NATS), else through the leading scheduler,
// which admits the call and places it with a slot the worker keeps — so the function's next call can go
// straight there. A worker without a free slot declines (nothing ran) and the call goes the long way.
import type { NatsConnection } from "@nats-io/nats-core";
import {
  RequestReply,
  Subjects,
  decodeInvocationResult,
  encodeInvocation,
  environmentKey,
  requestFromLeader,
  traceHeaders,
  type InvocationHeader,
  type InvocationResult,
} from "@lambent/protocol";
import { WorkerDirectory } from "./worker-directory.js";
import { WorkerLinks } from "./worker-links.js";

export interface WarmCallerOptions {
  nc: NatsConnection;
  /** The caller's node: workers there are reached by their socket. */
  nodeId: string;
  /** A worker not heard from for this long is gone. */
  workerTimeoutMs: number;
}

export interface WarmCallOptions {
  /** How long the answer may take once a worker has the call. */
  timeoutMs: number;
  /** The caller's trace context: in the frame's header straight to a worker, in NATS headers to the leader. */
  traceparent?: string | undefined;
  /** Gives up on the call: the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** The function's memory size, to word an out-of-memory failure when its worker's process goes down. */
  memoryMb: number;
  /** How long to wait out a cluster with no leading scheduler (LEADER_WAIT_MS by default). */
  leaderWaitMs?: number | undefined;
}

export class WarmCaller {
  private readonly requests: RequestReply;
  private readonly directory: WorkerDirectory;
  private readonly links: WorkerLinks;

  constructor(private readonly options: WarmCallerOptions) {
    this.requests = new RequestReply(options.nc);
    this.directory = new WorkerDirectory({
      nc: options.nc,
      nodeId: options.nodeId,
      workerTimeoutMs: options.workerTimeoutMs,
      onGone: (gone) => this.links.workerGone(gone),
    });
    this.links = new WorkerLinks(options.nc, this.requests, this.directory);
    this.directory.start();
  }

  close(): void {
    this.directory.stop();
    this.links.close();
    this.requests.close();
  }

  /** Runs a synchronous call; rejects only with a LambdaError when no scheduler could take it. */
  async call(header: InvocationHeader, payload: Uint8Array, options: WarmCallOptions): Promise<InvocationResult> {
    const key = environmentKey(header.functionName, header.version, header.revisionId);
    const workerId = this.directory.pick(key, (id) => this.links.load(id));
    if (workerId !== undefined) {
      const call = { requestId: header.requestId, version: header.version, memoryMb: options.memoryMb };
      const direct = options.traceparent !== undefined ? { ...header, traceparent: options.traceparent } : header;
      const answer = decodeInvocationResult(await this.links.send(workerId, call, encodeInvocation({ header: direct, payload }), options));
      if (!answer.header.declined) return answer;
      this.directory.forget(key, workerId);
    }
    const headers = options.traceparent !== undefined ? traceHeaders(options.traceparent) : undefined;
    const reply = await requestFromLeader(this.requests, Subjects.schedulerInvoke(header.functionName), encodeInvocation({ header: { ...header, keepSlot: true }, payload }), {
      ...options,
      headers,
    });
    const answer = decodeInvocationResult(reply.data);
    if (answer.header.workerId !== undefined && !answer.header.failure) this.directory.learn(key, answer.header.workerId);
    return answer;
  }
}
