// What a service process does with a fault nothing caught. A promise rejected with no handler (a NATS
// request timing out under a failover, in a path that forgot to catch) is logged and the service keeps
// serving: one stray timeout must not take a scheduler, and with it every call, down. An exception thrown
// to the top of the event loop may have left state half-changed, so that one is logged and the process
// exits for its supervisor to restart, as Node would have done, but with the reason in the service's log.

/** The part of a service's Logger this needs (index.ts's Logger has it). */
export interface FaultLogger {
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function handleProcessFaults(logger: FaultLogger, exit: (code: number) => void = (code) => process.exit(code)): void {
  process.on("unhandledRejection", (reason: unknown) => {
    logger.error("unhandled rejection: logged and kept running", { err: reason });
  });
  process.on("uncaughtException", (error: Error) => {
    logger.error("uncaught exception: exiting", { err: error });
    exit(1);
  });
}
