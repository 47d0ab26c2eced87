// `http.OutgoingMessage` and `http.ServerResponse`, far enough for frameworks to answer a request in
// process: serverless-http hands express, koa or fastify a request built from a Lambda event and a
// response whose socket collects the bytes. As in Node, the status line and headers are stored as one
// block (`_header`) on the first write and sent ahead of the body to the socket the response was given.

type Listener = (...args: unknown[]) => void;
interface Emitter {
  on(event: string, listener: Listener): this;
  once(event: string, listener: Listener): this;
  emit(event: string, ...args: unknown[]): boolean;
}
type EmitterClass = new () => Emitter;
interface Socket {
  writable?: boolean;
  write?(data: unknown, encoding?: unknown, callback?: unknown): unknown;
  destroy?(error?: unknown): unknown;
  setTimeout?(ms: number, callback?: Listener): unknown;
  _httpMessage?: unknown;
}
type HeaderValue = string | number | readonly string[];

function headersSentError(): Error {
  return Object.assign(new Error("Cannot set headers after they are sent to the client"), { code: "ERR_HTTP_HEADERS_SENT" });
}

export function createServerSide(EventEmitter: EmitterClass, statusCodes: Record<number, string>) {
  class OutgoingMessage extends EventEmitter {
    statusCode = 200;
    statusMessage = "";
    sendDate = false;
    finished = false;
    writableEnded = false;
    writableFinished = false;
    writable = true;
    destroyed = false;
    chunkedEncoding = false;
    useChunkedEncodingByDefault = true;
    /** The status line and headers, once stored; sent ahead of the first bytes of the body. */
    _header: string | null = null;
    _headerSent = false;
    socket: Socket | null = null;
    readonly #headers = new Map<string, [string, HeaderValue]>();
    /** What was written before a socket was assigned; it goes out when one is. */
    readonly #waiting: [unknown, unknown, unknown][] = [];

    get connection(): Socket | null {
      return this.socket;
    }
    get headersSent(): boolean {
      return Boolean(this._header);
    }

    setHeader(name: string, value: HeaderValue): this {
      if (this._header) throw headersSentError();
      this.#headers.set(String(name).toLowerCase(), [String(name), Array.isArray(value) ? [...(value as string[])] : (value as string | number)]);
      return this;
    }
    appendHeader(name: string, value: HeaderValue): this {
      const existing = this.getHeader(name);
      const values = [existing ?? []].flat().concat([value].flat()).map(String);
      return this.setHeader(name, values.length === 1 ? (values[0] as string) : values);
    }
    getHeader(name: string): HeaderValue | undefined {
      return this.#headers.get(String(name).toLowerCase())?.[1];
    }
    getHeaders(): Record<string, HeaderValue> {
      const headers = Object.create(null) as Record<string, HeaderValue>;
      for (const [key, [, value]] of this.#headers) headers[key] = value;
      return headers;
    }
    getHeaderNames(): string[] {
      return [...this.#headers.keys()];
    }
    getRawHeaderNames(): string[] {
      return [...this.#headers.values()].map(([name]) => name);
    }
    hasHeader(name: string): boolean {
      return this.#headers.has(String(name).toLowerCase());
    }
    removeHeader(name: string): void {
      if (this._header) throw headersSentError();
      this.#headers.delete(String(name).toLowerCase());
    }

    assignSocket(socket: Socket): void {
      socket._httpMessage = this;
      this.socket = socket;
      for (const [data, encoding, callback] of this.#waiting.splice(0)) socket.write?.(data, encoding, callback);
      this.emit("socket", socket);
    }
    detachSocket(socket: Socket): void {
      if (socket._httpMessage === this) socket._httpMessage = null;
      this.socket = null;
    }

    /** Stores the status line and headers as one block, as Node does before the first bytes go out. */
    _storeHeader(): void {
      const lines = [`HTTP/1.1 ${this.statusCode} ${this.statusMessage || statusCodes[this.statusCode] || "unknown"}`];
      if (this.sendDate && !this.hasHeader("date")) lines.push(`Date: ${new Date().toUTCString()}`);
      for (const [name, value] of this.#headers.values()) {
        for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(one)}`);
      }
      this._header = `${lines.join("\r\n")}\r\n\r\n`;
    }
    _implicitHeader(): void {
      this._storeHeader();
    }
    flushHeaders(): void {
      if (!this._header) this._implicitHeader();
      this._send("", "latin1");
    }

    _writeRaw(data: unknown, encoding: unknown, callback?: unknown): void {
      const socket = this.socket;
      if (socket && socket.writable !== false && typeof socket.write === "function") socket.write(data, encoding, callback);
      else this.#waiting.push([data, encoding, callback]);
    }
    _send(data: unknown, encoding: unknown, callback?: unknown): void {
      if (!this._headerSent && this._header !== null) {
        this._headerSent = true;
        if (this._header !== "") this._writeRaw(this._header, "latin1");
      }
      if (data === undefined || data === null || (typeof data === "string" && data.length === 0) || (ArrayBuffer.isView(data) && data.byteLength === 0)) {
        if (typeof callback === "function") (callback as () => void)();
        return;
      }
      this._writeRaw(data, encoding, callback);
    }

    write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
      if (typeof encoding === "function") [callback, encoding] = [encoding, undefined];
      if (this.finished) {
        const error = Object.assign(new Error("write after end"), { code: "ERR_STREAM_WRITE_AFTER_END" });
        queueMicrotask(() => this.emit("error", error));
        return false;
      }
      if (!this._header) this._implicitHeader();
      this._send(chunk, encoding ?? "utf8", callback);
      return true;
    }

    end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
      if (typeof chunk === "function") [callback, chunk] = [chunk, undefined];
      else if (typeof encoding === "function") [callback, encoding] = [encoding, undefined];
      if (this.finished) {
        if (typeof callback === "function") queueMicrotask(callback as () => void);
        return this;
      }
      if (!this._header) this._implicitHeader();
      this._send(chunk ?? "", encoding ?? "utf8");
      this.finished = true;
      this.writableEnded = true;
      // Node says 'finish' once the socket has taken the bytes: later, never within end().
      queueMicrotask(() => {
        this.emit("prefinish");
        this.writableFinished = true;
        this.emit("finish");
        if (typeof callback === "function") (callback as () => void)();
      });
      return this;
    }

    cork(): void {}
    uncork(): void {}
    addTrailers(): void {}
    setTimeout(ms: number, callback?: Listener): this {
      this.socket?.setTimeout?.(ms, callback);
      return this;
    }
    destroy(error?: Error): this {
      if (this.destroyed) return this;
      this.destroyed = true;
      this.socket?.destroy?.(error);
      queueMicrotask(() => {
        if (error) this.emit("error", error);
        this.emit("close");
      });
      return this;
    }
  }

  class ServerResponse extends OutgoingMessage {
    readonly req: unknown;
    override sendDate = true;

    constructor(req?: { method?: string }) {
      super();
      this.req = req;
    }

    writeHead(statusCode: number, reason?: unknown, headers?: unknown): this {
      if (this._header) throw headersSentError();
      if (typeof reason !== "string") [headers, reason] = [reason, undefined];
      this.statusCode = statusCode;
      this.statusMessage = typeof reason === "string" ? reason : this.statusMessage || statusCodes[statusCode] || "unknown";
      if (Array.isArray(headers)) {
        const pairs = Array.isArray(headers[0]) ? (headers as [string, string][]) : (headers as string[]).flatMap((_, i, all) => (i % 2 === 0 ? [[all[i], all[i + 1]] as [string, string]] : []));
        for (const [name, value] of pairs) this.appendHeader(name, value);
      } else if (typeof headers === "object" && headers !== null) {
        for (const [name, value] of Object.entries(headers as Record<string, HeaderValue>)) if (value !== undefined) this.setHeader(name, value);
      }
      this._storeHeader();
      return this;
    }
    override _implicitHeader(): void {
      this.writeHead(this.statusCode);
    }
    writeContinue(): void {}
    writeProcessing(): void {}
  }

  return { OutgoingMessage, ServerResponse };
}
