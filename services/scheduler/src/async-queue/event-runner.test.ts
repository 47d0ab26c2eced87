import { describe, expect, it, vi } from "vitest";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Msg } from "@nats-io/nats-core";
import { decodeInvocation, encodeInvocation, encodeInvocationResult, type InvocationRequest, type RequestReply } from "@lambent/protocol";
import { throttled } from "@lambent/errors";
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import { createLogger } from "@lambent/telemetry";
import type { EventCounterBook } from "./event-counters.js";
import { EventRunner, type EventSettings } from "./event-runner.js";

const NOW = 1_000_000_000;
const encoder = new TextEncoder();

function event(delivery: { enqueuedAt: number; attempt: number; notBefore?: number; losses?: number }, callDepth?: number): InvocationRequest {
  return {
    header: {
      requestId: "req-1",
      functionName: "fn",
      qualifier: "$LATEST",
      version: "$LATEST",
      revisionId: "r1",
      invocationType: "Event",
      logType: "None",
      event: delivery,
      ...(callDepth ? { callDepth } : {}),
    },
    payload: encoder.encode('{"order":42}'),
  };
}

function message(request: InvocationRequest) {
  const calls: string[] = [];
  const msg = {
    data: encodeInvocation(request),
    seq: 1,
    info: { deliveryCount: 1, timestampNanos: NOW * 1_000_000 },
    ack: () => calls.push("ack"),
    nak: (delay?: number) => calls.push(`nak ${delay ?? 0}`),
    term: () => calls.push("term"),
    working: () => calls.push("working"),
  };
  return { msg: msg as unknown as JsMsg, calls };
}

/** A runner whose worker answers `answer` (or whose dispatch is refused), recording everything it sends. */
function runner(settings: EventSettings, options: { answer?: Uint8Array; refuse?: boolean; consumers?: unknown } = {}) {
  const sent: { arn: string; payload: string; callDepth: number; attributes?: Record<string, string> }[] = [];
  const stops: { functionName: string; cut: string }[] = [];
  const published: InvocationRequest[] = [];
  const counted: string[] = [];
  let dispatched = 0;
  const events = new EventRunner({
    js: { publish: async (_subject: string, data: Uint8Array) => (published.push(decodeInvocation(data)), { seq: 1 }), consumers: options.consumers } as unknown as JetStreamClient,
    requests: {
      expect: () => ({ replyTo: "inbox.1", answer: Promise.resolve({ data: options.answer } as Msg), cancel: () => undefined }),
    } as unknown as RequestReply,
    destinations: {
      send: async (arn, payload, { callDepth, attributes }) => void sent.push({ arn, payload: new TextDecoder().decode(payload), callDepth, ...(attributes ? { attributes } : {}) }),
    },
    loops: { stopped: (functionName, cut) => void stops.push({ functionName, cut }) },
    counters: {
      count: (_fn: string, outcome: string) => counted.push(outcome),
      countNow: async (_fn: string, outcome: string) => void counted.push(outcome),
      flush: async () => undefined,
    } as unknown as EventCounterBook,
    logger: createLogger({ service: "scheduler", level: "error" }),
    now: () => NOW,
    retryBaseMs: 1000,
    record: async () => ({ functionName: "fn", version: "$LATEST", revisionId: "r2", timeout: 3 }) as FunctionVersionRecord,
    settings: async () => settings,
    functionArn: (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    dispatch: () => {
      dispatched++;
      return options.refuse ? throttled("ConcurrentInvocationLimitExceeded") : undefined;
    },
  });
  return { events, sent, published, counted, stops, dispatched: () => dispatched };
}

const defaults: EventSettings = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60, deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq", onFailure: "arn:aws:sns:us-east-1:000000000000:failed" };

const success = encodeInvocationResult({ header: { requestId: "req-1", executedVersion: "$LATEST" }, payload: encoder.encode('{"ok":true}') });

const functionError = encodeInvocationResult({
  header: { requestId: "req-1", executedVersion: "$LATEST", functionError: "Unhandled" },
  payload: encoder.encode('{"errorType":"TypeError","errorMessage":"boom"}'),
});

const lost = encodeInvocationResult({
  header: { requestId: "req-1", executedVersion: "$LATEST", failure: { type: "ServiceException", message: "The worker running this invocation was lost (crashed)" } },
  payload: new Uint8Array(0),
});

describe("event runner decisions", () => {
  it("stores again an event the platform lost, without counting a retry, and counts it the function's failure on the third loss", async () => {
    const first = runner(defaults, { answer: lost });
    const once = message(event({ enqueuedAt: NOW - 5000, attempt: 1 }));
    await first.events.handle(once.msg);
    expect(once.calls).toEqual(["ack"]);
    expect(first.published[0]!.header.event).toEqual({ enqueuedAt: NOW - 5000, attempt: 1, losses: 1, notBefore: NOW + 500 });
    expect(first.counted).toEqual([]);

    const third = runner(defaults, { answer: lost });
    const again = message(event({ enqueuedAt: NOW - 5000, attempt: 1, losses: 2 }));
    await third.events.handle(again.msg);
    expect(again.calls).toEqual(["ack"]);
    // A retry as after any function error: the next attempt, its losses forgotten.
    expect(third.published[0]!.header.event).toEqual({ enqueuedAt: NOW - 5000, attempt: 2, notBefore: NOW + 2000 });
    expect(third.counted).toEqual(["retried"]);
  });


  it("does not run an event older than MaximumEventAgeInSeconds: dead letter, on-failure record, ack", async () => {
    const subject = runner(defaults);
    const { msg, calls } = message(event({ enqueuedAt: NOW - 61_000, attempt: 1 }));
    await subject.events.handle(msg);
    expect(subject.dispatched()).toBe(0);
    expect(calls).toEqual(["ack"]);
    expect(subject.sent[0]).toMatchObject({ arn: defaults.deadLetterTargetArn, payload: '{"order":42}', attributes: { RequestID: "req-1", ErrorCode: "EventAgeExceeded" } });
    expect(JSON.parse(subject.sent[1]!.payload).requestContext).toMatchObject({ condition: "EventAgeExceeded", approximateInvokeCount: 1 });
    expect(subject.counted).toEqual(["droppedForAge"]);
  });

  it("puts back an event whose retry delay has not passed, without running it", async () => {
    const subject = runner(defaults);
    const { msg, calls } = message(event({ enqueuedAt: NOW - 1000, attempt: 1, notBefore: NOW + 750 }));
    await subject.events.handle(msg);
    expect(subject.dispatched()).toBe(0);
    expect(calls).toEqual(["nak 750"]);
  });

  it("leaves a throttled event in the queue with a delay", async () => {
    const subject = runner(defaults, { refuse: true });
    const { msg, calls } = message(event({ enqueuedAt: NOW, attempt: 0 }));
    await subject.events.handle(msg);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^nak \d+$/);
    expect(subject.sent).toHaveLength(0);
  });

  it("stores a retry with the next attempt and a doubling delay, then acks the original", async () => {
    const subject = runner(defaults, { answer: functionError });
    const { msg, calls } = message(event({ enqueuedAt: NOW - 5000, attempt: 1 }));
    await subject.events.handle(msg);
    expect(calls).toEqual(["ack"]);
    expect(subject.published[0]!.header.event).toEqual({ enqueuedAt: NOW - 5000, attempt: 2, notBefore: NOW + 2000 });
    expect(subject.published[0]!.header.requestId).toBe("req-1");
    expect(subject.counted).toEqual(["retried"]);
  });

  it("dead-letters after the last retry", async () => {
    const subject = runner(defaults, { answer: functionError });
    const { msg, calls } = message(event({ enqueuedAt: NOW - 5000, attempt: 2 }));
    await subject.events.handle(msg);
    expect(calls).toEqual(["ack"]);
    expect(subject.published).toHaveLength(0);
    expect(subject.sent[0]).toMatchObject({ payload: '{"order":42}', attributes: { ErrorCode: "TypeError", ErrorMessage: "boom" } });
    expect(JSON.parse(subject.sent[1]!.payload).requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 3 });
    expect(subject.counted).toEqual(["deadLettered"]);
  });

  it("sends what it sends on as coming from the event's depth: the on-success record, a retry keeps it", async () => {
    const onSuccess = runner({ ...defaults, onSuccess: "arn:aws:sns:us-east-1:000000000000:done" }, { answer: success });
    await onSuccess.events.handle(message(event({ enqueuedAt: NOW, attempt: 0 }, 5)).msg);
    expect(onSuccess.sent).toMatchObject([{ arn: "arn:aws:sns:us-east-1:000000000000:done", callDepth: 5 }]);
    const retried = runner(defaults, { answer: functionError });
    await retried.events.handle(message(event({ enqueuedAt: NOW, attempt: 0 }, 5)).msg);
    expect(retried.published[0]!.header.callDepth).toBe(5);
    const fromOutside = runner({ ...defaults, onSuccess: "arn:aws:sns:us-east-1:000000000000:done" }, { answer: success });
    await fromOutside.events.handle(message(event({ enqueuedAt: NOW, attempt: 0 })).msg);
    expect(fromOutside.sent[0]!.callDepth).toBe(0);
  });

  it("stops an event past MAX_CALL_DEPTH without running it: dead letter and on-failure record, reported, ack", async () => {
    const subject = runner(defaults, { answer: success });
    const { msg, calls } = message(event({ enqueuedAt: NOW, attempt: 0 }, 17));
    await subject.events.handle(msg);
    expect(subject.dispatched()).toBe(0);
    expect(calls).toEqual(["ack"]);
    expect(subject.stops).toEqual([{ functionName: "fn", cut: "event" }]);
    expect(subject.sent[0]).toMatchObject({ arn: defaults.deadLetterTargetArn, payload: '{"order":42}', callDepth: 17, attributes: { RequestID: "req-1", ErrorCode: "RecursiveInvocationException" } });
    expect(subject.sent[0]!.attributes!["ErrorMessage"]).toMatch(/^Lambent stopped a recursive loop: .* would run 17 hops from the invocation that started its chain \(at most 16\)$/);
    expect(subject.sent[1]).toMatchObject({ arn: defaults.onFailure, callDepth: 17 });
    expect(JSON.parse(subject.sent[1]!.payload)).toMatchObject({ requestContext: { condition: "RecursiveInvocationDropped", approximateInvokeCount: 0 }, requestPayload: { order: 42 } });
    expect(JSON.parse(subject.sent[1]!.payload)).not.toHaveProperty("responseContext");
  });

  it("runs an event at MAX_CALL_DEPTH", async () => {
    const subject = runner(defaults, { answer: success });
    await subject.events.handle(message(event({ enqueuedAt: NOW, attempt: 0 }, 16)).msg);
    expect(subject.dispatched()).toBe(1);
    expect(subject.stops).toEqual([]);
  });
});

/** A consumer's messages as the client hands them out: `messages`, then the end when `ends`, else nothing more until closed. */
function handedOut(messages: JsMsg[], ends: boolean) {
  let closed!: () => void;
  const whenClosed = new Promise<void>((resolve) => (closed = resolve));
  return {
    async *[Symbol.asyncIterator]() {
      yield* messages;
      if (!ends) await whenClosed;
    },
    close: async () => closed(),
  };
}

describe("event runner consumption", () => {
  it("opens its consumer again when the client's iterator ends under it, and handles what comes next", async () => {
    const first = message(event({ enqueuedAt: NOW, attempt: 0 }));
    const second = message(event({ enqueuedAt: NOW, attempt: 0 }));
    const openings = [handedOut([first.msg], true), handedOut([second.msg], false)];
    let opened = 0;
    const consumers = { get: async () => ({ consume: async () => openings[opened++] }) };
    const subject = runner(defaults, { answer: success, consumers });
    await subject.events.start();
    await vi.waitFor(() => expect(second.calls).toEqual(["ack"]), { timeout: 10_000 });
    expect(first.calls).toEqual(["ack"]);
    expect(opened).toBe(2);
    await subject.events.stop();
  });
});
