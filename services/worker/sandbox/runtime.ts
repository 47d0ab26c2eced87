// Lambda's Node.js programming model: find the handler, build `context`, run the handler in async or
// callback style, and turn its outcome (a result or any kind of failure) into plain data for the host.
import { encodeOutcome, type EnvironmentInfo, type FunctionErrorShape, type InvocationInfo, type InvocationOutcome, type Runtime } from "./host.js";
import { openLog, resendWake, settle, take } from "./outbox.js";
import { loopIsEmpty } from "./event-loop.js";
import { current } from "./invocation-state.js";
import { ProcessExit } from "./process.js";
import type { Timers } from "./timers.js";
import { abandonCalls, settleCall } from "./lambent/functions.js";
import { abandonFetches, settleFetch } from "./web/fetch.js";
import { abandonSockets, pollSockets } from "./node/net.js";
import { STREAMING_HANDLER, closeResponseStream, finished, openResponseStream, responseDrained } from "./response-stream.js";

/** Lambda's variable for the call's X-Ray trace header (`Root=1-…;Parent=…;Sampled=…`). */
const TRACE_VARIABLE = "_X_AMZN_TRACE_ID";

/** A streamed handler's result: its answer went to the stream. */
const STREAMED = Symbol("streamed");

type Handler = (event: unknown, context: unknown, callback: (error?: unknown, result?: unknown) => void) => unknown;

/**
 * A callback-style answer that waits for the event loop to empty, as Lambda's runtime answers on Node's
 * `beforeExit`: the null of a handler that returned without calling back, or the result of a callback
 * called while `context.callbackWaitsForEmptyEventLoop` is true. `claim` is false once the call has
 * answered some other way (an error, `context.succeed`, the handler's promise).
 */
interface IdleAnswer {
  result: unknown;
  claim(): boolean;
}

/** `src/app.routes.get` → `["routes", "get"]`: after the last `/`, everything past the first dot. */
export function exportPathOf(handler: string): string[] {
  const base = handler.slice(handler.lastIndexOf("/") + 1);
  const dot = base.indexOf(".");
  return dot < 0 ? [] : base.slice(dot + 1).split(".");
}

function lookup(root: unknown, path: string[]): unknown {
  let value = root;
  for (const part of path) {
    if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** Lambda's error shape. Non-Error throws are reported by their type, as Lambda's Node runtime does. */
export function describeError(error: unknown): FunctionErrorShape {
  if (error instanceof Error) {
    const name = typeof error.name === "string" && error.name ? error.name : "Error";
    const stack = typeof error.stack === "string" ? error.stack.split("\n") : [];
    return { errorType: name, errorMessage: String(error.message), trace: stack };
  }
  let message: string;
  try {
    message = String(error);
  } catch {
    message = Object.prototype.toString.call(error);
  }
  return { errorType: error === null ? "object" : typeof error, errorMessage: message, trace: [] };
}

/** `undefined` result → `null`, as Lambda answers. */
function serialize(result: unknown): InvocationOutcome {
  try {
    const body = JSON.stringify(result);
    return { ok: true, body: body === undefined ? "null" : body };
  } catch (error) {
    const shape = describeError(error);
    return { ok: false, error: { errorType: "Runtime.MarshalError", errorMessage: `Unable to stringify response body: ${shape.errorMessage}`, trace: shape.trace }, fatal: false };
  }
}

export function createRuntime(info: EnvironmentInfo, timers: Timers): Runtime {
  let handler: Handler | undefined;
  let handlerThis: unknown;

  const baseContext = {
    functionName: info.functionName,
    functionVersion: info.functionVersion,
    memoryLimitInMB: info.memoryLimitInMB,
    logGroupName: info.logGroupName,
    logStreamName: info.logStreamName,
  };

  /** The running call's answer once its event loop is empty; undefined for async handlers. */
  let idleAnswer: IdleAnswer | undefined;

  function run(event: unknown, invocation: InvocationInfo): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const succeed = (result: unknown): void => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(error === undefined ? new Error("Handler failed with undefined") : error);
      };
      const claim = (): boolean => {
        if (settled) return false;
        settled = true;
        return true;
      };
      const answerWhenIdle = (result: unknown): void => {
        if (!settled) idleAnswer = { result, claim };
      };
      // Only the first call counts, as in Lambda; an error answers at once, a result when the event loop
      // is empty unless the handler said not to wait (the setting is read when the callback is called).
      let calledBack = false;
      const callback = (error?: unknown, result?: unknown): void => {
        if (calledBack) return;
        calledBack = true;
        if (error !== undefined && error !== null) fail(error);
        else if (context.callbackWaitsForEmptyEventLoop) answerWhenIdle(result);
        else succeed(result);
      };
      current.fail = (error, fatal) => {
        if (fatal) fatalError = error;
        fail(error);
      };
      let clientContext: unknown;
      if (invocation.clientContext !== undefined) {
        try {
          clientContext = JSON.parse(invocation.clientContext);
        } catch {
          clientContext = undefined;
        }
      }
      // Spelled out rather than spread from baseContext: a spread here made V8 build each call's context
      // on its slow path, about 10 µs of a warm call.
      const context = {
        functionName: baseContext.functionName,
        functionVersion: baseContext.functionVersion,
        memoryLimitInMB: baseContext.memoryLimitInMB,
        logGroupName: baseContext.logGroupName,
        logStreamName: baseContext.logStreamName,
        awsRequestId: invocation.requestId,
        invokedFunctionArn: invocation.invokedFunctionArn,
        callbackWaitsForEmptyEventLoop: true,
        clientContext,
        identity: undefined,
        getRemainingTimeInMillis: () => Math.max(0, invocation.deadlineMs - Date.now()),
        succeed: (result: unknown) => succeed(result),
        fail: (error: unknown) => fail(error ?? new Error("handled")),
        done: callback,
      };
      if (invocation.streamWindow !== undefined) {
        // A streamed response: the handler writes to the stream, and its end (or its failure) ends the call.
        const responseStream = openResponseStream(invocation.streamWindow);
        responseStream.on("error", (error) => fail(error));
        const streaming = handler as unknown as (event: unknown, stream: unknown, context: unknown) => unknown;
        Promise.resolve()
          .then(() => streaming.call(handlerThis, event, responseStream, context))
          .then(() => finished(responseStream))
          .then(() => succeed(STREAMED), fail);
        return;
      }
      const returned = (handler as Handler).call(handlerThis, event, context, callback);
      if (isThenable(returned)) returned.then(succeed, fail);
      else if (!calledBack) answerWhenIdle(undefined);
    });
  }

  let fatalError: unknown;

  return {
    load(namespace) {
      const userModule = lookup(namespace, ["userModule"]);
      const path = exportPathOf(info.handler);
      for (const root of [userModule, lookup(userModule, ["default"])]) {
        const found = path.length > 0 ? lookup(root, path) : undefined;
        if (typeof found === "function") {
          handler = found as Handler;
          handlerThis = lookup(root, path.slice(0, -1));
          return null;
        }
      }
      return { errorType: "Runtime.HandlerNotFound", errorMessage: `${info.handler} is undefined or not exported`, trace: [] };
    },

    invoke(eventJson, requestId, deadlineMs, invokedFunctionArn, clientContext, streamWindow, traceHeader) {
      const invocation: InvocationInfo = { requestId, deadlineMs, invokedFunctionArn };
      // As Lambda's runtime does: each call's trace, and none left from an earlier call when it has none.
      if (traceHeader !== undefined) info.env[TRACE_VARIABLE] = traceHeader;
      else if (info.env[TRACE_VARIABLE] !== undefined) delete info.env[TRACE_VARIABLE];
      if (clientContext !== undefined) invocation.clientContext = clientContext;
      // Only a streamified handler streams; any other answers whole, as Lambda buffers it.
      if (streamWindow !== undefined && (handler as unknown as Record<symbol, unknown>)[STREAMING_HANDLER] === "response") invocation.streamWindow = streamWindow;
      openLog();
      resendWake();
      // The outcome waits in the outbox: the host takes it right after this entry when the handler
      // settled within it, or after whichever later entry (a timer, a fetch's answer) settles it.
      void invokeHandler(eventJson, invocation).then((outcome) => settle(encodeOutcome(outcome)));
    },

    take() {
      if (idleAnswer !== undefined && loopIsEmpty(timers)) answerIdle(idleAnswer);
      return take();
    },

    end() {
      endInvocation();
    },

    fire(nowMs) {
      timers.fire(nowMs);
    },

    fetched(id, ok, value) {
      settleFetch(id, ok, value);
    },

    called(id, ok, value) {
      settleCall(id, ok, value);
    },

    drained(bytes) {
      responseDrained(bytes);
    },

    sockets() {
      pollSockets();
    },
  };

  async function invokeHandler(eventJson: string, invocation: InvocationInfo): Promise<InvocationOutcome> {
      current.requestId = invocation.requestId;
      fatalError = undefined;
      try {
        let event: unknown;
        try {
          event = eventJson === "" ? {} : JSON.parse(eventJson);
        } catch (error) {
          return { ok: false, error: { ...describeError(error), errorType: "Runtime.UnmarshalError" }, fatal: false };
        }
        const result = await run(event, invocation);
        return result === STREAMED ? { ok: true, body: "" } : serialize(result);
      } catch (error) {
        if (error instanceof ProcessExit) {
          return {
            ok: false,
            error: { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${invocation.requestId} Error: ${error.message}`, trace: [] },
            fatal: true,
          };
        }
        return { ok: false, error: describeError(error), fatal: fatalError !== undefined };
      } finally {
        endInvocation();
      }
  }

  /**
   * The event loop is empty (checked as the host takes the outbox, after each entry and its microtasks):
   * the waiting answer is the call's outcome, settled here rather than through the handler's promise so
   * that this very take carries it.
   */
  function answerIdle(answer: IdleAnswer): void {
    idleAnswer = undefined;
    if (!answer.claim()) return;
    settle(encodeOutcome(serialize(answer.result)));
    endInvocation();
  }

  /** What an invocation leaves behind goes with it: timers, fetches, calls and sockets, asked for or running. */
  function endInvocation(): void {
    idleAnswer = undefined;
    closeResponseStream();
    timers.clearAll();
    abandonFetches();
    abandonCalls();
    abandonSockets();
    current.fail = undefined;
    current.requestId = undefined;
  }
}
