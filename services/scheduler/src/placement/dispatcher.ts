// The hot path: admit a call against the concurrency limits, place it on a worker (warm first), open its
// lease and forward it with its answer's destination. Synchronous calls, queued events and event-source
// batches all enter here. No disk write, no KV read: limits and records are cached.
import type { Msg, PublishOptions } from "@nats-io/nats-core";
import { serviceError, throttled, type LambdaError } from "@lambent/errors";
import { Subjects, decodeInvocation, encodeInvocation, environmentKey, failureResult, traceparentOf, withLease, type InvocationHeader, type InvocationRequest } from "@lambent/protocol";
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import { tracer, type Logger, type TraceSpan } from "@lambent/telemetry";
import type { ConcurrencyAccounting } from "../admission/concurrency-accounting.js";
import type { Containment } from "../admission/containment.js";
import { endAdmission, startAdmission, workerPublishOptions } from "../tracing/admission-spans.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import type { WorkerTable } from "./worker-table.js";

/** The memory a call is placed with when its function's configuration is not cached (Lambda's default). */
const DEFAULT_MEMORY_MB = 128;

export interface DispatcherOptions {
  admission: ConcurrencyAccounting;
  /** Functions held back after crashing their sandbox process; none when absent. */
  containment?: Containment;
  workers: WorkerTable;
  leases: LeaseKeeper;
  /** The version's configuration from the registry cache; undefined when not cached (defaults apply). */
  cachedRecord(functionName: string, version: string): Pick<FunctionVersionRecord, "memorySize" | "timeout"> | undefined;
  /** Sends a placed call to its worker. */
  publish(subject: string, data: Uint8Array, options?: Partial<PublishOptions>): void;
  /** Counts a refusal; returns the error to answer with. */
  refused(header: InvocationHeader, error: LambdaError): LambdaError;
  /**
   * Asks these workers to give back the kept slots they are not using (of `functionName`, or all), and
   * resolves once their releases are in. Absent, a refused call is refused at once.
   */
  recall?(workerIds: string[], functionName: string | undefined): Promise<void>;
  logger: Logger;
}

/** How a call is placed beyond admission itself. */
export interface Placement {
  /**
   * The caller waits for the answer on this scheduler and closes the lease when it comes (LeaseKeeper's
   * `answered`): the worker sends no release. Only for calls the scheduler raises itself.
   */
  answerReleases?: boolean;
  /**
   * The call's frame as it came, its header unchanged: the call is forwarded as these bytes with the
   * lease added to the header (`withLease`) instead of its header being encoded again.
   */
  frame?: Uint8Array;
}

/** What `place` reads of a synchronous call's message and how it answers a refusal. */
export type InvocationMessage = Pick<Msg, "data" | "reply" | "headers" | "respond">;

export class Dispatcher {
  private readonly tracing = tracer();

  constructor(private readonly options: DispatcherOptions) {}

  /** Handles a synchronous call from a frontend: a refusal is answered here, anything else by the worker. */
  place(msg: InvocationMessage): void {
    let request: InvocationRequest;
    try {
      request = decodeInvocation(msg.data);
    } catch (error) {
      this.options.logger.warn("malformed invocation dropped", { err: error });
      answerFailure(msg, "unknown", "$LATEST", serviceError("Malformed invocation message"));
      return;
    }
    const span = this.tracing.enabled ? startAdmission(this.tracing, traceparentOf(msg), request.header) : undefined;
    const finish = (refused: LambdaError | undefined): void => {
      if (span) endAdmission(span, refused);
      if (refused) answerFailure(msg, request.header.requestId, request.header.version, refused);
    };
    const refused = this.admit(request, msg.reply, span, { frame: msg.data });
    if (refused instanceof Promise) void refused.then(finish);
    else finish(refused);
  }

  /**
   * `dispatch`, except that a call refused while workers keep slots they are not using first asks for
   * those back (one round trip, only then) and tries again: kept slots never throttle a call that would
   * have run without them.
   */
  admit(request: InvocationRequest, replyTo: string | undefined, span?: TraceSpan, placement: Placement = {}): LambdaError | undefined | Promise<LambdaError | undefined> {
    const refused = this.tryDispatch(request, replyTo, span, placement);
    if (!refused) return undefined;
    const { recall, leases } = this.options;
    const functionName = request.header.functionName;
    const reason = refused.fields["Reason"];
    const onlyThisFunction = reason === "ReservedFunctionConcurrentInvocationLimitExceeded";
    const holders = recall && refused.type === "TooManyRequestsException" && reason !== "FunctionCrashedSandbox" ? leases.keptSlotHolders(onlyThisFunction ? functionName : undefined) : [];
    if (holders.length === 0) return this.options.refused(request.header, refused);
    return recall!(holders, onlyThisFunction ? functionName : undefined).then(() => {
      const again = this.tryDispatch(request, replyTo, span, placement);
      return again ? this.options.refused(request.header, again) : undefined;
    });
  }

  /**
   * Admission and placement, shared by synchronous calls and events: takes a slot, picks a worker, opens
   * a lease and forwards the call with `replyTo` as the answer's destination. An error when it cannot run now.
   */
  dispatch(request: InvocationRequest, replyTo: string | undefined, span?: TraceSpan): LambdaError | undefined {
    const refused = this.tryDispatch(request, replyTo, span);
    return refused ? this.options.refused(request.header, refused) : undefined;
  }

  /** `dispatch` without counting a refusal. */
  private tryDispatch(request: InvocationRequest, replyTo: string | undefined, span?: TraceSpan, placement: Placement = {}): LambdaError | undefined {
    const { admission, workers, leases } = this.options;
    const { header, payload } = request;
    const held = this.options.containment?.check(header.functionName);
    if (held) return held;
    const throttle = admission.tryAcquire(header.functionName);
    if (throttle) return throttle;
    const record = this.options.cachedRecord(header.functionName, header.version);
    const memoryMb = record?.memorySize ?? DEFAULT_MEMORY_MB;
    const worker = workers.place(environmentKey(header.functionName, header.version, header.revisionId), memoryMb);
    if (!worker) {
      admission.release(header.functionName);
      return noRoom(workers.size);
    }
    // A synchronous caller that sends later calls straight to warm workers gets the slot kept there.
    const kept = header.keepSlot === true && header.invocationType === "RequestResponse";
    const lease = leases.open(
      { workerId: worker.workerId, functionName: header.functionName, memoryMb, requestId: header.requestId, version: header.version, replyTo, kept },
      record?.timeout,
    );
    header.lease = kept
      ? { term: lease.term, leaseId: lease.leaseId, kept: true }
      : placement.answerReleases
        ? { term: lease.term, leaseId: lease.leaseId, answerReleases: true }
        : { term: lease.term, leaseId: lease.leaseId };
    const options = span ? workerPublishOptions(replyTo, span, worker.workerId) : replyTo ? { reply: replyTo } : undefined;
    const frame = placement.frame ? withLease(placement.frame, header.lease) : encodeInvocation({ header, payload });
    this.options.publish(Subjects.workerInvoke(worker.workerId), frame, options);
    return undefined;
  }
}

/** No worker can take the call: none at all is a service failure; all full is a throttle. */
function noRoom(workerCount: number): LambdaError {
  if (workerCount === 0) return serviceError("No worker is available to run the invocation");
  return throttled("ConcurrentInvocationLimitExceeded", "Rate Exceeded. No worker has room for another execution environment.");
}

function answerFailure(msg: InvocationMessage, requestId: string, version: string, error: LambdaError): void {
  if (!msg.reply) return;
  const failure = { type: error.type, message: error.message, ...(Object.keys(error.fields).length ? { fields: { ...error.fields } } : {}) };
  msg.respond(failureResult(requestId, version, failure));
}
