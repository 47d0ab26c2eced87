// Built-ins that import fine but cannot work in an isolate (processes, threads, datagram sockets): packages
// that import them and never call them (the AWS SDK's credential chain, `debug`, libc detection) load,
// and a call fails there, at call time, with Node's own error for an unimplemented method.

export interface NodeError extends Error {
  code: string;
}

export function notImplemented(name: string): NodeError {
  const error = new Error(`The ${name} method is not implemented in Lambent's isolate runtime`) as NodeError;
  error.code = "ERR_METHOD_NOT_IMPLEMENTED";
  return error;
}

function refusingFunction(moduleName: string, name: string): (...args: unknown[]) => never {
  const refuse = (): never => {
    throw notImplemented(`${moduleName}.${name}()`);
  };
  Object.defineProperty(refuse, "name", { value: name });
  return refuse;
}

function refusingClass(moduleName: string, name: string): new (...args: unknown[]) => object {
  const refused = class {
    constructor() {
      throw notImplemented(`new ${moduleName}.${name}()`);
    }
  };
  Object.defineProperty(refused, "name", { value: name });
  return refused;
}

/** A module whose functions and classes, named as Node names them, each throw when called. */
export function createUnsupported(
  moduleName: string,
  surface: { functions?: readonly string[]; classes?: readonly string[]; values?: Record<string, unknown> },
): Record<string, unknown> {
  const module: Record<string, unknown> = { ...surface.values };
  for (const name of surface.functions ?? []) module[name] = refusingFunction(moduleName, name);
  for (const name of surface.classes ?? []) module[name] = refusingClass(moduleName, name);
  return module;
}

export const childProcess = (): Record<string, unknown> =>
  createUnsupported("child_process", {
    functions: ["exec", "execFile", "execFileSync", "execSync", "fork", "spawn", "spawnSync"],
    classes: ["ChildProcess"],
  });

export const workerThreads = (): Record<string, unknown> =>
  createUnsupported("worker_threads", {
    functions: ["markAsUntransferable", "moveMessagePortToContext", "receiveMessageOnPort", "setEnvironmentData"],
    classes: ["Worker", "MessageChannel", "MessagePort", "BroadcastChannel"],
    values: { isMainThread: true, parentPort: null, threadId: 0, workerData: null, resourceLimits: {}, getEnvironmentData: () => undefined, SHARE_ENV: Symbol("nodejs.worker_threads.SHARE_ENV") },
  });

export const cluster = (): Record<string, unknown> =>
  createUnsupported("cluster", {
    functions: ["fork", "setupPrimary", "setupMaster", "disconnect"],
    values: { isPrimary: true, isMaster: true, isWorker: false, workers: {}, settings: {}, SCHED_NONE: 1, SCHED_RR: 2, schedulingPolicy: 2, on: () => undefined, once: () => undefined },
  });

export const dgram = (): Record<string, unknown> =>
  createUnsupported("dgram", { functions: ["createSocket"], classes: ["Socket"] });
