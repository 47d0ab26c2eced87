// `diagnostics_channel`: named channels that instrumentation (OpenTelemetry, Powertools, undici-style
// clients) publishes to and subscribes on. Everything stays inside the function's own isolate.

type Subscriber = (message: unknown, name: string | symbol) => void;

export class Channel {
  readonly name: string | symbol;
  readonly #subscribers = new Set<Subscriber>();

  constructor(name: string | symbol) {
    this.name = name;
  }

  get hasSubscribers(): boolean {
    return this.#subscribers.size > 0;
  }

  subscribe(subscriber: Subscriber): void {
    if (typeof subscriber !== "function") throw new TypeError('The "subscription" argument must be of type function');
    this.#subscribers.add(subscriber);
  }

  unsubscribe(subscriber: Subscriber): boolean {
    return this.#subscribers.delete(subscriber);
  }

  publish(message: unknown): void {
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber(message, this.name);
      } catch (error) {
        // Node reports a subscriber's error as uncaught without stopping the publisher.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  runStores<R>(message: unknown, fn: (...args: unknown[]) => R, thisArg?: unknown, ...args: unknown[]): R {
    this.publish(message);
    return fn.apply(thisArg, args);
  }
}

const channels = new Map<string | symbol, Channel>();

export function channel(name: string | symbol): Channel {
  let found = channels.get(name);
  if (!found) {
    found = new Channel(name);
    channels.set(name, found);
  }
  return found;
}

type TracingChannels = { start: Channel; end: Channel; asyncStart: Channel; asyncEnd: Channel; error: Channel };

function tracingChannel(name: string | TracingChannels): Record<string, unknown> {
  const channels: TracingChannels =
    typeof name === "string"
      ? {
          start: channel(`tracing:${name}:start`),
          end: channel(`tracing:${name}:end`),
          asyncStart: channel(`tracing:${name}:asyncStart`),
          asyncEnd: channel(`tracing:${name}:asyncEnd`),
          error: channel(`tracing:${name}:error`),
        }
      : name;
  const each = (handlers: Partial<Record<keyof TracingChannels, Subscriber>>, act: (target: Channel, handler: Subscriber) => unknown): void => {
    for (const key of Object.keys(channels) as (keyof TracingChannels)[]) {
      const handler = handlers[key];
      if (handler) act(channels[key], handler);
    }
  };
  const traceSync = <R>(fn: (...args: unknown[]) => R, context: Record<string, unknown> = {}, thisArg?: unknown, ...args: unknown[]): R => {
    channels.start.publish(context);
    try {
      const result = fn.apply(thisArg, args);
      context["result"] = result;
      return result;
    } catch (error) {
      context["error"] = error;
      channels.error.publish(context);
      throw error;
    } finally {
      channels.end.publish(context);
    }
  };
  const tracePromise = (fn: (...args: unknown[]) => Promise<unknown>, context: Record<string, unknown> = {}, thisArg?: unknown, ...args: unknown[]): Promise<unknown> =>
    traceSync(() =>
      Promise.resolve(fn.apply(thisArg, args)).then(
        (result) => {
          context["result"] = result;
          channels.asyncStart.publish(context);
          channels.asyncEnd.publish(context);
          return result;
        },
        (error: unknown) => {
          context["error"] = error;
          channels.error.publish(context);
          channels.asyncStart.publish(context);
          channels.asyncEnd.publish(context);
          throw error;
        },
      ),
    context);
  const traceCallback = (fn: (...args: unknown[]) => unknown, position = -1, context: Record<string, unknown> = {}, thisArg?: unknown, ...args: unknown[]): unknown => {
    const index = position < 0 ? args.length + position : position;
    const callback = args[index] as (error: unknown, result?: unknown) => unknown;
    args[index] = (error: unknown, result?: unknown): unknown => {
      if (error) {
        context["error"] = error;
        channels.error.publish(context);
      } else context["result"] = result;
      channels.asyncStart.publish(context);
      try {
        return callback(error, result);
      } finally {
        channels.asyncEnd.publish(context);
      }
    };
    return traceSync(fn, context, thisArg, ...args);
  };
  return {
    ...channels,
    get hasSubscribers(): boolean {
      return Object.values(channels).some((entry) => entry.hasSubscribers);
    },
    subscribe: (handlers: Partial<Record<keyof TracingChannels, Subscriber>>) => each(handlers, (target, handler) => target.subscribe(handler)),
    unsubscribe: (handlers: Partial<Record<keyof TracingChannels, Subscriber>>) => each(handlers, (target, handler) => target.unsubscribe(handler)),
    traceSync,
    tracePromise,
    traceCallback,
  };
}

export function createDiagnosticsChannel(): Record<string, unknown> {
  return {
    channel,
    Channel,
    hasSubscribers: (name: string | symbol) => channels.get(name)?.hasSubscribers ?? false,
    subscribe: (name: string | symbol, subscriber: Subscriber) => channel(name).subscribe(subscriber),
    unsubscribe: (name: string | symbol, subscriber: Subscriber) => channel(name).unsubscribe(subscriber),
    tracingChannel,
  };
}
