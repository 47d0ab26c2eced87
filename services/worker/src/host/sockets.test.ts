// The host's socket table against real TCP servers: connections only where the egress policy allows,
// caps on sockets and on bytes held for slow readers, and nothing left once the invocation ends.
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EgressPolicy } from "./egress-policy.js";
import { MAX_OPEN_SOCKETS, SOCKET_READ_BUFFER_BYTES, SOCKET_WRITE_BUFFER_BYTES, SocketSlots, SocketTable, type SocketEvent } from "./sockets.js";

const open = new EgressPolicy({ allow: ["127.0.0.1"], deny: [] });
const strict = new EgressPolicy({ allow: [], deny: [] });

/** A table whose events are gathered as the sandbox would poll them. */
function table(policy = open, slots = new SocketSlots()): { sockets: SocketTable; events: SocketEvent[]; next(predicate: (event: SocketEvent) => boolean): Promise<SocketEvent> } {
  const sockets = new SocketTable({ policy, connectTimeoutMs: 2000, slots });
  const events: SocketEvent[] = [];
  const waiters: (() => void)[] = [];
  sockets.onEvents(() =>
    queueMicrotask(() => {
      events.push(...(sockets.call("poll", []) as SocketEvent[]));
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  const next = async (predicate: (event: SocketEvent) => boolean): Promise<SocketEvent> => {
    for (;;) {
      const index = events.findIndex(predicate);
      if (index >= 0) return events.splice(index, 1)[0] as SocketEvent;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { sockets, events, next };
}

const is = (id: number, kind: string) => (event: SocketEvent) => event[0] === id && event[1] === kind;

describe("the socket table", () => {
  let server: Server;
  let port: number;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    server = createServer((socket) => {
      accepted.push(socket);
      socket.on("data", (chunk) => {
        const text = chunk.toString();
        if (text === "flood") socket.write(Buffer.alloc(8 * 1024 * 1024, 1));
        else socket.write(`echo:${text}`);
      });
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  it("connects where the policy allows, and carries bytes both ways", async () => {
    const { sockets, next } = table();
    const id = sockets.call("connect", ["127.0.0.1", port, null]) as number;
    const connected = await next(is(id, "connect"));
    expect(connected[2]).toMatchObject({ remoteAddress: "127.0.0.1", remotePort: port });
    expect(sockets.call("write", [id, new TextEncoder().encode("hi")])).toBe(true);
    const data = await next(is(id, "data"));
    expect(new TextDecoder().decode(data[2] as Uint8Array)).toBe("echo:hi");
    sockets.call("destroy", [id]);
    expect(sockets.size).toBe(0);
  });

  it("refuses loopback, link-local and private addresses the policy does not allow, with Node's shape of error", async () => {
    const { sockets, next } = table(strict);
    const before = accepted.length;
    for (const host of ["127.0.0.1", "169.254.169.254", "10.1.2.3", "::ffff:127.0.0.1", "localhost"]) {
      const id = sockets.call("connect", [host, port, null]) as number;
      const error = await next(is(id, "error"));
      expect(error[2]).toMatchObject({ code: "EACCES", syscall: "connect" });
      expect((error[2] as { message: string }).message).toMatch(/refused/);
      await next(is(id, "close"));
    }
    expect(accepted.length).toBe(before);
  });

  it("leaves out of name lookups the addresses the policy refuses", async () => {
    const { sockets, next } = table(strict);
    const id = sockets.call("lookup", ["localhost", "lookup", 0]) as number;
    const answer = await next(is(id, "lookup"));
    expect(answer[2]).toMatchObject({ code: "ENOTFOUND" });
    const allowed = table();
    const id2 = allowed.sockets.call("lookup", ["127.0.0.1", "lookup", 4]) as number;
    expect((await allowed.next(is(id2, "lookup")))[2]).toEqual([{ address: "127.0.0.1", family: 4 }]);
  });

  it("holds an environment to its cap of open sockets", () => {
    const { sockets } = table();
    for (let i = 0; i < MAX_OPEN_SOCKETS; i++) sockets.call("connect", ["127.0.0.1", port, null]);
    expect(() => sockets.call("connect", ["127.0.0.1", port, null])).toThrow(expect.objectContaining({ code: "EMFILE" }) as Error);
    sockets.closeAll();
    expect(sockets.size).toBe(0);
  });

  it("holds a process's environments together to the process's cap, and gives slots back as sockets close", async () => {
    const slots = new SocketSlots(3);
    const [first, second] = [table(open, slots), table(open, slots)];
    const ids = [first.sockets.call("connect", ["127.0.0.1", port, null]) as number, first.sockets.call("connect", ["127.0.0.1", port, null]) as number];
    second.sockets.call("connect", ["127.0.0.1", port, null]);
    expect(() => second.sockets.call("connect", ["127.0.0.1", port, null])).toThrow(/as many sockets as it may/);
    first.sockets.call("destroy", [ids[0]]);
    expect(slots.held).toBe(2);
    second.sockets.call("connect", ["127.0.0.1", port, null]);
    expect(slots.held).toBe(3);
    first.sockets.closeAll();
    second.sockets.closeAll();
    expect(slots.held).toBe(0);
    const refused = table(strict, slots);
    const id = refused.sockets.call("connect", ["10.0.0.1", port, null]) as number;
    await refused.next(is(id, "close"));
    expect(slots.held).toBe(0);
  });

  it("closes every socket when the invocation ends, and an id means nothing afterwards or in another table", async () => {
    const { sockets, next } = table();
    const before = accepted.length;
    const id = sockets.call("connect", ["127.0.0.1", port, null]) as number;
    await next(is(id, "connect"));
    await expect.poll(() => accepted.length).toBe(before + 1);
    const peer = accepted[accepted.length - 1] as Socket;
    const closed = new Promise<void>((resolve) => peer.once("close", () => resolve()));
    const other = table();
    expect(() => other.sockets.call("write", [id, new Uint8Array(1)])).toThrow(/closed/);
    sockets.closeAll();
    await closed;
    expect(() => sockets.call("write", [id, new Uint8Array(1)])).toThrow(/closed/);
  });

  it("stops reading from the network for a reader that takes nothing, and resumes when it reads", async () => {
    const { sockets, next, events } = table();
    const id = sockets.call("connect", ["127.0.0.1", port, null]) as number;
    await next(is(id, "connect"));
    sockets.call("flow", [id, false]);
    sockets.call("write", [id, new TextEncoder().encode("flood")]);
    await expect.poll(() => sockets.heldBytes).toBeGreaterThanOrEqual(SOCKET_READ_BUFFER_BYTES);
    // The peer keeps sending; the host keeps what it read before it paused, and nothing more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sockets.heldBytes).toBeLessThan(SOCKET_READ_BUFFER_BYTES * 2);
    expect(events.filter(is(id, "data"))).toHaveLength(0);
    sockets.call("flow", [id, true]);
    let received = 0;
    while (received < 8 * 1024 * 1024) received += ((await next(is(id, "data")))[2] as Uint8Array).length;
    expect(received).toBe(8 * 1024 * 1024);
    sockets.closeAll();
  });

  it("refuses a write past the send buffer and a piece larger than one write", async () => {
    const { sockets, next } = table();
    const id = sockets.call("connect", ["127.0.0.1", port, null]) as number;
    expect(() => sockets.call("write", [id, new Uint8Array(1)])).toThrow(/not connected/);
    await next(is(id, "connect"));
    expect(() => sockets.call("write", [id, new Uint8Array(SOCKET_WRITE_BUFFER_BYTES + 1)])).toThrow(RangeError);
    sockets.closeAll();
  });

  it("refuses TLS settings too large to parse before it connects, and a failed handshake is the socket's error", async () => {
    const { sockets, next } = table();
    expect(() => sockets.call("connect", ["127.0.0.1", port, { ca: ["x".repeat(2 * 1024 * 1024)] }])).toThrow(RangeError);
    const id = sockets.call("connect", ["127.0.0.1", port, { ca: ["not a certificate"] }]) as number;
    await next(is(id, "connect"));
    // The echo server answers the TLS hello with plain text.
    expect((await next(is(id, "error")))[2]).toMatchObject({ code: "ERR_SSL_WRONG_VERSION_NUMBER" });
    await next(is(id, "close"));
    expect(sockets.size).toBe(0);
  });

  it("reports a refused connection as Node does", async () => {
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, "127.0.0.1", resolve));
    const deadPort = (closedServer.address() as AddressInfo).port;
    await new Promise((resolve) => closedServer.close(resolve));
    const { sockets, next } = table();
    const id = sockets.call("connect", ["127.0.0.1", deadPort, null]) as number;
    expect((await next(is(id, "error")))[2]).toMatchObject({ code: "ECONNREFUSED", syscall: "connect", address: "127.0.0.1", port: deadPort });
    expect((await next(is(id, "close")))[2]).toBe(true);
  });
});
