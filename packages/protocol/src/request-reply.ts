// Request/reply for the invoke path: one inbox subscription, a map of pending requests, and a coarse
// sweep for deadlines. nats.js's own request() builds an Error (with a stack trace) for every request
// even when it succeeds; on the hot path that was several percent of the frontend's CPU.
import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "@nats-io/nats-core";

export class RequestTimeoutError extends Error {
  override readonly name = "RequestTimeoutError";
}

export class NoRespondersError extends Error {
  override readonly name = "NoRespondersError";
}

interface Pending {
  resolve(msg: Msg): void;
  reject(error: Error): void;
  deadline: number;
  subject: string;
}

/** How often deadlines are checked: timeouts here are seconds long, so this precision is plenty. */
const SWEEP_MS = 250;

export class RequestReply {
  private readonly prefix: string;
  private readonly pending = new Map<number, Pending>();
  private readonly subscription: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private next = 1;

  constructor(private readonly nc: NatsConnection) {
    // The connection's own inbox prefix: its NATS permissions let it subscribe there and nowhere else.
    this.prefix = createInbox(inboxPrefixOfConnection(nc));
    this.subscription = nc.subscribe(`${this.prefix}.*`, { callback: (_error, msg) => this.settle(msg) });
    this.sweeper = setInterval(() => this.sweep(performance.now()), SWEEP_MS);
    this.sweeper.unref();
  }

  /**
   * `headers` carry what rides beside the frame (a trace context); absent on an untraced call. An aborted
   * `signal` rejects the request with its reason at once, and its answer is dropped when it comes.
   */
  request(subject: string, data: Uint8Array, timeoutMs: number, headers?: MsgHdrs, signal?: AbortSignal): Promise<Msg> {
    const token = this.next++;
    return new Promise<Msg>((resolve, reject) => {
      if (signal) {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const abort = (): void => {
          if (this.pending.delete(token)) reject(signal.reason);
        };
        signal.addEventListener("abort", abort, { once: true });
        const settle = (): void => signal.removeEventListener("abort", abort);
        this.pending.set(token, {
          resolve: (msg) => {
            settle();
            resolve(msg);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
          deadline: performance.now() + timeoutMs,
          subject,
        });
      } else {
        this.pending.set(token, { resolve, reject, deadline: performance.now() + timeoutMs, subject });
      }
      this.nc.publish(subject, data, headers ? { reply: `${this.prefix}.${token}`, headers } : { reply: `${this.prefix}.${token}` });
    });
  }

  /**
   * An inbox for one answer, for a caller that sends the request itself (or has it forwarded with this
   * reply subject). `cancel` gives up on it (the answer then rejects).
   */
  expect(subject: string, timeoutMs: number): { replyTo: string; answer: Promise<Msg>; cancel(reason: Error): void } {
    const token = this.next++;
    const answer = new Promise<Msg>((resolve, reject) => {
      this.pending.set(token, { resolve, reject, deadline: performance.now() + timeoutMs, subject });
    });
    const cancel = (reason: Error): void => {
      const pending = this.pending.get(token);
      if (!pending) return;
      this.pending.delete(token);
      pending.reject(reason);
    };
    return { replyTo: `${this.prefix}.${token}`, answer, cancel };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    for (const pending of this.pending.values()) pending.reject(new Error("request cancelled: connection closing"));
    this.pending.clear();
  }

  private settle(msg: Msg): void {
    const token = Number(msg.subject.slice(this.prefix.length + 1));
    const pending = this.pending.get(token);
    if (!pending) return;
    this.pending.delete(token);
    // The server answers a request nobody subscribes to with an empty 503 status message.
    if (msg.data.length === 0 && msg.headers?.code === 503) pending.reject(new NoRespondersError(`no responders on ${pending.subject}`));
    else pending.resolve(msg);
  }

  private sweep(now: number): void {
    for (const [token, pending] of this.pending) {
      if (pending.deadline > now) continue;
      this.pending.delete(token);
      pending.reject(new RequestTimeoutError(`no answer on ${pending.subject} in time`));
    }
  }
}

/**
 * A new inbox under the connection's own prefix: a service's NATS permissions let it subscribe there and
 * nowhere else (`createInbox()` alone would make `_INBOX.…`, which no service may hear).
 */
export function connectionInbox(nc: NatsConnection): string {
  return createInbox(inboxPrefixOfConnection(nc));
}

/** The inbox prefix the connection was opened with (nats.js keeps its options on the connection object). */
function inboxPrefixOfConnection(nc: NatsConnection): string | undefined {
  const options = (nc as NatsConnection & { options?: { inboxPrefix?: unknown } }).options;
  return typeof options?.inboxPrefix === "string" && options.inboxPrefix !== "" ? options.inboxPrefix : undefined;
}
