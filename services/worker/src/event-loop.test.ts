// Callback-style handlers end as Lambda's Node runtime ends them: when the event loop is empty (no
// referenced timer, fetch, function call or socket left), unless `callbackWaitsForEmptyEventLoop` is false;
// an async handler answers as its promise settles, whatever it leaves behind.
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esmBundle, functionRecord, testInvoker, type TestInvoker } from "./testing/fixtures.js";

let counter = 0;
/** A handler (the text of a function taking event, context and callback) deployed under a new name. */
function deploy(t: TestInvoker, handler: string, timeout = 10): string {
  const name = `loop-${++counter}`;
  t.deploy(functionRecord({ functionName: name, timeout }), esmBundle(`const require = (name) => globalThis.__lambentRequire(name);\nconst userModule = { handler: ${handler} };`));
  return name;
}

describe("a callback-style handler's event loop", () => {
  const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"], timeoutMs: 5000 } });
  let http: HttpServer;
  let httpUrl: string;
  let tcp: TcpServer;
  let tcpPort: number;

  beforeAll(async () => {
    http = createHttpServer((_request, response) => response.end("from the server"));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    tcp = createTcpServer((socket) => socket.end("bye"));
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    tcpPort = (tcp.address() as AddressInfo).port;
  });
  afterAll(() => {
    t.close();
    http.close();
    tcp.close();
  });

  it("answers null for a handler that returns nothing and leaves nothing pending", async () => {
    const name = deploy(t, `(event) => { console.log("ran", event.n); }`);
    const reply = await t.invoke(name, { n: 1 });
    expect(reply.header.functionError).toBeUndefined();
    expect(reply.text).toBe("null");
    expect(reply.log).toContain("ran 1");
    // A non-promise return value is not the answer either, as in Lambda.
    const returnsValue = deploy(t, `() => 42`);
    expect((await t.invoke(returnsValue)).text).toBe("null");
  });

  it("answers null once a pending timer has run, with the timer's log line in the call's log", async () => {
    const name = deploy(t, `() => { setTimeout(() => setTimeout(() => console.log("the timer ran"), 20), 20); }`);
    const reply = await t.invoke(name);
    expect(reply.header.functionError).toBeUndefined();
    expect(reply.text).toBe("null");
    expect(reply.log).toContain("the timer ran");
  });

  it("waits for a fetch and a socket the handler left open, but not for unref'd timers", async () => {
    const fetching = deploy(t, `(event) => { fetch(event.url).then((r) => r.text()).then((text) => console.log("fetched:", text)); }`);
    const fetched = await t.invoke(fetching, { url: httpUrl });
    expect(fetched.text).toBe("null");
    expect(fetched.log).toContain("fetched: from the server");

    const socketing = deploy(
      t,
      `(event) => { const socket = require("node:net").connect(event.port, "127.0.0.1"); socket.setEncoding("utf8"); socket.on("data", (d) => console.log("socket said", d)); socket.on("close", () => console.log("socket closed")); }`,
    );
    const socketed = await t.invoke(socketing, { port: tcpPort });
    expect(socketed.text).toBe("null");
    expect(socketed.log).toContain("socket said bye");
    expect(socketed.log).toContain("socket closed");

    // A long timer, unref'd, and an unref'd socket that stays open: neither holds the answer back (the function's timeout is 10 s).
    const unrefd = deploy(
      t,
      `(event, context, callback) => {
        setTimeout(() => console.log("never"), 60000).unref();
        const socket = require("node:net").connect(event.port, "127.0.0.1"); socket.unref();
        callback(null, { hasRef: setInterval(() => undefined, 60000).unref().hasRef() });
      }`,
    );
    const quick = await t.invoke(unrefd, { port: tcpPort });
    expect(quick.json).toEqual({ hasRef: false });
    expect(quick.log).not.toContain("never");
  });

  it("answers a callback's result after the event loop empties while callbackWaitsForEmptyEventLoop is true", async () => {
    const name = deploy(
      t,
      `(event, context, callback) => {
        const result = { steps: ["called back"] };
        setTimeout(() => { result.steps.push("timer ran"); console.log("after the callback"); }, 30);
        callback(null, result);
      }`,
    );
    const reply = await t.invoke(name);
    expect(reply.header.functionError).toBeUndefined();
    // The result is read when the answer goes, as Lambda's runtime serialises it then.
    expect(reply.json).toEqual({ steps: ["called back", "timer ran"] });
    expect(reply.log).toContain("after the callback");
  });

  it("answers a callback's result at once when callbackWaitsForEmptyEventLoop is false, and the leftover timer never runs", async () => {
    const name = deploy(
      t,
      `(event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = false;
        const result = { steps: ["called back"] };
        if (event.leave) setTimeout(() => { result.steps.push("timer ran"); console.log("leftover timer ran"); }, 30);
        callback(null, result);
      }`,
    );
    const first = await t.invoke(name, { leave: true });
    expect(first.json).toEqual({ steps: ["called back"] });
    expect(first.log).not.toContain("leftover timer ran");
    // The next call in the same environment waits for a timer of its own; the first call's never fires.
    const waiter = await t.invoke(name, { leave: false });
    expect(waiter.log).not.toContain("leftover timer ran");
  });

  it("answers an error passed to the callback at once, and fails the call on an exception thrown while it waits", async () => {
    const erring = deploy(t, `(event, context, callback) => { setTimeout(() => console.log("late timer"), 30); callback(new Error("at once")); }`);
    const erred = await t.invoke(erring);
    expect(erred.header.functionError).toBe("Unhandled");
    expect(erred.json).toMatchObject({ errorType: "Error", errorMessage: "at once" });
    expect(erred.log).not.toContain("late timer");

    const throwing = deploy(t, `(event, context, callback) => { setTimeout(() => { throw new TypeError("thrown in a timer"); }, 20); callback(null, "fine"); }`);
    const thrown = await t.invoke(throwing);
    expect(thrown.header.functionError).toBe("Unhandled");
    expect(thrown.json).toMatchObject({ errorType: "TypeError", errorMessage: "thrown in a timer" });
  });

  it("answers an async handler as its promise resolves, leaving its pending timers behind", async () => {
    // The function's timeout is 1 s: waiting for the 5 s timer would time the call out.
    const name = deploy(t, `async () => { setTimeout(() => console.log("frozen timer ran"), 5000); return "done"; }`, 1);
    const reply = await t.invoke(name);
    expect(reply.header.functionError).toBeUndefined();
    expect(reply.json).toBe("done");
    expect(reply.log).not.toContain("frozen timer ran");
  });

  it("times out a handler that keeps an interval forever and never calls back", async () => {
    const name = deploy(t, `() => { let n = 0; setInterval(() => { n++; }, 5); }`, 1);
    const reply = await t.invoke(name);
    expect(reply.header.functionError).toBe("Unhandled");
    expect(reply.json).toEqual({ errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${reply.header.requestId} Error: Task timed out after 1.00 seconds` });

    // Nor does a chain of immediates, each setting the next, or an interval it unrefs and a timer it re-refs.
    const chain = deploy(t, `() => { const again = () => setImmediate(again); again(); }`, 1);
    expect(((await t.invoke(chain)).json as { errorType: string }).errorType).toBe("Sandbox.Timedout");
    const reref = deploy(t, `() => { setInterval(() => undefined, 10).unref().ref(); }`, 1);
    expect(((await t.invoke(reref)).json as { errorType: string }).errorType).toBe("Sandbox.Timedout");
  });
});
