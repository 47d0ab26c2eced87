// `tty`: a function's standard streams are never terminals (Lambda's are pipes to its log), so `isatty`
// answers false and the stream classes, which need a terminal's descriptor, cannot be built.
import { notImplemented } from "./unsupported.js";

class ReadStream {
  constructor() {
    throw notImplemented("new tty.ReadStream()");
  }
}

class WriteStream {
  constructor() {
    throw notImplemented("new tty.WriteStream()");
  }
}

export function createTty(): Record<string, unknown> {
  return { isatty: () => false, ReadStream, WriteStream };
}
